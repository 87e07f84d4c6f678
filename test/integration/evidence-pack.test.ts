/**
 * The evidence pack through the CLI: a report exported on its own packs with the audit excerpt of
 * its export; a report a runbook check step wrote packs with the run's journal (signed heads) and
 * every statement audited for the run. pack-verify passes both, and names the part when a record,
 * the report or the manifest is changed after packing (exit 1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidencePack } from '../../main/engine/report/pack.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let config: string;
const env = () => ({ TENANCY_CONFIG_DIR: config });

beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE organizations (id bigint PRIMARY KEY, name text NOT NULL);
    INSERT INTO organizations VALUES (1, 'Acme');
    CREATE TABLE tasks (id bigint PRIMARY KEY, org_id bigint NOT NULL REFERENCES organizations(id));
    INSERT INTO tasks VALUES (1, 1);
  `);
  config = tempConfigDir();
}, 120_000);

afterAll(async () => {
  await db?.drop();
  cleanCli();
  fs.rmSync(config, { recursive: true, force: true });
});

const readPack = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as EvidencePack;

describe('report pack', () => {
  it('packs a report with the audit excerpt of its export, signed part by part', async () => {
    const file = path.join(config, 'alone.json');
    const exp = await runTenancy(['report', 'export', '--url', db.url, '--estimate', '--out', file], env());
    expect(exp.stderr).not.toMatch(/^tenancy:/m);
    const r = await runTenancy(['report', 'pack', file], env());
    expect(r.stderr).not.toMatch(/^tenancy:/m);
    const out = path.join(config, 'alone.evidence.json');
    expect(r.stdout).toContain(`wrote ${out}: report, audit;`);
    const pack = readPack(out);
    expect(pack.parts.journal).toBeNull();
    expect(pack.parts.audit.content.records.length).toBeGreaterThan(0);
    // From the export's connect (its fingerprint query) on: the catalog reads that made the report.
    expect(pack.parts.audit.content.records[0]!.sql).toContain("current_setting('server_version')");
    expect(pack.parts.audit.content.records.some((x) => /pg_catalog\.pg_class|pg_class/.test(x.sql))).toBe(true);
    const v = await runTenancy(['report', 'pack-verify', out], env());
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('intact, every part signed');
  });

  it('packs the report a runbook check step wrote with the run journal and the run\'s audited statements', async () => {
    const runbook = path.join(config, 'verify.yaml');
    fs.writeFileSync(runbook, 'version: 1\ntitle: Verify\nsteps:\n  - id: verify\n    kind: check\n    title: No NULL tenants\n    expect: { no: [null-tenant-rows] }\n    report: true\n');
    const run = await runTenancy(['runbook', 'run', runbook, '--url', db.url, '--write'], env());
    expect(run.stderr).not.toMatch(/^tenancy:/m);
    const runs = fs.readdirSync(path.join(config, 'runs'));
    expect(runs).toHaveLength(1);
    const report = path.join(config, 'runs', runs[0]!, 'report-verify.json');
    const out = path.join(config, 'run.evidence.json');
    const r = await runTenancy(['report', 'pack', report, '--out', out], env());
    expect(r.stdout).toContain(`wrote ${out}: report, audit, journal;`);
    const pack = readPack(out);
    expect(pack.parts.journal!.content.run).toBe(runs[0]);
    expect(pack.parts.journal!.content.heads.length).toBeGreaterThan(0);
    expect(pack.parts.journal!.content.lines.map((l) => (l as { event: { type: string } }).event.type)).toContain('run-started');
    expect(pack.parts.audit.content.selection).toBe(`every statement audited for run ${runs[0]}`);
    expect(pack.parts.audit.content.records.every((x) => x.run === runs[0])).toBe(true);
    expect((await runTenancy(['report', 'pack-verify', out], env())).code).toBe(0);
  });

  it.each([
    ['an audited statement', (p: EvidencePack) => { p.parts.audit.content.records[0]!.sql = 'SELECT 1'; }, 'audit: its content does not match its sha256'],
    ['the report\'s verdict', (p: EvidencePack) => { p.parts.report.content.summary.verdict = 'pass'; p.parts.report.content.summary.findings = 0; }, 'report: its content does not match'],
    ['the manifest', (p: EvidencePack) => { p.manifest.parts.audit = '0'.repeat(64); }, 'audit: not the part the manifest lists'],
  ])('names the part when %s is changed after packing', async (_what, tamper, problem) => {
    const src = path.join(config, 'alone.evidence.json');
    const pack = readPack(src);
    tamper(pack);
    const bad = path.join(config, 'tampered.evidence.json');
    fs.writeFileSync(bad, JSON.stringify(pack));
    const v = await runTenancy(['report', 'pack-verify', bad], env());
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(problem);
  });
});
