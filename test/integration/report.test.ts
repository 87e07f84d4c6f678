import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_OUTPUT } from '../../shared/cli-output.js';
import { ReportDiffSchema, ReportSchema, type Report } from '../../shared/report.js';
import { MemoryAuditSink, type AuditEntry, type AuditSink } from '../../main/engine/audit-sink.js';
import { auditDir } from '../../main/engine/audit/files.js';
import { AuditLog, toAuditRecord } from '../../main/engine/audit/log.js';
import { readAuditEntries } from '../../main/engine/audit/read.js';
import { verifyAuditLog } from '../../main/engine/audit/verify.js';
import { canonicalize } from '../../main/engine/report/canonical.js';
import { exportReport } from '../../main/engine/report/export.js';
import { renderReportHtml } from '../../main/engine/report/html.js';
import { findChromium } from '../../main/engine/report/pdf.js';
import { verifyReportText } from '../../main/engine/report/verify.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { hasCommand, requireTool } from '../support/tools.js';

const SCHEMA = 'Tenant "Zone"; ü';
const INVOICES = 'Invoices; DROP TABLE x';
const NOTES = 'notes Ünï';
const role = `auditor_${crypto.randomBytes(4).toString('hex')}`;
const PASSWORD = `S3cret-${crypto.randomBytes(6).toString('hex')}-pw`;
const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

const fixture = `
CREATE SCHEMA ${q(SCHEMA)};
CREATE TABLE ${q(SCHEMA)}.organizations (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO ${q(SCHEMA)}.organizations VALUES (1, 'Acme'), (2, 'Globex <script>');
CREATE TABLE ${q(SCHEMA)}.${q(INVOICES)} (id int PRIMARY KEY, organization_id int REFERENCES ${q(SCHEMA)}.organizations (id), amount int);
INSERT INTO ${q(SCHEMA)}.${q(INVOICES)} SELECT g, CASE WHEN g <= 6 THEN NULL WHEN g % 2 = 0 THEN 1 ELSE 2 END, g * 10 FROM generate_series(1, 40) g;
CREATE INDEX ON ${q(SCHEMA)}.${q(INVOICES)} (organization_id);
CREATE TABLE ${q(SCHEMA)}.${q(NOTES)} (id int PRIMARY KEY, organization_id int NOT NULL REFERENCES ${q(SCHEMA)}.organizations (id), body text);
INSERT INTO ${q(SCHEMA)}.${q(NOTES)} SELECT g, 1 + g % 2, 'note ' || g FROM generate_series(1, 10) g;
CREATE INDEX ON ${q(SCHEMA)}.${q(NOTES)} (organization_id);
CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}';
GRANT USAGE ON SCHEMA ${q(SCHEMA)} TO ${role};
GRANT SELECT ON ALL TABLES IN SCHEMA ${q(SCHEMA)} TO ${role};
`;

let db: TestDatabase;
let configDir: string;
let work: string;
const env = () => ({ TENANCY_CONFIG_DIR: configDir, TENANCY_OPERATOR: 'ana auditor' });
const roleUrl = () => db.urlAs(role, PASSWORD);
const file = (name: string) => path.join(work, name);

