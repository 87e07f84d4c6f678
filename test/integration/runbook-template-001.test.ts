/**
 * Template 001 (Supabase organizations) from the team's real starting state (only the initial
 * schema applied): the clean run end to end (Supabase-correct RLS through memberships and auth.uid(),
 * members impersonated still see their own rows), its rollback, partial rollbacks, the production
 * rehearsal rule and the follow-ups. Planted defects: runbook-template-001-defects.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startingState } from '../../main/engine/demo/starting-states.js';
import { tempConfigDir } from '../support/cli.js';
import { FIXED, LOCKOUT, TEXT, asMember, fakeApp, followUp, followUpFailed, partialRollback, plant, run001, sectionStates, useTemplate001World, worldEnv } from '../support/template-001-world.js';
import { failedStep, rollbackTemplateRun, notPassed, promisedFindings, pgDumpCanDumpUrl, queryRows, scenarioDatabase, tableMd5 } from '../support/template-run.js';

useTemplate001World();

describe('template 001 from before 20250904000001', () => {
  it('runs end to end: three migrations, every user a member, RLS through memberships, members see their own rows, nothing left in Personal', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const { status, log, runbook, runDir } = await run001(url, TEXT);
    expect(notPassed(status), log.join('\n')).toEqual([]);
    expect(status.complete).toBe(true);
    const ev = (id: string) => status.steps.find((s) => s.id === id)!.evidence!;
    expect(ev('assess').sample).toEqual([{ total_users: '125', total_reports: '500', total_jobs: '500', total_automations: '250' }]);
    expect([...ev('migrate-schema').ran, ...ev('migrate-rls').ran, ...ev('migrate-data').ran]).toEqual([
      'migration 20250904000001', 'migration 20250904000002', 'migration 20250904000003',
    ]);
    expect(ev('members-see-their-rows').counts.members).toBe(5);
    // Performance criteria: four typical queries timed as a member, the weekly tenant query through the organization index, growth measured.
    expect(ev('typical-queries').sample!.map((r) => r.query)).toHaveLength(4);
    expect(ev('weekly-explain').sample!.map((r) => r.index)).toEqual(['idx_audit_reports_organization_id', 'idx_automation_jobs_organization_id']);
    expect(ev('index-usage').sample!.map((r) => r.indexname)).toHaveLength(3);
    expect(ev('size-growth').counts.bytesAtStart).toBeGreaterThan(0);
    // The application steps reached the fake world: users told twice, the Workers test's output journaled.
    const told = fakeApp().received.filter((r) => r.url === '/hooks/maintenance').map((r) => (JSON.parse(r.body) as { text: string; step: string }));
    expect(told.map((t) => t.step)).toEqual(['notify-start', 'notify-end']);
    expect(told[0]!.text).toMatch(/^ProcessAudit AI maintenance on rb_t_\S+ starts now: organizations are being introduced \(run run_\S+\)$/);
    expect(JSON.stringify(ev('workers-test'))).toContain('All tests passed');
    expect(ev('rehearsed').result).toContain('this run is on staging: it is the rehearsal');
    // pg_dump off the server for every backed-up table, where this machine's pg_dump can dump the server.
    if (await pgDumpCanDumpUrl(url)) expect(Object.keys(ev('backup').refs).filter((k) => k.startsWith('dump:'))).toHaveLength(3);
    expect(await promisedFindings(url, runbook)).toEqual([]);
    expect(fs.readdirSync(runDir).filter((f) => f.startsWith('report-'))).toHaveLength(1);
    // No app.tenant_id policy anywhere: Supabase never sets it.
    const policies = await queryRows<{ tablename: string; qual: string }>(url, "SELECT tablename, coalesce(qual, with_check) AS qual FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2");
    expect(policies.filter((p) => p.qual.includes('current_setting'))).toEqual([]);
    expect(new Set(policies.map((p) => p.tablename))).toEqual(new Set(['audit_reports', 'automation_jobs', 'generated_automations', 'organization_memberships', 'organizations']));
    // Independently of the run: the member owning most reports sees every one of them through PostgREST's settings.
    const [owner] = await queryRows<{ user_id: string; n: string }>(url, 'SELECT user_id, count(*) AS n FROM audit_reports GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1');
    expect(await asMember(url, owner!.user_id, 'SELECT count(*) AS n FROM audit_reports WHERE user_id = $1')).toBe(owner!.n);
  }, 180_000);

  it('its rollback section deletes the organization data and puts every row back as before (md5); users still see their own rows', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const TABLES = ['public.audit_reports', 'public.automation_jobs', 'public.generated_automations'];
    const before = await Promise.all(TABLES.map((t) => tableMd5(url, t)));
    const run = await run001(url, TEXT);
    expect(notPassed(run.status), run.log.join('\n')).toEqual([]);
    const back = await rollbackTemplateRun(url, run, worldEnv());
    expect(back.rollback!.steps.filter((s) => s.state !== 'passed').map((s) => `${s.id}: ${s.error}`)).toEqual([]);
    expect(await Promise.all(TABLES.map((t) => tableMd5(url, t)))).toEqual(before);
    expect(back.rollback!.steps.find((s) => s.id === 'users-see-their-rows')!.evidence!.counts.members).toBe(5);
    const ledger = await queryRows<{ version: string }>(url, 'SELECT version FROM supabase_migrations.schema_migrations');
    expect(ledger.map((r) => r.version)).toEqual(['20250801000000']);
  }, 180_000);

  it('partial rollback rls: RLS off, the broken policy fixed and signed, RLS back on and forced, members see their rows again; the run stays complete', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const run = await run001(url, TEXT);
    expect(notPassed(run.status)).toEqual([]);
    await queryRows(url, LOCKOUT); // after the window: a policy change locks members out
    const owner = (await queryRows<{ user_id: string; n: string }>(url, 'SELECT user_id, count(*) AS n FROM audit_reports GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1'))[0]!;
    expect(await asMember(url, owner.user_id, 'SELECT count(*) FROM audit_reports WHERE user_id = $1')).toBe('0');
    const held = await partialRollback(url, run, 'rls', false);
    expect(sectionStates(held, 'rls')).toEqual(['rls-disable passed', 'rls-fixed pending', 'rls-enable pending', 'rls-back pending', 'rls-members-see-their-rows pending']);
    expect(await queryRows(url, "SELECT relname FROM pg_class WHERE relname IN ('audit_reports', 'automation_jobs', 'generated_automations') AND relrowsecurity ORDER BY 1")).toEqual([]);
    await queryRows(url, FIXED);
    const done = await partialRollback(url, run, 'rls', true);
    expect(sectionStates(done, 'rls').filter((x) => !x.endsWith(' passed'))).toEqual([]);
    expect(done.partialRollbacks!.rls!.complete).toBe(true);
    expect(done.complete).toBe(true);
    expect(await asMember(url, owner.user_id, 'SELECT count(*) FROM audit_reports WHERE user_id = $1')).toBe(owner.n);
    const rls = await queryRows<{ relname: string }>(url, "SELECT relname FROM pg_class WHERE relname IN ('audit_reports', 'automation_jobs', 'generated_automations') AND relrowsecurity AND relforcerowsecurity ORDER BY 1");
    expect(rls.map((r) => r.relname)).toEqual(['audit_reports', 'automation_jobs', 'generated_automations']);
  }, 180_000);

  it('partial rollback rls signed without the fix: RLS is re-enabled and the section stops at the member check, naming the locked-out member', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const run = await run001(url, TEXT);
    await queryRows(url, LOCKOUT);
    const done = await partialRollback(url, run, 'rls', true);
    const failed = done.partialRollbacks!.rls!.steps.filter((x) => x.state === 'failed');
    expect(failed.map((x) => x.id)).toEqual(['rls-members-see-their-rows']);
    expect(failed[0]!.error).toMatch(/^member [0-9a-f-]{36} as authenticated sees \(audit_reports, 0\), .*: a policy locks the member out of their own rows/);
  }, 180_000);

  it('partial rollback indexes: the non-critical indexes dropped, held until off-peak is signed, then added back and checked', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const run = await run001(url, TEXT);
    const orgIndexes = async () => (await queryRows<{ indexname: string }>(url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'idx_%organization_id' ORDER BY 1")).map((r) => r.indexname);
    const held = await partialRollback(url, run, 'indexes', false);
    expect(sectionStates(held, 'indexes')).toEqual(['indexes-drop passed', 'indexes-off-peak pending', 'indexes-add-back pending', 'indexes-back pending']);
    expect(await orgIndexes()).toEqual(['idx_audit_reports_organization_id']);
    const done = await partialRollback(url, run, 'indexes', true);
    expect(done.partialRollbacks!.indexes!.complete).toBe(true);
    expect(await orgIndexes()).toEqual(['idx_audit_reports_organization_id', 'idx_automation_jobs_organization_id', 'idx_generated_automations_organization_id']);
  }, 180_000);

  it('partial rollback indexes where a same-named index on another column exists: IF NOT EXISTS skips it and the check names the table', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const run = await run001(url, TEXT);
    await partialRollback(url, run, 'indexes', false);
    await queryRows(url, 'CREATE INDEX idx_automation_jobs_organization_id ON public.automation_jobs (created_at)');
    const done = await partialRollback(url, run, 'indexes', true);
    const failed = done.partialRollbacks!.indexes!.steps.filter((x) => x.state === 'failed');
    expect(failed.map((x) => ({ id: x.id, error: x.error }))).toEqual([{ id: 'indexes-back', error: 'the query returned 1 row(s), expected 0: (automation_jobs)' }]);
  }, 180_000);
  it('on production without a completed staging run the run stops at the rehearsal step; after one on staging it passes it', async () => {
    const runsDir = path.join(tempConfigDir(), 'runs');
    const prod = await scenarioDatabase(startingState('001')!);
    const refused = await run001(prod, TEXT, { runsDir, environment: 'production' });
    expect(failedStep(refused.status).map((f) => f.id)).toEqual(['rehearsed']);
    expect(failedStep(refused.status)[0]!.error).toMatch(/no completed run on staging/);
    const staging = await scenarioDatabase(startingState('001')!);
    expect(notPassed((await run001(staging, TEXT, { runsDir })).status)).toEqual([]);
    const prod2 = await scenarioDatabase(startingState('001')!);
    const ran = await run001(prod2, TEXT, { runsDir, environment: 'production' });
    expect(notPassed(ran.status)).toEqual([]);
    expect(ran.status.steps.find((x) => x.id === 'rehearsed')!.evidence!.result).toMatch(/staging/);
  }, 300_000);

  it('follow-ups: refused before they are due; day 1 stops at each planted problem in turn (health, a locked-out member, the Workers test, a stuck job, the connection limit) and passes once fixed; week 1 and month 1 run to their sign-offs', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const run = await run001(url, TEXT);
    expect(notPassed(run.status)).toEqual([]);
    expect(run.status.followUps!['day-1']).toMatchObject({ afterDays: 1, due: false, complete: false });
    expect(Date.parse(run.status.followUps!['day-1']!.dueAt!)).toBeGreaterThan(Date.now());
    await expect(followUp(url, run, 'day-1', 0)).rejects.toThrow(/^follow-up day-1 of run \S+ is due at \S+ \(1 day\(s\) after the run completed\); run it then$/);
    await expect(followUp(url, run, 'week-1', 2)).rejects.toThrow(/is due at .*\(7 day\(s\) after the run completed\)/);

    plant({ degraded: true });
    expect(followUpFailed(await followUp(url, run, 'day-1', 1.5), 'day-1')).toEqual([expect.stringMatching(/^day1-health: .*does not contain "\\"status\\":\\"ok\\""|^day1-health: .*status/)]);
    plant({});
    await queryRows(url, LOCKOUT);
    expect(followUpFailed(await followUp(url, run, 'day-1', 1.5), 'day-1')).toEqual([expect.stringMatching(/^day1-members-see-their-rows: member [0-9a-f-]{36} as authenticated sees \(audit_reports, 0\)/)]);
    await queryRows(url, FIXED);
    plant({ workersTestFails: true });
    expect(followUpFailed(await followUp(url, run, 'day-1', 1.5), 'day-1')).toEqual([expect.stringMatching(/^day1-workers-test: the command exited with 1, expected 0/)]);
    plant({});
    await queryRows(url, "INSERT INTO public.automation_jobs (id, user_id, organization_id, status, created_at) SELECT '0000000c-0000-4000-8000-00000000000c', user_id, organization_id, 'queued', now() - interval '3 hours' FROM public.audit_reports LIMIT 1");
    expect(followUpFailed(await followUp(url, run, 'day-1', 1.5), 'day-1')).toEqual([expect.stringMatching(/^day1-jobs-processed: the query returned 1 row\(s\), expected 0: \(0000000c-0000-4000-8000-00000000000c, /)]);
    await queryRows(url, "UPDATE public.automation_jobs SET status = 'done' WHERE id = '0000000c-0000-4000-8000-00000000000c'");
    const database = new URL(url).pathname.slice(1);
    await queryRows(url, `ALTER DATABASE ${pg.escapeIdentifier(database)} CONNECTION LIMIT 3`);
    const pool = await Promise.all([1, 2].map(async () => {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => undefined); // dropped with the database if an expectation below fails
      await c.connect();
      return c;
    }));
    expect(followUpFailed(await followUp(url, run, 'day-1', 1.5), 'day-1')).toEqual([expect.stringMatching(/^day1-connections: the query returned 1 row\(s\), expected 0: connections in use: [3-9] of 3$/)]);
    await Promise.all(pool.map((c) => c.end()));
    await queryRows(url, `ALTER DATABASE ${pg.escapeIdentifier(database)} CONNECTION LIMIT -1`);
    const day1 = await followUp(url, run, 'day-1', 1.5);
    expect(day1.followUps!['day-1']!.complete, JSON.stringify(followUpFailed(day1, 'day-1'))).toBe(true);

    const week1 = await followUp(url, run, 'week-1', 8, false);
    expect(week1.followUps!['week-1']!.steps.map((x) => `${x.id} ${x.state}`)).toEqual(['week1-typical-queries passed', 'week1-index-usage passed', 'week1-review pending']);
    expect((await followUp(url, run, 'week-1', 8)).followUps!['week-1']!.complete).toBe(true);
    const month1 = await followUp(url, run, 'month-1', 31);
    expect(month1.followUps!['month-1']!.complete).toBe(true);
    expect(month1.followUps!['month-1']!.steps[0]!.evidence!.sample).toEqual([{ organizations: '1', with_several_members: '1', reports: '500' }]);
  }, 300_000);

  it('a slow typical query a week later stops the week-1 follow-up, naming the query', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const run = await run001(url, TEXT);
    await queryRows(url, `CREATE OR REPLACE FUNCTION public.user_organization_ids() RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
      $fn$ SELECT organization_id FROM public.organization_memberships, pg_sleep(0.6) WHERE user_id = auth.uid() AND status = 'active' $fn$`);
    expect(followUpFailed(await followUp(url, run, 'week-1', 8), 'week-1')).toEqual([expect.stringMatching(/^week1-typical-queries: query "a member lists their reports" took \d+(\.\d)? ms, over 500 ms/)]);
  }, 180_000);

  it('partial rollback workers: the previous Workers redeployed and their database test passes; a failing previous deploy stops it there', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const run = await run001(url, TEXT);
    plant({ failing: ['npm run deploy'] });
    const refused = await partialRollback(url, run, 'workers', true);
    expect(refused.partialRollbacks!.workers!.steps.filter((x) => x.state === 'failed').map((x) => `${x.id}: ${x.error}`)).toEqual([expect.stringMatching(/^workers-back: the command exited with 1, expected 0/)]);
    plant({});
    const back = await partialRollback(url, run, 'workers', true);
    expect(back.partialRollbacks!.workers!.complete).toBe(true);
    expect(JSON.stringify(back.partialRollbacks!.workers!.steps[1]!.evidence)).toContain('All tests passed');
  }, 180_000);
});
