/**
 * Template 001 (Supabase organizations) from the team's real starting state (only the initial
 * schema applied): Supabase-correct RLS through memberships and auth.uid(), members impersonated
 * (role authenticated + their JWT claims) still see their own rows; each planted defect stops the
 * run at its step with a message naming it; the unplanted run is the clean twin.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { startingState } from '../../main/engine/demo/starting-states.js';
import { runFollowUp } from '../../main/engine/runbook/follow-up.js';
import { rollbackRun } from '../../main/engine/runbook/rollback.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import type { RunStatus } from '../../shared/runbook.js';
import { tempConfigDir } from '../support/cli.js';
import { fakeBin, startFakeApp, type FakeApp } from '../support/outside.js';
import { templateEnv, type TemplateRunOptions, dropMadeDatabases, pgDumpCanDumpUrl, promisedFindings, rollbackTemplateRun, tableMd5, insertStepBefore, notPassed, queryRows, runTemplateText, scenarioDatabase, templateText } from '../support/template-run.js';

const FILE = '001-supabase-organizations.yaml';
const TEXT = templateText(FILE);

/** What the fake Supabase project, application, webhook and programs get wrong (nothing by default). */
interface Flaws {
  /** Status of the Supabase REST root with the anon key. */
  supabaseDown?: boolean;
  /** The service role key is refused. */
  serviceKeyRefused?: boolean;
  /** The previous frontend (no /organizations page). */
  oldFrontend?: boolean;
  /** The previous API (no /api/organizations route). */
  oldApi?: boolean;
  /** The deployed app's home page is an error page. */
  appDown?: boolean;
  /** /api/reports answers without the organization context. */
  reportsWithoutOrganization?: boolean;
  /** /api/reports refuses a request without X-Organization-Id. */
  legacyRefused?: boolean;
  /** The app's health endpoint reports degraded (error rate above its SLO). */
  degraded?: boolean;
  /** The maintenance webhook answers 500. */
  webhookDown?: boolean;
  /** Program invocations ("npx playwright test e2e/login.spec.ts") that fail. */
  failing?: string[];
  /** Names `vercel env ls production` prints. */
  vercelEnv?: string[];
  /** node test-organization-database.js reports failures. */
  workersTestFails?: boolean;
}
const KEYS = { anon: 'anon-key-001', service: 'service-key-001', member: 'Bearer member-jwt-001' };
let flaws: Flaws = {};
let app: FakeApp;
let tools: { bin: string; appDir: string; workersDir: string; previousWorkersDir: string };

/** The fake world: Supabase's REST API, the deployed app and the webhook on one server (port 0); npm, npx, vercel first on PATH; the Workers' test script. */
beforeAll(async () => {
  app = await startFakeApp((r) => {
    const u = new URL(r.url, 'http://x');
    const json = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (u.pathname === '/rest/v1/') return flaws.supabaseDown || r.headers.apikey !== KEYS.anon ? json(401, { message: 'Invalid API key' }) : json(200, { swagger: '2.0' });
    if (u.pathname === '/rest/v1/audit_reports') {
      const ok = !flaws.serviceKeyRefused && r.headers.apikey === KEYS.service && r.headers.authorization === `Bearer ${KEYS.service}`;
      return ok ? json(200, []) : json(401, { message: 'Invalid API key' });
    }
    if (u.pathname === '/organizations') return flaws.oldFrontend ? { status: 404, body: '<h1>404</h1>' } : { status: 200, body: '<form><h1>Create organization</h1></form>' };
    if (u.pathname === '/api/organizations') return flaws.oldApi ? json(404, { error: 'not found' }) : r.headers.authorization ? json(200, []) : json(401, { error: 'sign in' });
    if (u.pathname === '/') return flaws.appDown ? { status: 200, body: '<h1>Application error: a client-side exception has occurred</h1>' } : { status: 200, body: '<h1>ProcessAudit AI</h1>' };
    if (u.pathname === '/api/reports') {
      if (r.headers.authorization !== KEYS.member) return json(401, { error: 'sign in' });
      if (!r.headers['x-organization-id'] && flaws.legacyRefused) return json(400, { error: 'organization required' });
      return json(200, [flaws.reportsWithoutOrganization ? { id: 'r-1', title: 'Q3 audit' } : { id: 'r-1', title: 'Q3 audit', organization_id: '00000000-0000-0000-0000-000000000001' }]);
    }
    if (u.pathname === '/api/health') return json(200, flaws.degraded ? { status: 'degraded', errorRate5m: 0.07 } : { status: 'ok', errorRate5m: 0.001 });
    if (u.pathname === '/hooks/maintenance' && r.method === 'POST') return flaws.webhookDown ? { status: 500, body: 'down' } : { status: 200, body: 'ok' };
    return null;
  });
  const bin = fakeBin();
  // One fake for npm, npx and vercel: exits 1 for the invocations FAKE_FAILING lists; `vercel env ls` prints FAKE_VERCEL_ENV.
  const program = `const name = require('node:path').basename(process.argv[1]); const line = [name, ...process.argv.slice(2)].join(' ');
if (JSON.parse(process.env.FAKE_FAILING || '[]').includes(line)) { console.log(line + ': 1 failed, 4 passed'); process.exit(1); }
if (line === 'vercel env ls production') { console.log((process.env.FAKE_VERCEL_ENV || '').split(',').map((n) => ' ' + n + '  Encrypted  Production').join('\\n')); process.exit(0); }
console.log(line + ': 5 passed');`;
  for (const name of ['npm', 'npx', 'vercel']) bin.add(name, program);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'processaudit-'));
  const dirs = { appDir: path.join(root, 'app'), workersDir: path.join(root, 'workers'), previousWorkersDir: path.join(root, 'workers-previous') };
  const workersTest = `if (process.env.FAKE_WORKERS_FAIL) { console.log('❌ 2 of 9 tests failed: organization context missing'); process.exit(1); }
console.log('✅ All tests passed!');\n`;
  for (const d of Object.values(dirs)) {
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'test-organization-database.js'), workersTest);
  }
  tools = { bin: bin.path, ...dirs };
});
afterAll(async () => {
  await app.close();
  await dropMadeDatabases();
});
beforeEach(() => {
  flaws = {};
});

