/**
 * Template 000 (Drizzle two-phase) from the team's real starting state (before 0007), and from the
 * demo's half-way state; each defect the runbook exists to catch stops the run at its step with a
 * message naming it, and the unplanted run is the clean twin.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { startingState } from '../../main/engine/demo/starting-states.js';
import { verifySignedJournal } from '../../main/engine/runbook/head.js';
import { verifyJournalFile } from '../../main/engine/runbook/journal.js';
import { fakePrograms, startFakeApp, type AppFlaws, type FakeApp, type FakePrograms } from '../support/fake-app.js';
import { dropMadeDatabases, failedStep, pgDumpCanDumpUrl, promisedFindings, rollbackTemplateRun, tableMd5, insertStepBefore, notPassed, queryRows, runTemplateText, scenarioDatabase, templateText } from '../support/template-run.js';

const FILE = '000-drizzle-two-phase.yaml';
const TEXT = templateText(FILE);
const ROOT = path.resolve(import.meta.dirname, '../..');
let app: FakeApp;
beforeAll(async () => {
  app = await startFakeApp();
});
afterAll(async () => {
  await app?.close();
  await dropMadeDatabases();
});

/** Run (the edited) template 000 against the fake app, with the fake `pnpm` first on PATH. */
async function run000(url: string, text = TEXT, programs: FakePrograms = fakePrograms()) {
  return runTemplateText(url, FILE, text, undefined, { env: { ...app.env, ...programs.env } });
}

