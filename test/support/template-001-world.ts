/**
 * The fake world template 001 (Supabase organizations) runs in: a fake Supabase project, deployed
 * app and webhook, the npm/npx/vercel programs, the Workers' test; flaws to plant in it; and the
 * helpers its tests share (runs, partial rollbacks, follow-ups, member impersonation).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { runFollowUp } from '../../main/engine/runbook/follow-up.js';
import { rollbackRun } from '../../main/engine/runbook/rollback.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import type { RunStatus } from '../../shared/runbook.js';
import { tempConfigDir } from './cli.js';
import { fakeBin, startFakeApp, type FakeApp } from './outside.js';
import { templateEnv, type TemplateRunOptions, dropMadeDatabases, runTemplateText, templateText } from './template-run.js';

/** The template these helpers run. */
export const FILE = '001-supabase-organizations.yaml';
/** The template's text as shipped. */
export const TEXT = templateText(FILE);

/** What the fake Supabase project, application, webhook and programs get wrong (nothing by default). */
export interface Flaws {
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

/** Plant `f` in the fake world for the rest of this test (reset to none before each test). */
export function plant(f: Flaws): void {
  flaws = f;
}

/** The fake Supabase project, application and webhook server of this file's world. */
export function fakeApp(): FakeApp {
  return app;
}

/**
 * Register this file's fake world: Supabase's REST API, the deployed app and the webhook on one
 * server (port 0); npm, npx, vercel first on PATH; the Workers' test script. Call once at the top of a test file.
 */
export function useTemplate001World(): void {
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
}

/** The environment the template's application steps read, with the fake world and the current flaws. */
export function worldEnv(): Record<string, string | undefined> {
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
export function run001(url: string, text: string, o: TemplateRunOptions & { runsDir?: string } = {}) {
  return runTemplateText(url, FILE, text, o.runsDir ?? path.join(tempConfigDir(), 'runs'), { environment: 'staging', ...o, env: { ...worldEnv(), ...o.env } });
}

/** The first value `sql` ($1 = the user) returns as role authenticated with the user's JWT claims. */
export async function asMember(url: string, user: string, sql: string): Promise<unknown> {
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
export async function partialRollback(url: string, run: { status: RunStatus; runsDir: string }, section: string, sign: boolean): Promise<RunStatus> {
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
export async function followUp(url: string, run: { status: RunStatus; runsDir: string }, name: string, days: number, sign = true): Promise<RunStatus> {
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
export const followUpFailed = (s: RunStatus, name: string) => s.followUps![name]!.steps.filter((x) => x.state === 'failed').map((x) => `${x.id}: ${x.error}`);

/** The run's state per step of a partial rollback, "id state". */
export const sectionStates = (s: RunStatus, section: string) => s.partialRollbacks![section]!.steps.map((x) => `${x.id} ${x.state}${x.error && x.state === 'failed' ? `: ${x.error}` : ''}`);

export const LOCKOUT = `DROP POLICY "Organization members manage reports" ON public.audit_reports;
  CREATE POLICY "Organization members manage reports" ON public.audit_reports FOR ALL TO authenticated USING (organization_id = auth.uid()) WITH CHECK (organization_id = auth.uid())`;
export const FIXED = `DROP POLICY "Organization members manage reports" ON public.audit_reports;
  CREATE POLICY "Organization members manage reports" ON public.audit_reports FOR ALL TO authenticated
    USING (organization_id IN (SELECT public.user_organization_ids())) WITH CHECK (organization_id IN (SELECT public.user_organization_ids()))`;

/** Wait until `sql` (first row's `ok`) is true on `url`, polling (30 s at most). */
export async function untilTrue(url: string, sql: string): Promise<void> {
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
