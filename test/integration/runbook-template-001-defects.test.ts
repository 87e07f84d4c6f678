/**
 * Template 001 (Supabase organizations) with planted defects: each application item made false in
 * the fake world and each planted database defect stops the run at its step with a message naming
 * it; the two-organization run is the clean twin. The clean run end to end: runbook-template-001.test.ts.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { startingState } from '../../main/engine/demo/starting-states.js';
import { TEXT, plant, run001, untilTrue, useTemplate001World, type Flaws } from '../support/template-001-world.js';
import { failedStep, insertStepBefore, notPassed, scenarioDatabase } from '../support/template-run.js';

useTemplate001World();

describe('template 001 from before 20250904000001, planted defects', () => {
  // Each application item the template automates, made false in the fake world: the run stops at its step, naming it.
  it.each<[string, Flaws, string, RegExp]>([
    ['the Supabase project does not answer', { supabaseDown: true }, 'supabase-access', /answered 401, expected 200/],
    ['the service role key is refused', { serviceKeyRefused: true }, 'service-key', /answered 401, expected 200/],
    ['the frontend is the previous deploy', { oldFrontend: true }, 'frontend-deployed', /answered 404, expected 200/],
    ['the API is the previous deploy', { oldApi: true }, 'api-routes', /answered 404, expected 401/],
    ['the app does not type-check', { failing: ['npm run typecheck'] }, 'types', /^the command exited with 1, expected 0/],
    ['the Workers do not build', { failing: ['npx wrangler deploy --dry-run'] }, 'workers-ready', /^the command exited with 1, expected 0/],
    ['the maintenance webhook is down', { webhookDown: true }, 'notify-start', /answered 500, expected 2xx: nobody was told/],
    ['the Workers deploy fails', { failing: ['npm run deploy'] }, 'workers-deploy', /^the command exited with 1, expected 0/],
    ['the Workers database test fails', { workersTestFails: true }, 'workers-test', /^the command exited with 1, expected 0/],
    ['the app has no SUPABASE_SERVICE_KEY', { vercelEnv: ['SUPABASE_URL', 'SUPABASE_ANON_KEY'] }, 'app-environment', /stdout does not match .*SUPABASE_SERVICE_KEY/],
    ['the deploy serves an error page', { appDown: true }, 'app-served', /Application error/],
    ['users cannot log in', { failing: ['npx playwright test e2e/login.spec.ts'] }, 'login', /^the command exited with 1, expected 0/],
    ['the process audit flow is broken', { failing: ['npx playwright test e2e/process-audit.spec.ts'] }, 'audit-flow', /^the command exited with 1, expected 0/],
    ['automation generation is broken', { failing: ['npx playwright test e2e/automation-generation.spec.ts'] }, 'automation-flow', /^the command exited with 1, expected 0/],
    ['reports come without their organization', { reportsWithoutOrganization: true }, 'reports-api', /organization_id/],
    ['the browser logs console errors', { failing: ['npx playwright test e2e/console-errors.spec.ts'] }, 'console-errors', /^the command exited with 1, expected 0/],
    ['the organization features are broken', { failing: ['npx playwright test e2e/organizations.spec.ts'] }, 'organization-features', /^the command exited with 1, expected 0/],
    ['a client without an organization is refused', { legacyRefused: true }, 'legacy-clients', /answered 400, expected 200/],
  ])('%s: the run stops at that step, naming it', async (_what, planted, step, message) => {
    const url = await scenarioDatabase(startingState('001')!);
    plant(planted);
    const { status } = await run001(url, TEXT);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id), JSON.stringify(failed)).toEqual([step]);
    expect(failed[0]!.error).toMatch(message);
    // The contacts: the step's area's owner, then the escalation path.
    expect(status.steps.find((x) => x.id === step)!.escalate).toMatch(/^(infrastructure issues: DevOps\/Platform Team|frontend issues: Full-Stack Developer|workers issues: Cloudflare Workers Specialist); escalation: 1\. Development team member, 2\. Technical lead \+ Database administrator, 3\. CTO \+ External database consultant/);
  }, 180_000);


  it('a user who signs up during the window, after 20250904000003, is found without a membership, by id and email', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const planted = insertStepBefore(TEXT, 'memberships', `  - id: plant-signup
    kind: sql
    title: Planted - a sign-up during the window, no membership
    sql: INSERT INTO auth.users (id, email) VALUES ('0000000a-0000-4000-8000-00000000beef', 'late-signup@processaudit.test')`);
    const { status } = await run001(url, planted);
    expect(failedStep(status)).toEqual([{ id: 'memberships', error: 'the query returned 1 row(s), expected 0: (0000000a-0000-4000-8000-00000000beef, late-signup@processaudit.test)' }]);
    // A database step names the database owner, the escalation path and the database emergency contact.
    expect(status.steps.find((x) => x.id === 'memberships')!.escalate).toBe('database issues: Backend Architect; escalation: 1. Development team member, 2. Technical lead + Database administrator, 3. CTO + External database consultant; emergency: [Database Administrator Contact]');
    expect(status.steps.filter((x) => x.escalate).map((x) => x.id)).toEqual(['memberships']);
  }, 180_000);

  it('a policy that compares the wrong column with auth.uid() locks members out: stopped at the impersonation check, naming the member and the table', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const planted = insertStepBefore(TEXT, 'memberships', `  - id: plant-lockout
    kind: sql
    title: Planted - the reports policy compares organization_id with auth.uid()
    sql: >
      DROP POLICY "Organization members manage reports" ON public.audit_reports;
      CREATE POLICY "Organization members manage reports" ON public.audit_reports FOR ALL TO authenticated
        USING (organization_id = auth.uid()) WITH CHECK (organization_id = auth.uid())`);
    const { status } = await run001(url, planted);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['members-see-their-rows']);
    expect(failed[0]!.error).toMatch(/^member [0-9a-f-]{36} as authenticated sees \(audit_reports, 0\), \(automation_jobs, \d+\), \(generated_automations, \d+\), but owns \(audit_reports, [1-9]\d*\), .*: a policy locks the member out of their own rows/);
  }, 180_000);

  it('rows lost in the move stop the run at the no-data-loss check, naming the table and both counts', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const planted = insertStepBefore(TEXT, 'no-data-lost', `  - id: plant-loss
    kind: sql
    title: Planted - a cascade took two reports
    sql: DELETE FROM public.audit_reports WHERE id IN (SELECT id FROM public.audit_reports ORDER BY id LIMIT 2)`);
    const { status } = await run001(url, planted);
    expect(failedStep(status)).toEqual([{ id: 'no-data-lost', error: 'the query returned 1 row(s), expected 0: (audit_reports, 500, 498)' }]);
  }, 180_000);

  it('the old template\'s app.tenant_id policy (contract rls) is refused by the RLS coverage check, naming the table', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const planted = insertStepBefore(TEXT, 'memberships', `  - id: plant-app-tenant-id
    kind: contract
    title: Planted - the console's generic tenant policy on app.tenant_id
    tables: all
    steps: [rls]`);
    const { status } = await run001(url, planted);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['rls-coverage']);
    expect(failed[0]!.error).toMatch(/^the query returned \d+ row\(s\), expected 0: \(automation_jobs, automation_jobs_tenant_isolation\)/);
  }, 180_000);

  it('from the demo\'s half-way state, users who joined an organization before 0003 lose their legacy rows: stopped at the impersonation check', async () => {
    const url = await scenarioDatabase(demoScenario('supabase')!);
    const { status } = await run001(url, TEXT);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id), JSON.stringify(failed)).toEqual(['members-see-their-rows']);
    expect(failed[0]!.error).toMatch(/^member [0-9a-f-]{36} as authenticated sees .*, but owns .*: a policy locks the member out of their own rows/);
  }, 180_000);

  /** A second organization with its own member and report, planted after 20250904000003. */
  const SECOND_ORG = `  - id: plant-second-org
    kind: sql
    title: Planted - a second organization with one member and one report
    sql: >
      INSERT INTO auth.users (id, email) VALUES ('0000000b-0000-4000-8000-0000000000b0', 'other-org@processaudit.test');
      INSERT INTO public.organizations (id, name, slug) VALUES ('0000000b-0000-4000-8000-00000000000b', 'Other Org', 'other-org');
      INSERT INTO public.organization_memberships (organization_id, user_id, role) VALUES ('0000000b-0000-4000-8000-00000000000b', '0000000b-0000-4000-8000-0000000000b0', 'owner');
      INSERT INTO public.audit_reports (user_id, organization_id, title) VALUES ('0000000b-0000-4000-8000-0000000000b0', '0000000b-0000-4000-8000-00000000000b', 'other org report')`;

  it('with two organizations and the team\'s policies, one member per organization sees only their organization\'s rows (clean twin)', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const { status, log } = await run001(url, insertStepBefore(TEXT, 'memberships-forced', SECOND_ORG));
    expect(notPassed(status), log.join('\n')).toEqual([]);
    const ev = status.steps.find((s) => s.id === 'members-see-only-their-organizations')!.evidence!;
    expect(ev.counts.members).toBe(2);
  }, 180_000);

  it('a policy that shows every signed-in user every report stops the run at the isolation check, naming the member', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const planted = insertStepBefore(insertStepBefore(TEXT, 'memberships-forced', SECOND_ORG), 'memberships', `  - id: plant-leak
    kind: sql
    title: Planted - a permissive reports policy for anyone signed in
    sql: CREATE POLICY "Signed-in users read reports" ON public.audit_reports FOR SELECT TO authenticated USING (auth.uid() IS NOT NULL)`);
    const { status } = await run001(url, planted);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['members-see-only-their-organizations']);
    expect(failed[0]!.error).toMatch(/^member [0-9a-f-]{36} as authenticated sees \(audit_reports, 501\), .*but owns \(audit_reports, (500|1)\), .*shows them rows that are not theirs/);
  }, 180_000);

  it('a dropped organization_id index stops the run at the index check, naming the table', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const planted = insertStepBefore(TEXT, 'memberships', `  - id: plant-no-index
    kind: sql
    title: Planted - the automation_jobs organization index dropped
    sql: DROP INDEX public.idx_automation_jobs_organization_id`);
    const { status } = await run001(url, planted);
    expect(failedStep(status)).toEqual([{ id: 'organization-indexes', error: 'the query returned 1 row(s), expected 0: (automation_jobs)' }]);
  }, 180_000);

  it('organization_stats that misses reports stops the run at the monitoring check, naming both counts', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const planted = insertStepBefore(TEXT, 'memberships', `  - id: plant-stats
    kind: sql
    title: Planted - organization_stats counts only this year's reports
    sql: >
      CREATE OR REPLACE VIEW public.organization_stats AS SELECT o.id, o.name,
        (SELECT count(*) FROM public.organization_memberships m WHERE m.organization_id = o.id) AS members,
        (SELECT count(*) FROM public.audit_reports r WHERE r.organization_id = o.id AND r.title <> r.title) AS reports
      FROM public.organizations o`);
    const { status } = await run001(url, planted);
    expect(failedStep(status)).toEqual([{ id: 'organization-stats', error: 'the query returned 1 row(s), expected 0: organization_stats counts 0 of 500 reports' }]);
  }, 180_000);

  it('a policy function that got slow stops the run at the SLA check, naming the query and its time', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    // Planted: the membership lookup every policy calls takes 0.6 s (a missing index on a large memberships table, in miniature).
    const planted = insertStepBefore(TEXT, 'typical-queries', `  - id: plant-slow
    kind: sql
    title: Planted - user_organization_ids() takes 600 ms
    sql: >
      CREATE OR REPLACE FUNCTION public.user_organization_ids() RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
      $fn$ SELECT organization_id FROM public.organization_memberships, pg_sleep(0.6) WHERE user_id = auth.uid() AND status = 'active' $fn$`);
    const { status } = await run001(url, planted);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['typical-queries']);
    expect(failed[0]!.error).toMatch(/^query "a member lists their reports" took \d+(\.\d)? ms, over 500 ms \(.*audit_reports.*\)/);
  }, 180_000);

  it('an organization index replaced by one that does not lead with organization_id stops the run at the weekly EXPLAIN ANALYZE, naming the plan', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const planted = insertStepBefore(TEXT, 'weekly-explain', `  - id: plant-index
    kind: sql
    title: Planted - the reports index rebuilt as (created_at, organization_id)
    sql: >
      DROP INDEX public.idx_audit_reports_organization_id;
      CREATE INDEX idx_audit_reports_organization_id ON public.audit_reports (created_at, organization_id)`);
    const { status } = await run001(url, planted);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['weekly-explain']);
    expect(failed[0]!.error).toMatch(/^query "one organization's reports" reads no index leading with organization_id: .*on audit_reports/);
  }, 180_000);

  it('an organization index renamed so the monitoring query no longer lists it stops the run at the pg_stat_user_indexes check', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const planted = insertStepBefore(TEXT, 'index-usage', `  - id: plant-rename
    kind: sql
    title: Planted - the generated_automations index renamed outside the naming the monitoring relies on
    sql: ALTER INDEX public.idx_generated_automations_organization_id RENAME TO gen_auto_tenant_idx`);
    const { status } = await run001(url, planted);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['index-usage']);
    expect(failed[0]!.error).toMatch(/^the query returned 2 row\(s\), expected 3: \(public, (audit_reports|automation_jobs), /);
  }, 180_000);

  it('a table that grows the database past 10 % during the run stops it at the size check, naming both sizes', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    const planted = insertStepBefore(TEXT, 'size-growth', `  - id: plant-growth
    kind: sql
    title: Planted - a staging copy left behind (about 3 MB)
    sql: CREATE TABLE public.import_staging AS SELECT i, md5(i::text) || md5((i + 1)::text) AS pad FROM generate_series(1, 30000) AS i`);
    const { status } = await run001(url, planted);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['size-growth']);
    expect(failed[0]!.error).toMatch(/^the database grew \d+(\.\d)? % since the run started \(\d+\.\d MB -> \d+\.\d MB\), more than 10 %$/);
  }, 180_000);

  it('a step that holds a lock an application session queues behind stops the run at the no-blocking check, naming the session and its wait', async () => {
    const url = await scenarioDatabase(startingState('001')!);
    // Planted: reports locked until an app session queues behind the lock and the lock watch has sampled it
    // (a poll of the console's second session that started after the app's query and finished).
    const planted = insertStepBefore(TEXT, 'memberships', `  - id: plant-lock
    kind: sql
    title: Planted - audit_reports locked while the app reads it
    sql: |
      LOCK TABLE public.audit_reports IN ACCESS EXCLUSIVE MODE;
      DO $w$ BEGIN
        LOOP
          PERFORM pg_stat_clear_snapshot();
          EXIT WHEN EXISTS (
            SELECT 1 FROM pg_stat_activity w, pg_stat_activity s
            WHERE pg_backend_pid() = ANY (pg_blocking_pids(w.pid)) AND s.datname = current_database()
              AND s.pid NOT IN (pg_backend_pid(), w.pid) AND s.application_name = current_setting('application_name')
              AND s.state = 'idle' AND s.query_start > w.query_start);
          PERFORM pg_sleep(0.02);
        END LOOP;
      END $w$`);
    const running = run001(url, planted);
    await untilTrue(url, "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'DO $w$%') AS ok");
    const app = new pg.Client({ connectionString: url, application_name: 'processaudit-web' });
    await app.connect();
    const read = app.query('SELECT count(*) FROM public.audit_reports');
    const { status } = await running;
    await read;
    await app.end();
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['no-blocking']);
    expect(failed[0]!.error).toMatch(/^step plant-lock blocked pid \d+ \(processaudit-web\) of \S+ for [\d.]+ s: it waited on AccessShareLock on audit_reports for "SELECT count\(\*\) FROM public\.audit_reports"$/);
  }, 180_000);

  it('the wrong target (the Drizzle application) stops at preflight', async () => {
    const url = await scenarioDatabase(startingState('000')!);
    const { status } = await run001(url, TEXT);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id)).toEqual(['preflight']);
    expect(failed[0]!.error).toMatch(/expected the application's table auth\.users, found no such table in rb_t_drizzle_before_0007_\d+_\d+: wrong database\?/);
  }, 180_000);
});