/** The environment the template's application steps read, with the fake world and the current flaws. */
function worldEnv(): Record<string, string | undefined> {
  return {
    PATH: tools.bin, APP_DIR: tools.appDir, WORKERS_DIR: tools.workersDir, PREVIOUS_WORKERS_DIR: tools.previousWorkersDir,
    SUPABASE_URL: app.url, APP_URL: app.url, MAINTENANCE_WEBHOOK_URL: `${app.url}/hooks/maintenance`,
    SUPABASE_ANON_KEY: KEYS.anon, SUPABASE_SERVICE_KEY: KEYS.service, SUPABASE_SERVICE_AUTHORIZATION: `Bearer ${KEYS.service}`,
    MEMBER_AUTHORIZATION: KEYS.member, MEMBER_ORGANIZATION_ID: '00000000-0000-0000-0000-000000000001',
    FAKE_FAILING: JSON.stringify(flaws.failing ?? []), FAKE_VERCEL_ENV: (flaws.vercelEnv ?? ['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_KEY']).join(','),
    FAKE_WORKERS_FAIL: flaws.workersTestFails ? '1' : undefined,
  };
}

/** Run template 001 (maybe edited) on `url` in the fake world; on staging unless told (there, this run is the rehearsal). */
function run001(url: string, text: string, o: TemplateRunOptions & { runsDir?: string } = {}) {
  return runTemplateText(url, FILE, text, o.runsDir ?? path.join(tempConfigDir(), 'runs'), { environment: 'staging', ...o, env: { ...worldEnv(), ...o.env } });
}

/** The first value `sql` ($1 = the user) returns as role authenticated with the user's JWT claims. */
async function asMember(url: string, user: string, sql: string): Promise<unknown> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query('SET LOCAL ROLE authenticated');
    await c.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: user, role: 'authenticated' })]);
    const r = await c.query(sql, [user]);
    await c.query('ROLLBACK');
    return Object.values(r.rows[0] as object)[0];
  } finally {
    await c.end();
  }
}

/** Run the named partial rollback `section` of `run`; `sign`: sign its checklist lines, else it stops at its sign-off. */
async function partialRollback(url: string, run: { status: RunStatus; runsDir: string }, section: string, sign: boolean): Promise<RunStatus> {
  const { profile, urlPassword } = profileFromUrl(url, { statementTimeoutMs: 120_000 });
  const session = await Session.open(profile, { password: urlPassword });
  await session.enableWrite();
  try {
    return await rollbackRun({
      session, run: run.status.run, section, reason: `template test: ${section}`, operator: 'template-test', runsDir: run.runsDir, ci: false, env: templateEnv(url, worldEnv()), allowCommands: true,
      signOff: (s) => ({ lines: sign ? Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) : {} }),
    });
  } finally {
    await session.close();
  }
}

/** Run follow-up `name` of `run` as if `days` days had passed; `sign`: sign its checklist lines. */
async function followUp(url: string, run: { status: RunStatus; runsDir: string }, name: string, days: number, sign = true): Promise<RunStatus> {
  const { profile, urlPassword } = profileFromUrl(url, { statementTimeoutMs: 120_000 });
  const session = await Session.open(profile, { password: urlPassword });
  await session.enableWrite();
  try {
    return await runFollowUp({
      session, run: run.status.run, name, now: new Date(Date.now() + days * 86_400_000), operator: 'template-test', runsDir: run.runsDir, ci: false,
      env: templateEnv(url, worldEnv()), allowCommands: true,
      signOff: (s) => ({ lines: sign ? Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) : {} }),
    });
  } finally {
    await session.close();
  }
}

/** The failed steps of a follow-up, "id: error". */
const followUpFailed = (s: RunStatus, name: string) => s.followUps![name]!.steps.filter((x) => x.state === 'failed').map((x) => `${x.id}: ${x.error}`);

