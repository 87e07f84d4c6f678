/**
 * Template 002 (Prisma, CI, strict mode) on its demo scenario: the scoped uniques proposed as a
 * dry-run diff (nothing runs), made by the team's Prisma migration, audited; strict mode proved
 * (no tenant default, NOT NULL, the insert probe). Each planted defect stops the run at its step
 * with a message naming it; the unplanted run is the clean twin.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { startingState } from '../../main/engine/demo/starting-states.js';
import { tempConfigDir } from '../support/cli.js';
import { fakePrograms, startFakeApp, type AppFlaws, type FakeApp, type FakePrograms } from '../support/fake-app.js';
import { dropMadeDatabases, failedStep, pgDumpCanDumpUrl, promisedFindings, rollbackTemplateRun, tableMd5, insertStepBefore, notPassed, queryRows, runTemplateText, scenarioDatabase, templateText } from '../support/template-run.js';

const FILE = '002-prisma-ci-strict.yaml';
const TEXT = templateText(FILE);
let app: FakeApp;
beforeAll(async () => {
  app = await startFakeApp();
});
afterAll(async () => {
  await app?.close();
  await dropMadeDatabases();
});

/** Run (the edited) template 002 against the fake app, with the fake `pnpm` first on PATH. */
async function run002(url: string, text = TEXT, programs: FakePrograms = fakePrograms(), opts: Parameters<typeof runTemplateText>[4] = {}) {
  return runTemplateText(url, FILE, text, undefined, { ...opts, env: { ...app.env, ...programs.env, ...opts.env } });
}

let shared: string | null = null;
/** One database for the runs that stop before anything writes (window, approval, preflight). */
async function sharedDatabase(): Promise<string> {
  shared ??= await scenarioDatabase(demoScenario('prisma')!);
  return shared;
}

