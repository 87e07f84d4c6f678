import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../main/engine/audit/log.js';
import { loadScenario, type DemoDatabase } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { sqlFile } from '../../main/engine/paths.js';
import { diffReports } from '../../main/engine/report/diff.js';
import { exportReport } from '../../main/engine/report/export.js';
import { renderReportHtml } from '../../main/engine/report/html.js';
import { findChromium, renderPdf } from '../../main/engine/report/pdf.js';
import { reportFileText } from '../../main/engine/report/sign.js';
import { verifyReportText } from '../../main/engine/report/verify.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { adminUrl } from '../support/db.js';
import { hasCommand, requireTool } from '../support/tools.js';

const scenario = demoScenario('drizzle')!;
const canPrint = requireTool(Boolean(findChromium()), 'Chromium', 'apt-get install chromium, or set CHROME_PATH', 'printing the demo report as a PDF')
  && requireTool(hasCommand('pdftoppm'), 'pdftoppm', 'apt-get install poppler-utils', 'rendering the demo report PDF to PNG');
const BACKFILL = 'UPDATE public.lessons AS l SET organization_id = s.organization_id FROM public.students AS s WHERE s.id = l.student_id AND l.organization_id IS NULL';
let demo: DemoDatabase;
let work: string;
let session: Session;

beforeAll(async () => {
  demo = await loadScenario(adminUrl(), scenario, 400, { database: `demo_report_${crypto.randomBytes(4).toString('hex')}` });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-demo-report-'));
  const { profile, urlPassword } = profileFromUrl(demo.url, { name: 'demo drizzle', environment: 'staging', tenancy: scenario.settings.tenancy });
  session = await Session.open(profile, { password: urlPassword, audit: new AuditLog({ dir: path.join(work, 'audit') }), run: 'demo-run-1', operator: 'dba on call' });
});
afterAll(async () => {
  await session?.close();
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(demo.database)} WITH (FORCE)`);
  await c.end();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('report of the drizzle demo, before and after its runbook', () => {
  it('shows the findings the runbook resolved and its statements', async () => {
    const opts = { configDir: work, auditDir: path.join(work, 'audit') };
    const before = await exportReport(session, opts);
    expect(before.summary.verdict).toBe('fail');
    const lessonsNull = before.checks.findings.find((f) => f.check === 'null-tenant-rows' && f.table === 'lessons');
    expect(lessonsNull?.count).toBeGreaterThan(0);

    // The runbook's remaining steps: backfill the NULL lessons from their student's organization
    // (a constant bootstrap org would file them under the wrong tenant), then migration 0008.
    await session.enableWrite();
    await session.query(BACKFILL);
    await session.query(sqlFile('demo/drizzle/0008_remove_bootstrap_org_defaults.sql'));
    await session.disableWrite();

    const after = await exportReport(session, { ...opts, run: 'demo-run-1' });
    const diff = diffReports(before, after);
    expect(diff.added).toEqual([]);
    expect(diff.resolved).toContainEqual(expect.objectContaining({ check: 'null-tenant-rows', key: 'null-tenant-rows public.lessons (organization_id)', count: lessonsNull!.count }));
    expect(diff.resolved.filter((f) => f.check === 'tenant-column-default').map((f) => f.key).sort()).toEqual(
      ['app_settings', 'global_absences', 'lessons', 'resources', 'students'].map((t) => `tenant-column-default public.${t} (organization_id)`),
    );
    expect(diff.distribution).toContainEqual(expect.objectContaining({ table: 'lessons', bucket: 'no-tenant', before: lessonsNull!.count, after: 0 }));
    // Still open after the runbook: the unscoped uniques and RLS.
    expect(after.checks.findings.some((f) => f.check === 'unscoped-unique' && f.table === 'app_settings')).toBe(true);
    expect(after.runbook!.audit.map((e) => e.sql)).toContain(BACKFILL);
    expect(verifyReportText(reportFileText(after), 'after.json').ok).toBe(true);

    const html = renderReportHtml(after);
    const out = process.env.REPORT_PNG_DIR ?? work;
    fs.writeFileSync(path.join(out, 'demo-report.html'), html);
    fs.writeFileSync(path.join(out, 'demo-before.json'), reportFileText(before));
    fs.writeFileSync(path.join(out, 'demo-after.json'), reportFileText(after));
  });

  it.skipIf(!canPrint)('prints the demo report as a PDF whose pages render to PNG', async () => {
    const out = process.env.REPORT_PNG_DIR ?? work;
    const html = fs.readFileSync(path.join(out, 'demo-report.html'), 'utf8');
    const { pages, blockedRequests } = await renderPdf(html, path.join(out, 'demo-report.pdf'));
    expect(blockedRequests).toEqual([]);
    expect(pages).toBeGreaterThanOrEqual(3);
    execFileSync('pdftoppm', ['-png', '-r', '80', path.join(out, 'demo-report.pdf'), path.join(out, 'demo-page')]);
    expect(fs.readdirSync(out).filter((f) => /^demo-page-\d+\.png$/.test(f)).length).toBe(pages);
  });
});