/** The run's state per step of a partial rollback, "id state". */
const sectionStates = (s: RunStatus, section: string) => s.partialRollbacks![section]!.steps.map((x) => `${x.id} ${x.state}${x.error && x.state === 'failed' ? `: ${x.error}` : ''}`);

const LOCKOUT = `DROP POLICY "Organization members manage reports" ON public.audit_reports;
  CREATE POLICY "Organization members manage reports" ON public.audit_reports FOR ALL TO authenticated USING (organization_id = auth.uid()) WITH CHECK (organization_id = auth.uid())`;
const FIXED = `DROP POLICY "Organization members manage reports" ON public.audit_reports;
  CREATE POLICY "Organization members manage reports" ON public.audit_reports FOR ALL TO authenticated
    USING (organization_id IN (SELECT public.user_organization_ids())) WITH CHECK (organization_id IN (SELECT public.user_organization_ids()))`;

/** Wait until `sql` (first row's `ok`) is true on `url`, polling (30 s at most). */
async function untilTrue(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if ((await c.query(sql)).rows[0]?.ok) return;
      await new Promise((r) => setImmediate(r));
    }
    throw new Error(`never true within 30 s: ${sql}`);
  } finally {
    await c.end();
  }
}

const failedStep = (s: { steps: { id: string; state: string; error: string | null }[] }) => s.steps.filter((x) => x.state === 'failed').map((x) => ({ id: x.id, error: x.error }));

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
    const told = app.received.filter((r) => r.url === '/hooks/maintenance').map((r) => (JSON.parse(r.body) as { text: string; step: string }));
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
    flaws = planted;
    const { status } = await run001(url, TEXT);
    const failed = failedStep(status);
    expect(failed.map((f) => f.id), JSON.stringify(failed)).toEqual([step]);
    expect(failed[0]!.error).toMatch(message);
    // The contacts: the step's area's owner, then the escalation path.
    expect(status.steps.find((x) => x.id === step)!.escalate).toMatch(/^(infrastructure issues: DevOps\/Platform Team|frontend issues: Full-Stack Developer|workers issues: Cloudflare Workers Specialist); escalation: 1\. Development team member, 2\. Technical lead \+ Database administrator, 3\. CTO \+ External database consultant/);
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

    flaws = { degraded: true };
    expect(followUpFailed(await followUp(url, run, 'day-1', 1.5), 'day-1')).toEqual([expect.stringMatching(/^day1-health: .*does not contain "\\"status\\":\\"ok\\""|^day1-health: .*status/)]);
    flaws = {};
    await queryRows(url, LOCKOUT);
    expect(followUpFailed(await followUp(url, run, 'day-1', 1.5), 'day-1')).toEqual([expect.stringMatching(/^day1-members-see-their-rows: member [0-9a-f-]{36} as authenticated sees \(audit_reports, 0\)/)]);
    await queryRows(url, FIXED);
    flaws = { workersTestFails: true };
    expect(followUpFailed(await followUp(url, run, 'day-1', 1.5), 'day-1')).toEqual([expect.stringMatching(/^day1-workers-test: the command exited with 1, expected 0/)]);
    flaws = {};
    await queryRows(url, "INSERT INTO public.automation_jobs (id, user_id, organization_id, status, created_at) SELECT '0000000c-0000-4000-8000-00000000000c', user_id, organization_id, 'queued', now() - interval '3 hours' FROM public.audit_reports LIMIT 1");
    expect(followUpFailed(await followUp(url, run, 'day-1', 1.5), 'day-1')).toEqual([expect.stringMatching(/^day1-jobs-processed: the query returned 1 row\(s\), expected 0: \(0000000c-0000-4000-8000-00000000000c, /)]);
    await queryRows(url, "UPDATE public.automation_jobs SET status = 'done' WHERE id = '0000000c-0000-4000-8000-00000000000c'");
    const database = new URL(url).pathname.slice(1);
    await queryRows(url, `ALTER DATABASE ${pg.escapeIdentifier(database)} CONNECTION LIMIT 3`);
    const pool = await Promise.all([1, 2].map(async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }));
    expect(followUpFailed(await followUp(url, run, 'day-1', 1.5), 'day-1')).toEqual([expect.stringMatching(/^day1-connections: the query returned 1 row\(s\), expected 0: connections in use: [34] of 3$/)]);
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
    flaws = { failing: ['npm run deploy'] };
    const refused = await partialRollback(url, run, 'workers', true);
    expect(refused.partialRollbacks!.workers!.steps.filter((x) => x.state === 'failed').map((x) => `${x.id}: ${x.error}`)).toEqual([expect.stringMatching(/^workers-back: the command exited with 1, expected 0/)]);
    flaws = {};
    const back = await partialRollback(url, run, 'workers', true);
    expect(back.partialRollbacks!.workers!.complete).toBe(true);
    expect(JSON.stringify(back.partialRollbacks!.workers!.steps[1]!.evidence)).toContain('All tests passed');
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