describe('template 002 on the Prisma scenario', () => {
  it('runs end to end from CI: the uniques proposed (nothing ran), made by the Prisma migration, strict mode proved', async () => {
    const url = await scenarioDatabase(demoScenario('prisma')!);
    // On production, inside its maintenance window (a Saturday, 03:00 UTC).
    app.flaws = {};
    app.seen.length = 0;
    const programs = fakePrograms();
    const { status, log, runbook, runDir } = await run002(url, TEXT, programs, { environment: 'production', now: new Date('2026-12-05T03:00:00Z') });
    expect(notPassed(status), log.join('\n')).toEqual([]);
    expect(status.complete).toBe(true);
    // The app's config and strict resolution checked from outside; the team's audit and tests ran in its checkout.
    expect(app.seen).toEqual(['GET /api/tenancy/config', 'GET /api/invoices']);
    expect(programs.calls()).toEqual(['run audit:tenant-routes', 'exec vitest run tests/tenancy/resolution', 'exec vitest run tests/tenancy/regression'].map((c) => `${programs.appDir}: ${c}`));
    const ev = (id: string) => status.steps.find((s) => s.id === id)!.evidence!;
    // The proposal names the three unscoped uniques and what would fix them...
    const proposal = ev('unique-proposal');
    expect(proposal.result).toMatch(/^proposed \d+ statement\(s\) for 3 of \d+ table\(s\) \("public"\."ApiKey", "public"\."Invoice", "public"\."User"\); dry run, nothing ran$/);
    expect(proposal.ran.join('\n')).toMatch(/CREATE UNIQUE INDEX CONCURRENTLY .*"ApiKey".*\("tenantId", "key"\)/);
    // ...and nothing it proposed ran: the indexes are the Prisma migration's, by Prisma's names.
    const idx = await queryRows<{ indexname: string }>(url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('User', 'ApiKey', 'Invoice') AND indexdef LIKE 'CREATE UNIQUE%' AND indexname NOT LIKE '%pkey' ORDER BY 1");
    expect(idx.map((i) => i.indexname)).toEqual(['ApiKey_tenantId_key_key', 'Invoice_tenantId_number_key', 'User_tenantId_email_key']);
    expect(ev('strict-mode').refs.probeError).toMatch(/^23502 .*tenantId/);
    // pg_dump off the server for every backed-up table, where this machine's pg_dump can dump the server.
    if (await pgDumpCanDumpUrl(url)) expect(Object.keys(ev('backup').refs).filter((k) => k.startsWith('dump:'))).toHaveLength(3);
    expect(await promisedFindings(url, runbook)).toEqual([]);
    expect(fs.readdirSync(runDir).filter((f) => f.startsWith('report-'))).toHaveLength(1);
    expect(status.steps.find((s) => s.id === 'approval')!.operator).toBe('octo-approver (github-actions run 4242)');
  }, 180_000);

  it('refuses, with one line and before anything is written, a production run outside its maintenance window', async () => {
    const url = await sharedDatabase();
    const runsDir = path.join(tempConfigDir(), 'runs');
    const wednesday = new Date('2026-12-02T03:36:00Z');
    await expect(runTemplateText(url, FILE, TEXT, runsDir, { environment: 'production', now: wednesday })).rejects.toThrow(
      /^outside the maintenance window \(sat 02:00-04:00 UTC\): it is wed 03:36 UTC and the target is production; nothing ran, run it inside the window \(settings\.window\)$/,
    );
    expect(fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []).toEqual([]);
  }, 180_000);

  it('a push-triggered workflow run, or AUTO_RUN_MIGRATIONS set, fails the approval, naming it; nothing after it runs', async () => {
    const url = await sharedDatabase();
    const push = await runTemplateText(url, FILE, TEXT, undefined, { env: { GITHUB_EVENT_NAME: 'push' } });
    expect(failedStep(push.status)).toEqual([{ id: 'approval', error: 'approval: this workflow run was started by push; only workflow_dispatch may run this runbook' }]);
    const auto = await runTemplateText(url, FILE, TEXT, undefined, { env: { AUTO_RUN_MIGRATIONS: '1' } });
    expect(failedStep(auto.status)).toEqual([{ id: 'approval', error: 'approval: AUTO_RUN_MIGRATIONS is set; this runbook runs only with it unset (or "0"), behind a manual approval' }]);
    for (const r of [push, auto]) expect(r.status.steps.filter((s) => s.state === 'passed')).toEqual([]);
  }, 180_000);

  it('a CI run whose target is not the DATABASE_URL secret, or a runbook folder holding a connection password, stops at preflight naming it', async () => {
    const url = await sharedDatabase();
    const unset = await runTemplateText(url, FILE, TEXT, undefined, { env: { DATABASE_URL: undefined } });
    expect(failedStep(unset.status)).toEqual([{ id: 'preflight', error: 'preflight: the target\'s URL must come from DATABASE_URL (the CI secret), which is not set in this job' }]);
    const other = await runTemplateText(url, FILE, TEXT, undefined, { env: { DATABASE_URL: url.replace(/\/[^/?]+(\?|$)/, '/another_db$1') } });
    expect(failedStep(other.status)[0]!.error).toMatch(/^preflight: DATABASE_URL points at .*\/another_db, the run's target is .*\/rb_t_prisma_\d+_\d+: run with --url "\$DATABASE_URL"$/);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-002-folder-'));
    fs.writeFileSync(path.join(folder, FILE), TEXT);
    fs.writeFileSync(path.join(folder, 'run-locally.sh'), '#!/bin/sh\nNETLIFY_DATABASE_URL="postgresql://neondb_owner:npg_s3cr3t@ep-1.eu.aws.neon.tech/app" ./scripts/run-tenant-migrations.sh\n');
    const leaked = await runTemplateText(url, FILE, TEXT, undefined, { runbookFile: path.join(folder, FILE) });
    expect(failedStep(leaked.status)).toEqual([{ id: 'preflight', error: `preflight: 1 connection password(s) in the runbook's files (keep them in the CI secret): ${path.join(folder, 'run-locally.sh')}:2: a connection URL with a password` }]);
    expect(JSON.stringify(leaked.status)).not.toContain('npg_s3cr3t');
  }, 180_000);

  it('the application checked from outside and by the team\'s programs: multi-tenancy off, a default tenant served, a failing route audit or resolution test each stop the run at its step, before the backup', async () => {
    const url = await sharedDatabase();
    const flawed: [string, AppFlaws, string][] = [
      ['multi-tenancy-enabled', { multiTenancyOff: true }, `GET ${app.url}/api/tenancy/config the body does not contain ""multiTenancyEnabled":true"`],
      ['strict-resolution', { defaultTenant: true }, `GET ${app.url}/api/invoices answered 200, expected 400 or 401 or 403 or 404; the body contains "tenant_default", which it must not`],
    ];
    for (const [step, flaws, message] of flawed) {
      app.flaws = flaws;
      const { status } = await run002(url);
      expect(failedStep(status)).toEqual([{ id: step, error: message }]);
    }
    app.flaws = {};
    for (const [step, args] of [['route-audit', 'run audit:tenant-routes'], ['tenant-resolution-tests', 'exec vitest run tests/tenancy/resolution']] as const) {
      const programs = fakePrograms();
      programs.fail(args);
      const { status } = await run002(url, TEXT, programs);
      const failed = failedStep(status);
      expect(failed.map((f) => f.id)).toEqual([step]);
      expect(failed[0]!.error).toMatch(/^the command exited with 1, expected 0 \(after /);
      expect(status.steps.find((s) => s.id === 'backup')!.state).toBe('pending');
    }
  }, 180_000);

  it('the regression tests failing against the migrated schema stop the run at their step, before the final audit and report', async () => {
    const url = await scenarioDatabase(demoScenario('prisma')!);
    app.flaws = {};
    const programs = fakePrograms();
    programs.fail('exec vitest run tests/tenancy/regression');
    const { status, runDir } = await run002(url, TEXT, programs);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['regression-tests']);
    expect(failed[0]!.error).toMatch(/^the command exited with 1, expected 0 \(after /);
    expect(status.steps.find((s) => s.id === 'audit')!.state).toBe('pending');
    expect(fs.readdirSync(runDir).filter((f) => f.startsWith('report-'))).toEqual([]);
  }, 180_000);

  it('its rollback section undoes scope_unique_indexes and restores the keyed tables: every row as before (md5), the migration pending again', async () => {
    const url = await scenarioDatabase(demoScenario('prisma')!);
    const TABLES = ['public."User"', 'public."ApiKey"', 'public."Invoice"'];
    const before = await Promise.all(TABLES.map((t) => tableMd5(url, t)));
    app.flaws = {};
    const run = await run002(url);
    expect(notPassed(run.status), run.log.join('\n')).toEqual([]);
    expect(run.status.steps.find((s) => s.id === 'rls')!.evidence!.counts.statements).toBe(0);
    const back = await rollbackTemplateRun(url, run);
    expect(back.rollback!.steps.filter((s) => s.state !== 'passed').map((s) => `${s.id}: ${s.error}`)).toEqual([]);
    expect(await Promise.all(TABLES.map((t) => tableMd5(url, t)))).toEqual(before);
    const idx = await queryRows<{ indexname: string }>(url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname IN ('User_email_key', 'ApiKey_key_key', 'Invoice_number_key') ORDER BY 1");
    expect(idx.map((i) => i.indexname)).toEqual(['ApiKey_key_key', 'Invoice_number_key', 'User_email_key']);
  }, 180_000);

  it('a unique index left without the tenant stops the run at the unique-index audit, naming it', async () => {
    const url = await scenarioDatabase(demoScenario('prisma')!);
    const planted = insertStepBefore(TEXT, 'unique-audit', `  - id: plant-unscoped
    kind: sql
    title: Planted - a unique index without tenantId
    sql: CREATE UNIQUE INDEX "User_email_id_key" ON "User" (email, id)`);
    app.flaws = {};
    const { status } = await run002(url, planted);
    expect(failedStep(status)).toEqual([{ id: 'unique-audit', error: 'unscoped-unique: public.User (User_email_id_key)' }]);
  }, 180_000);

  it('the default tenant put back on tenantId stops the run at strict mode, naming the column and the default', async () => {
    const url = await scenarioDatabase(demoScenario('prisma')!);
    const planted = insertStepBefore(TEXT, 'strict-mode', `  - id: plant-default
    kind: sql
    title: Planted - the default tenant is back
    sql: ALTER TABLE "ApiKey" ALTER COLUMN "tenantId" SET DEFAULT 'tenant_default'`);
    app.flaws = {};
    const { status } = await run002(url, planted);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['strict-mode']);
    expect(failed[0]!.error).toContain('tenant-column-default: public.ApiKey');
    expect(failed[0]!.error).toContain("the query returned 1 row(s), expected 0: (ApiKey, NO, 'tenant_default'::text)");
    expect(failed[0]!.error).toMatch(/the write probe succeeded \(rolled back\); it must fail with not_null_violation \(23502\) on column tenantId|the probe failed for another reason/);
  }, 180_000);

  it('the wrong target (the Drizzle application) stops after the approval, at preflight', async () => {
    const url = await scenarioDatabase(startingState('000')!);
    const { status } = await runTemplateText(url, FILE, TEXT);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['preflight']);
    expect(failed[0]!.error).toMatch(/expected the application's table public\.Tenant, found no such table in rb_t_drizzle_before_0007_\d+_\d+: wrong database\?/);
  }, 180_000);
});