describe('template 000 from before 0007', () => {
  it('runs end to end: 0007 applied and verified, 0008, NOT NULL, the probe and the verification queries; the data lands in the bootstrap organization', async () => {
    const url = await scenarioDatabase(startingState('000')!);
    const before = await queryRows<{ n: string }>(url, "SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'organization_id' AND table_name = 'students'");
    expect(Number(before[0]!.n)).toBe(0);
    app.flaws = {};
    const programs = fakePrograms();
    const { status, runDir, log, runbook } = await run000(url, TEXT, programs);
    expect(notPassed(status), log.join('\n')).toEqual([]);
    expect(status.complete).toBe(true);
    // The deploy was checked from outside, and the team's smoke tests ran before and after 0008, in its checkout.
    expect(app.seen).toEqual(expect.arrayContaining(['GET /sign-in', 'GET /org/select', 'GET /students', 'GET /api/students/stu-b-canary', 'PATCH /api/students/stu-b-canary']));
    expect(programs.calls()).toEqual([
      `${programs.appDir}: test:tenancy`, `${programs.appDir}: exec playwright test auth-gate`,
      `${programs.appDir}: test:tenancy`, `${programs.appDir}: exec playwright test auth-gate`,
    ]);
    const ev = (id: string) => status.steps.find((s) => s.id === id)!.evidence!;
    expect(ev('migrate-0007').ran).toEqual(['migration 0007_tenant_organizations']);
    // pg_dump off the server for every backed-up table, where this machine's pg_dump can dump the server.
    if (await pgDumpCanDumpUrl(url)) expect(Object.keys(ev('backup').refs).filter((k) => k.startsWith('dump:'))).toHaveLength(5);
    expect(ev('migrate-0008').ran).toEqual(['migration 0008_remove_bootstrap_org_defaults']);
    expect(ev('backfill-lessons').counts).toMatchObject({ rowsDone: 0, nullsLeft: 0 });
    expect(ev('inserts-must-fail').refs.probeError).toMatch(/^23502 .*organization_id/);
    // Every row is in the bootstrap organization; organization_id is NOT NULL without a default; the uniques are scoped.
    const rows = await queryRows<{ t: string; total: string; boot: string }>(url, `
      SELECT 'students' AS t, count(*) AS total, count(*) FILTER (WHERE organization_id = 'org_bootstrap') AS boot FROM students
      UNION ALL SELECT 'lessons', count(*), count(*) FILTER (WHERE organization_id = 'org_bootstrap') FROM lessons
      UNION ALL SELECT 'app_settings', count(*), count(*) FILTER (WHERE organization_id = 'org_bootstrap') FROM app_settings`);
    for (const r of rows) expect([r.t, Number(r.boot)]).toEqual([r.t, Number(r.total)]);
    expect(Number(rows[0]!.total)).toBe(500);
    const cols = await queryRows<{ table_name: string; is_nullable: string; column_default: string | null }>(url, "SELECT table_name, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'organization_id' AND table_name IN ('students','resources','lessons','app_settings','global_absences') ORDER BY 1");
    expect(cols).toEqual(['app_settings', 'global_absences', 'lessons', 'resources', 'students'].map((t) => ({ table_name: t, is_nullable: 'NO', column_default: null })));
    const uniques = await queryRows<{ def: string }>(url, "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid IN ('public.app_settings'::regclass, 'public.global_absences'::regclass) AND contype = 'u' ORDER BY 1");
    expect(uniques.map((u) => u.def)).toEqual(['UNIQUE (organization_id, date)', 'UNIQUE (organization_id, key)']);
    expect(verifyJournalFile(path.join(runDir, 'journal.jsonl'))).toMatchObject({ ok: true, brokenAt: null });
    expect(await promisedFindings(url, runbook)).toEqual([]);
    expect(fs.readdirSync(runDir).filter((f) => f.startsWith('report-'))).toHaveLength(1);
    expect(verifySignedJournal(runDir, { run: status.run })).toMatchObject({ ok: true, brokenAt: null });
  }, 180_000);

  it('its rollback section puts the database back as it was before 0007: every row as before (md5), the original uniques, 0007 and 0008 pending', async () => {
    const url = await scenarioDatabase(startingState('000')!);
    const TABLES = ['students', 'resources', 'lessons', 'app_settings', 'global_absences'];
    const before = await Promise.all(TABLES.map((t) => tableMd5(url, `public.${t}`)));
    app.flaws = {};
    const programs = fakePrograms();
    const run = await run000(url, TEXT, programs);
    expect(notPassed(run.status), run.log.join('\n')).toEqual([]);
    // The previous build's tests fail against the rolled-back database: the rollback stops there, the app is not rolled back.
    programs.fail('test');
    const held = await rollbackTemplateRun(url, run, { ...app.env, ...programs.env });
    const failedBack = held.rollback!.steps.filter((s) => s.state === 'failed');
    expect(failedBack.map((s) => s.id)).toEqual(['previous-build-compatible']);
    expect(failedBack[0]!.error).toMatch(/^the command exited with 1, expected 0 \(after /);
    expect(held.rollback!.steps.find((s) => s.id === 'app-back')!.state).toBe('pending');
    // Fixed (the previous build made compatible), the rollback continues from there.
    const fixed = fakePrograms();
    const back = await rollbackTemplateRun(url, run, { ...app.env, ...fixed.env });
    expect(fixed.calls()).toEqual([`${path.join(fixed.appDir, 'previous')}: test`]);
    expect(back.rollback!.steps.filter((s) => s.state !== 'passed').map((s) => `${s.id}: ${s.error}`)).toEqual([]);
    expect(back.rollback!.complete).toBe(true);
    expect(await Promise.all(TABLES.map((t) => tableMd5(url, `public.${t}`)))).toEqual(before);
    const ledger = await queryRows<{ n: string }>(url, 'SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
    expect(Number(ledger[0]!.n)).toBe(7);
    const restored = back.rollback!.steps.find((s) => s.id === 'restore-lessons')!.evidence!;
    expect(restored.result).toMatch(/^restored: 0 row\(s\) put back .*checksum verified \(backup side: (recorded|intact)\)$/);
    expect(verifySignedJournal(run.runDir, { run: run.status.run })).toMatchObject({ ok: true, brokenAt: null });
  }, 180_000);

  it('runs end to end from the demo\'s half-way state too: 0007 skipped as applied, the NULL lessons repaired from their students', async () => {
    const url = await scenarioDatabase(demoScenario('drizzle')!);
    const nulls = await queryRows<{ n: string }>(url, 'SELECT count(*) AS n FROM lessons WHERE organization_id IS NULL');
    expect(Number(nulls[0]!.n)).toBeGreaterThan(0);
    app.flaws = {};
    const { status, log } = await run000(url);
    expect(notPassed(status), log.join('\n')).toEqual([]);
    const ev = (id: string) => status.steps.find((s) => s.id === id)!.evidence!;
    expect(ev('migrate-0007').ran).toEqual([]);
    expect(ev('backfill-lessons').counts.rowsDone).toBe(Number(nulls[0]!.n));
  }, 180_000);

  it('a worktree whose journal lacks 0008 stops at preflight, naming 0008, before anything writes', async () => {
    const url = await scenarioDatabase(startingState('000')!);
    const worktree = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-old-worktree-'));
    fs.cpSync(path.join(ROOT, 'sql/demo/drizzle'), worktree, { recursive: true });
    const journalFile = path.join(worktree, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag !== '0008_remove_bootstrap_org_defaults');
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    const oldWorktree = TEXT.replaceAll('dir: sql/demo/drizzle', `dir: ${JSON.stringify(worktree)}`);
    expect(oldWorktree, 'the template names its folder as dir: sql/demo/drizzle').not.toBe(TEXT);
    const { status } = await run000(url, oldWorktree);
    expect(failedStep(status).map((f) => f.id)).toEqual(['preflight']);
    expect(failedStep(status)[0]!.error).toBe(`preflight: 0008_remove_bootstrap_org_defaults.sql is not in meta/_journal.json: drizzle-orm will never run it (regenerate the journal with drizzle-kit); step migrate-0008 applies 0008_remove_bootstrap_org_defaults, which ${worktree} does not have (old worktree? pull it first)`);
    expect(status.steps.filter((s) => s.state === 'passed')).toEqual([]);
    const cols = await queryRows(url, "SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'organization_id' AND table_name = 'students'");
    const backups = await queryRows(url, "SELECT 1 FROM pg_namespace WHERE nspname = 'tenancy_backups'");
    expect([cols.length, backups.length]).toEqual([0, 0]);
  }, 180_000);

  it('a row written without organization_id between 0007 and 0008 stops the run before 0008, naming the table', async () => {
    const url = await scenarioDatabase(startingState('000')!);
    const planted = insertStepBefore(TEXT, 'before-0008', `  - id: plant-null-lesson
    kind: sql
    title: Planted - a write path that ignores the active organization
    sql: INSERT INTO lessons (student_id, resource_id, starts_at, duration_minutes, organization_id) VALUES (1, 1, now(), 30, NULL)`);
    app.flaws = {};
    const { status } = await run000(url, planted);
    expect(failedStep(status)).toEqual([{ id: 'before-0008', error: 'null-tenant-rows: public.lessons' }]);
    expect(status.steps.find((s) => s.id === 'migrate-0008')!.state).toBe('pending');
    const ledger = await queryRows(url, 'SELECT 1 FROM drizzle.__drizzle_migrations WHERE created_at = 1741021200000');
    expect(ledger).toEqual([]);
  }, 180_000);

  it('organization_id left nullable (the NOT NULL step dropped) stops at the column hardening query; with that check gone too, the insert probe names organization_id', async () => {
    const url = await scenarioDatabase(startingState('000')!);
    const nullable = TEXT.replace('steps: [not-null, unique]', 'steps: [unique]');
    app.flaws = {};
    const first = await run000(url, nullable);
    expect(failedStep(first.status)).toEqual([{ id: 'inserts-must-fail', error: 'the write probe succeeded (rolled back); it must fail with not_null_violation (23502) on column organization_id' }]);
    const url2 = await scenarioDatabase(startingState('000')!);
    const noProbe = nullable.replace(/ {2}- id: inserts-must-fail\n[\s\S]*?(?= {2}- id: migration-state)/, '');
    const second = await run000(url2, noProbe);
    expect(failedStep(second.status)).toEqual([{ id: 'column-hardening', error: 'the query returned 5 row(s), expected 0: (app_settings, YES, NULL), (global_absences, YES, NULL), (lessons, YES, NULL) and 2 more' }]);
  }, 180_000);

  it('the deploy checked from outside: a /sign-in 404, an /org/select 500, an open tenant route, a read or a write across organizations each stop the run at its step, before 0007', async () => {
    const url = await scenarioDatabase(startingState('000')!);
    const cases: [string, AppFlaws, string][] = [
      ['sign-in-served', { signIn: 404 }, `GET ${app.url}/sign-in answered 404, expected 200`],
      ['org-select-served', { orgSelect: 500 }, `GET ${app.url}/org/select answered 500, expected 200`],
      ['route-guard', { openRoutes: true }, `GET ${app.url}/students answered 200, expected a redirect to /sign-in`],
      ['reads-scoped', { leakReads: true }, `GET ${app.url}/api/students/stu-b-canary answered 200, expected 403 or 404`],
      ['writes-check-ownership', { leakWrites: true }, `PATCH ${app.url}/api/students/stu-b-canary answered 200, expected 403 or 404`],
    ];
    for (const [step, flaws, message] of cases) {
      app.flaws = flaws;
      const { status } = await run000(url);
      expect(failedStep(status)).toEqual([{ id: step, error: message }]);
      expect(status.steps.find((s) => s.id === 'migrate-0007')!.state).toBe('pending');
    }
    app.flaws = {};
    const cols = await queryRows(url, "SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'organization_id' AND table_name = 'students'");
    expect(cols).toEqual([]);
  }, 240_000);

  it('the team\'s smoke tests failing stop the run at their step: pnpm test:tenancy or the auth-gate test after 0007 (0008 not applied), and either after 0008', async () => {
    const cases: [string, string, number][] = [
      ['smoke', 'test:tenancy', 1],
      ['smoke-auth-gate', 'exec playwright test auth-gate', 1],
      ['smoke-after-0008', 'test:tenancy', 2],
      ['auth-gate-after-0008', 'exec playwright test auth-gate', 2],
    ];
    app.flaws = {};
    for (const [step, args, from] of cases) {
      const url = await scenarioDatabase(startingState('000')!);
      const programs = fakePrograms();
      programs.fail(args, from);
      const { status } = await run000(url, TEXT, programs);
      const failed = failedStep(status);
      expect(failed.map((f) => f.id), JSON.stringify(failed)).toEqual([step]);
      expect(failed[0]!.error).toMatch(/^the command exited with 1, expected 0 \(after /);
      const ledger = await queryRows(url, 'SELECT 1 FROM drizzle.__drizzle_migrations WHERE created_at = 1741021200000');
      expect([step, ledger.length]).toEqual([step, from === 1 ? 0 : 1]);
    }
  }, 300_000);

  it('the wrong target (another application\'s database) stops at preflight naming the missing application table', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const { status } = await run000(url);
    expect(failedStep(status)).toHaveLength(1);
    expect(failedStep(status)[0]!.id).toBe('preflight');
    expect(failedStep(status)[0]!.error).toMatch(/expected the application's table public\.students, found no such table in rb_t_supabase_before_0001_\d+_\d+: wrong database\?/);
  }, 180_000);
});