beforeAll(async () => {
  db = await createTestDatabase(fixture);
  configDir = tempConfigDir();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-reports-'));
});
afterAll(async () => {
  await db?.drop();
  await db?.exec(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  cleanCli();
  fs.rmSync(configDir, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

/** Every audit file's text, concatenated. */
function auditText(): string {
  const dir = auditDir(configDir);
  return fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
}

describe('report export, verify and diff through the CLI', () => {
  let before: Report;

  it('exports a signed JSON report, audits every statement, and never writes the password', async () => {
    const r = await runTenancy(['report', 'export', '--url', roleUrl(), '--schema', SCHEMA, '--out', file('before.json')], env());
    expect(r.stderr).not.toMatch(/^tenancy:/m);
    expect(r.code).toBe(1); // error findings: the NULL tenant rows
    expect(r.stdout).toMatch(/wrote .*before\.json .*FAIL, \d+ errors.*sha256 [0-9a-f]{64}; key [0-9a-f]{16}/);
    before = ReportSchema.parse(JSON.parse(fs.readFileSync(file('before.json'), 'utf8')));
    expect(before.database.user).toBe(role);
    expect(before.operator).toBe('ana auditor');
    const nulls = before.checks.findings.find((f) => f.check === 'null-tenant-rows')!;
    expect(nulls).toMatchObject({ schema: SCHEMA, table: INVOICES, count: 6 });
    expect(before.distribution!.noTenant).toEqual([{ schema: SCHEMA, table: INVOICES, rows: 6 }]);
    expect(fs.statSync(path.join(configDir, 'keys', 'report-signing-ed25519.pem')).mode & 0o777).toBe(0o600);

    const log = auditText();
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(encodeURIComponent(PASSWORD));
    const entries = readAuditEntries({}, auditDir(configDir));
    expect(entries.every((e) => e.operator === 'ana auditor' && e.profile === 'url' && e.database === db.name)).toBe(true);
    // The scan of each hostile table, quoted, and the read-only transactions are all there.
    expect(entries.some((e) => e.sql.includes(q(INVOICES)))).toBe(true);
    expect(entries.some((e) => e.sql.includes(q(NOTES)))).toBe(true);
    expect(entries.some((e) => e.sql.includes("current_setting('server_version')"))).toBe(true);
    expect(entries.filter((e) => e.sql.includes(q(SCHEMA))).length).toBeGreaterThanOrEqual(4);
    expect(verifyAuditLog(auditDir(configDir)).ok).toBe(true);
  });

  it('verifies the untouched file, and fails naming the section when a finding count is changed', async () => {
    const ok = await runTenancy(['report', 'verify', file('before.json')], env());
    expect(ok.stdout).toMatch(/^OK: .*before\.json is unchanged since it was signed/);
    expect(ok.stdout).toContain("(this installation's key)");
    expect(ok.code).toBe(0);

    const tampered = JSON.parse(fs.readFileSync(file('before.json'), 'utf8')) as Report;
    const i = tampered.checks.findings.findIndex((f) => f.check === 'null-tenant-rows');
    tampered.checks.findings[i]!.count = 0;
    fs.writeFileSync(file('tampered.json'), `${canonicalize(tampered)}\n`);
    const bad = await runTenancy(['report', 'verify', file('tampered.json'), '--format', 'json'], env());
    expect(bad.code).toBe(1);
    const v = CLI_OUTPUT['report verify'].parse(JSON.parse(bad.stdout)).verification;
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([{ where: `checks.findings[${i}]`, what: 'changed since the report was signed' }]);
  });

  it('fails verification for a changed byte anywhere in the file and says where', () => {
    const text = fs.readFileSync(file('before.json'), 'utf8');
    // Where each top-level member of the canonical object starts and ends, to check attribution.
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const spans: { key: string; start: number; end: number }[] = [];
    let pos = 1;
    for (const key of Object.keys(parsed).sort()) {
      const member = `${JSON.stringify(key)}:${canonicalize(parsed[key])}`;
      spans.push({ key, start: pos, end: pos + member.length });
      pos += member.length + 1;
    }
    const stride = Math.max(1, Math.floor(text.length / 400));
    const positions = new Set<number>();
    for (let at = 0; at < text.length; at += stride) positions.add(at);
    // Always: the first and last bytes, and characters around the non-ASCII names.
    for (let at = 0; at < 40; at += 1) positions.add(at).add(text.length - 1 - at);
    for (let at = 0, found = 0; at < text.length && found < 30; at += 1) {
      if (text.charCodeAt(at) > 127) {
        positions.add(at).add(at + 1);
        found += 1;
      }
    }
    let checked = 0;
    for (const at of [...positions].sort((x, y) => x - y)) {
      const original = text[at]!;
      const replacement = original === '1' ? '2' : original === 'a' ? 'b' : /[0-9]/.test(original) ? '1' : 'a';
      const mutated = text.slice(0, at) + replacement + text.slice(at + 1);
      const v = verifyReportText(mutated, 'x.json');
      expect(v.ok, `byte ${at} changed from ${JSON.stringify(original)}`).toBe(false);
      expect(v.problems.length).toBeGreaterThan(0);
      let validJson = true;
      try {
        JSON.parse(mutated);
      } catch {
        validJson = false;
      }
      if (!validJson) {
        expect(v.problems[0]!.where).toMatch(/^byte \d+ \(line 1, column \d+\)$/);
      } else {
        const span = spans.find((s) => at >= s.start && at < s.end);
        const wheres = v.problems.map((p) => p.where).join(' | ');
        const byte = Buffer.byteLength(text.slice(0, at), 'utf8');
        if (span) expect(wheres, `byte ${byte} in ${span.key}`).toMatch(new RegExp(`(^|\\| |\\[")${span.key}|byte ${byte} `));
      }
      checked += 1;
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('diffs before and after a fix: the null-tenant finding resolved and the no-tenant bucket emptied', async () => {
    await db.exec(`UPDATE ${q(SCHEMA)}.${q(INVOICES)} SET organization_id = 1 WHERE organization_id IS NULL`);
    const r = await runTenancy(['report', 'export', '--url', roleUrl(), '--schema', SCHEMA, '--out', file('after.json')], env());
    expect(r.stderr).not.toMatch(/^tenancy:/m);
    const d = await runTenancy(['report', 'diff', file('before.json'), file('after.json'), '--format', 'json'], env());
    expect(d.code).toBe(0);
    const diff = ReportDiffSchema.parse(JSON.parse(d.stdout));
    expect(diff.sameDatabase).toBe(true);
    expect(diff.resolved.map((f) => f.check)).toContain('null-tenant-rows');
    expect(diff.resolved.find((f) => f.check === 'null-tenant-rows')).toMatchObject({ count: 6, key: `null-tenant-rows ${SCHEMA}.${INVOICES} (organization_id)` });
    expect(diff.added).toEqual([]);
    expect(diff.distribution).toContainEqual({ schema: SCHEMA, table: INVOICES, bucket: 'no-tenant', tenant: null, tenantName: null, before: 6, after: 0 });
    expect(diff.distribution).toContainEqual(expect.objectContaining({ table: INVOICES, bucket: 'tenant', tenant: '1', tenantName: 'Acme', after: expect.any(Number) }));

    const human = await runTenancy(['report', 'diff', file('before.json'), file('after.json')], env());
    expect(human.stdout).toMatch(/\d+ resolved, 0 new, \d+ changed/);
    expect(human.stdout).toContain(`null-tenant-rows ${SCHEMA}.${INVOICES}`);
  });

  it('refuses to diff an exact report with an estimate report (exit 2, one line), and lists row-count findings apart when allowed', async () => {
    await db.exec(`UPDATE ${q(SCHEMA)}.${q(INVOICES)} SET organization_id = NULL WHERE id IN (SELECT id FROM ${q(SCHEMA)}.${q(INVOICES)} ORDER BY id LIMIT 2)`);
    for (const [name, extra] of [['exact.json', []], ['estimate.json', ['--estimate']], ['exact-2.json', []]] as const) {
      const r = await runTenancy(['report', 'export', '--url', roleUrl(), '--schema', SCHEMA, '--out', file(name), ...extra], env());
      expect(r.stderr).not.toMatch(/^tenancy:/m);
    }
    const refused = await runTenancy(['report', 'diff', file('exact.json'), file('estimate.json')], env());
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n').filter((l) => l.startsWith('tenancy:'))).toHaveLength(1);
    expect(refused.stderr).toMatch(/exact\.json is an exact report and .*estimate\.json an estimate report: .*compare reports of the same mode \(or pass --allow-mixed-modes\)/);

    const allowed = await runTenancy(['report', 'diff', file('exact.json'), file('estimate.json'), '--allow-mixed-modes', '--format', 'json'], env());
    const d = ReportDiffSchema.parse(JSON.parse(allowed.stdout));
    expect(d).toMatchObject({ sameMode: false, modes: { a: 'exact', b: 'estimate' }, distributionCompared: false, distribution: [] });
    expect(d.resolved.filter((f) => f.check === 'null-tenant-rows' || f.check === 'orphan-tenant-rows' || f.check === 'cross-tenant-reference')).toEqual([]);
    expect(d.notComparable.map((f) => f.check)).toContain('null-tenant-rows');
    const human = await runTenancy(['report', 'diff', file('exact.json'), file('estimate.json'), '--allow-mixed-modes'], env());
    expect(human.stdout).toContain('warning: modes differ (before exact, after estimate)');
    expect(human.stdout).toContain('Not comparable (the modes differ):');
    expect(human.stdout).toContain('distribution: not compared');

    // The clean twin: two exact reports diff as before, exit 0, no warning.
    const same = await runTenancy(['report', 'diff', file('exact.json'), file('exact-2.json')], env());
    expect(same.code).toBe(0);
    expect(same.stdout).not.toContain('modes differ');
    expect(same.stdout).toMatch(/0 resolved, 0 new, 0 changed/);
  });

  it('writes a self-contained HTML page: no external reference, names escaped', async () => {
    const r = await runTenancy(['report', 'export', '--url', roleUrl(), '--schema', SCHEMA, '--out', file('report.html')], env());
    expect(r.stderr).not.toMatch(/^tenancy:/m);
    const html = fs.readFileSync(file('report.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\s(src|href|xlink:href|srcset|action|poster|background)\s*=/i);
    expect(html).not.toMatch(/url\(|@import|<link|<script|<iframe|<object|<embed|<img/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<svg role="img"');
    expect(html).toContain('Globex &lt;script&gt;');
    expect(html).toContain(`${SCHEMA.replace(/"/g, '&quot;')}.${INVOICES}`);
    expect(html).toMatch(/@media print/);
  });

  it('explains in one line when no Chromium exists for a PDF', async () => {
    const r = await runTenancy(['report', 'export', '--url', roleUrl(), '--schema', SCHEMA, '--out', file('x.pdf')], { ...env(), CHROME_PATH: '/nonexistent/chrome' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('tenancy: CHROME_PATH=/nonexistent/chrome does not exist; point it at a Chrome or Chromium binary');
  });

  const chromium = requireTool(Boolean(findChromium()), 'Chromium', 'apt-get install chromium, or set CHROME_PATH', 'printing a report as a PDF');
  it.skipIf(!chromium)('prints a PDF with Chromium', async () => {
    const r = await runTenancy(['report', 'render', file('after.json'), '--out', file('report.pdf')], env());
    expect(r.stderr).not.toMatch(/^tenancy:/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/report\.pdf \(\d+ pages\)/);
    const pdf = fs.readFileSync(file('report.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });

  const pdftoppm = chromium && requireTool(hasCommand('pdftoppm'), 'pdftoppm', 'apt-get install poppler-utils', 'rendering the report PDF to PNG');
  it.skipIf(!pdftoppm)('page 1 of that PDF renders to PNG', async () => {
    // REPORT_PNG_DIR keeps the PDF and page images for a person to look at.
    const png = process.env.REPORT_PNG_DIR ?? work;
    if (process.env.REPORT_PNG_DIR) fs.copyFileSync(file('report.pdf'), path.join(png, 'report.pdf'));
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '2', file('report.pdf'), path.join(png, 'report-page')]);
    const page1 = fs.readdirSync(png).find((f) => /^report-page-0?1\.png$/.test(f));
    expect(page1).toBeDefined();
    expect(fs.statSync(path.join(png, page1!)).size).toBeGreaterThan(10_000);
  });
});

describe('audit log and reports in the engine', () => {
  it('records exactly the statements a check run sends, chained, with the run id', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-run-'));
    const memory = new MemoryAuditSink();
    const log = new AuditLog({ dir });
    const tee: AuditSink = { record: (e: AuditEntry) => { memory.record(e); log.record(e); } };
    const session = await db.session({ name: 'staging eu' }, { audit: tee, run: 'run-42', operator: 'bo' });
    await session.enableWrite();
    await session.query(`ALTER ROLE ${role} PASSWORD '${PASSWORD}'`);
    const report = await exportReport(session, { run: 'run-42', settings: { schemas: [SCHEMA] }, configDir, auditDir: dir });

    const logged = readAuditEntries({}, dir).map(({ seq: _seq, ...e }) => e);
    expect(logged).toEqual(memory.entries.map((e) => toAuditRecord(e)));
    expect(logged.length).toBeGreaterThan(10);
    expect(logged.every((e) => e.run === 'run-42')).toBe(true);
    expect(logged.find((e) => e.sql.startsWith('ALTER ROLE'))!.sql).toBe(`ALTER ROLE ${role} PASSWORD '[redacted]'`);
    expect(fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('')).not.toContain(PASSWORD);
    expect(verifyAuditLog(dir)).toMatchObject({ ok: true, entries: logged.length });

    // The report carries the run's statements up to the moment it was made, and says so in HTML.
    expect(report.runbook!.run).toBe('run-42');
    expect(report.runbook!.audit.length).toBeGreaterThan(5);
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
    expect(renderReportHtml(report)).toContain('Runbook run run-42');
    expect(verifyReportText(`${canonicalize(report)}\n`, 'r.json').ok).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
