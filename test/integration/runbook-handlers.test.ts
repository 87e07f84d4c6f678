/**
 * The runbooks/* and backfill/* handlers against real PostgreSQL, through dispatch as the UI calls
 * them: steps refused without write mode (nothing journaled), a sign-off needs a note, a second
 * step of the same run is refused while one runs, a backfill held on a row lock is cancelled from
 * backfill/cancel (journaled as failed, committed batches kept) and resumes to fill every row once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { RunViewSchema, StepPreviewView } from '../../shared/contract/runbooks.js';
import { loadScenario, type DemoDatabase } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { MemorySecretStore } from '../../main/engine/host/secret-store.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { createHostContext, type HostContext } from '../../main/handlers/context.js';
import { dispatch } from '../../main/handlers/dispatch.js';
import { HANDLERS } from '../../main/handlers/index.js';
import { tempConfigDir } from '../support/cli.js';
import { adminUrl } from '../support/db.js';
import { startFakeApp, type FakeApp } from '../support/fake-app.js';
import { withoutDumps } from '../support/pg-dump.js';
import { pgDumpCanDumpUrl } from '../support/template-run.js';

type RunView = z.output<typeof RunViewSchema>;
const HELD_LESSON = 1189; // organization_id NULL in the demo (id % 37 = 5), in the third batch of 500

let db: DemoDatabase;
let ctx: HostContext;
let connectionId: string;
let run: string;
/** Template 000, or its dump: false copy (see beforeAll). */
let source: { kind: 'template'; template: string } | { kind: 'file'; path: string } = { kind: 'template', template: '000' };
const events: { name: string; payload: unknown }[] = [];

async function call<T>(name: string, payload: unknown): Promise<T> {
  const r = await dispatch(HANDLERS, ctx, name, payload);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

async function scalar(sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
  } finally {
    await c.end();
  }
}

const stateOf = (v: RunView, step: string) => v.status.steps.find((s) => s.id === step)!;

/** The application template 000's http steps check (the host reads APP_URL and the cookie from its environment). */
let app: FakeApp;
const savedEnv = { ...process.env };

beforeAll(async () => {
  app = await startFakeApp();
  Object.assign(process.env, app.env);
  db = await loadScenario(adminUrl(), demoScenario('drizzle')!, 3000, { database: `rb_handlers_${process.pid}`, reuse: false });
  ctx = createHostContext({
    mode: 'browser', version: 'test', configDir: tempConfigDir(), audit: () => undefined,
    secrets: new MemorySecretStore({ persistent: false, backend: 'memory', note: 'test' }),
    emit: (name, payload) => { events.push({ name, payload }); },
  });
  const { profile, urlPassword } = profileFromUrl(db.url, { name: 'drizzle' });
  connectionId = (await ctx.connections.connect(profile, urlPassword)).id;
  // Where this machine's pg_dump is older than the server, template 000's backup (dump: true) would
  // refuse: the same template with dump: false, opened as a file of the same name.
  if (!(await pgDumpCanDumpUrl(db.url))) {
    const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-rb-handlers-')), '000-drizzle-two-phase.yaml');
    fs.writeFileSync(copy, withoutDumps(fs.readFileSync(path.resolve(import.meta.dirname, '../../runbooks/templates/000-drizzle-two-phase.yaml'), 'utf8')));
    source = { kind: 'file', path: copy };
  }
});

afterAll(async () => {
  for (const k of Object.keys(app?.env ?? {})) if (savedEnv[k] === undefined) delete process.env[k]; else process.env[k] = savedEnv[k];
  await app?.close();
  await ctx?.connections.closeAll();
  const root = new pg.Client({ connectionString: adminUrl() });
  await root.connect();
  await root.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db.database)} WITH (FORCE)`);
  await root.end();
  fs.rmSync(ctx.configDir, { recursive: true, force: true });
});

describe('runbook handlers', () => {
  it('opens template 000 as a run against the connection\'s database, listed and reopenable', async () => {
    const v = await call<RunView>('runbooks/open', { connectionId, source });
    run = v.status.run;
    expect(v.label).toBe(source.kind === 'template' ? 'Runbook 000' : '000-drizzle-two-phase');
    expect(v.status.database).toBe(db.database);
    expect(v.steps.map((s) => s.id)).toEqual(v.status.steps.map((s) => s.id));
    expect(v.verification).toMatchObject({ ok: true, lines: 1 });
    const list = await call<{ run: string; passed: number; total: number }[]>('runbooks/list', {});
    expect(list).toEqual([expect.objectContaining({ run, passed: 0, total: 24 })]);
    expect((await call<RunView>('runbooks/open', { source: { kind: 'run', run } })).status).toEqual(v.status);
    await expect(call('runbooks/open', { connectionId, source: { kind: 'template', template: '999' } })).rejects.toThrow(/no runbook template 999; templates are 000, 001, 002, 003, 004, 005/);
  });

  it('refuses a step without write mode and a sign-off without a note, journaling nothing', async () => {
    await expect(call('runbooks/runStep', { connectionId, run })).rejects.toMatchObject({ code: 'permission', message: expect.stringContaining('write mode') });
    await ctx.connections.setWriteMode(connectionId, true);
    await call('runbooks/runStep', { connectionId, run });
    await call('runbooks/runStep', { connectionId, run });
    const before = (await call<RunView>('runbooks/status', { run })).verification.lines;
    await expect(call('runbooks/runStep', { connectionId, run, step: 'deploy' })).rejects.toThrow(/sign each checklist line of "Code deploy.*": write what you checked for each/);
    // One note for the whole checklist is not a sign-off of each line.
    await expect(call('runbooks/runStep', { connectionId, run, step: 'deploy', note: 'all fine' })).rejects.toThrow(/deploy has 2 checklist line\(s\): sign each on its own/);
    expect((await call<RunView>('runbooks/status', { run })).verification.lines).toBe(before);
    const half = await call<RunView>('runbooks/runStep', { connectionId, run, step: 'deploy', lines: [{ line: 1, note: 'deployed build 42' }] });
    expect(stateOf(half, 'deploy')).toMatchObject({ state: 'pending', checklist: [expect.objectContaining({ note: 'deployed build 42' }), expect.objectContaining({ signedBy: null })] });
    const v = await call<RunView>('runbooks/runStep', { connectionId, run, step: 'deploy', lines: [{ line: 2, note: 'smoke tests green' }] });
    expect(stateOf(v, 'deploy')).toMatchObject({ state: 'passed', evidence: expect.objectContaining({ result: 'signed off: every checklist line signed' }) });
    expect(v.status.next?.step).toBe('sign-in-served');
    // The deploy checked over http from the page: routes, the guard, reads and writes across organizations.
    for (const step of ['sign-in-served', 'org-select-served', 'route-guard', 'reads-scoped', 'writes-check-ownership']) {
      const checked = await call<RunView>('runbooks/runStep', { connectionId, run });
      expect(stateOf(checked, step)).toMatchObject({ state: 'passed' });
    }
    expect(app.seen).toEqual(['GET /sign-in', 'GET /org/select', 'GET /students', 'GET /api/students/stu-b-canary', 'PATCH /api/students/stu-b-canary']);
    // The demo database has 0007 applied already: the step passes with nothing to apply.
    const migrated = await call<RunView>('runbooks/runStep', { connectionId, run });
    expect(stateOf(migrated, 'migrate-0007')).toMatchObject({ state: 'passed', evidence: expect.objectContaining({ ran: [] }) });
    expect(migrated.status.next?.step).toBe('backfill-lessons');
  });

  it('cancels a backfill held on a row lock from backfill/cancel; running the step again fills every row once', async () => {
    const nulls = await scalar('SELECT count(*) AS n FROM lessons WHERE organization_id IS NULL');
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM lessons WHERE id = $1 FOR UPDATE', [HELD_LESSON]);
    events.length = 0;
    const running = call<RunView>('runbooks/runStep', { connectionId, run });
    const progress = () => events.filter((e) => e.name === 'runbooks/onBackfill').map((e) => (e.payload as { progress: { id: string; done: number } }).progress);
    await expect.poll(() => progress().at(-1)?.done ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect(call('runbooks/runStep', { connectionId, run })).rejects.toThrow(/step backfill-lessons of run_.* is still running/);
    const live = await call<RunView>('runbooks/status', { run });
    expect(live.active).toMatchObject({ step: 'backfill-lessons', paused: false, backfill: expect.objectContaining({ id: progress()[0]!.id }) });
    expect(await call('backfill/cancel', { id: progress()[0]!.id })).toEqual({ cancelled: true });
    const after = await running;
    await holder.query('ROLLBACK');
    await holder.end();
    expect(stateOf(after, 'backfill-lessons')).toMatchObject({ state: 'failed', error: 'cancelled by the operator' });
    expect(after.active).toBeNull();
    const left = await scalar('SELECT count(*) AS n FROM lessons WHERE organization_id IS NULL');
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(nulls);
    await expect(call('backfill/pause', { id: progress()[0]!.id })).rejects.toThrow(/not running in this console/);

    const resumed = await call<RunView>('runbooks/runStep', { connectionId, run, step: 'backfill-lessons' });
    expect(stateOf(resumed, 'backfill-lessons').state).toBe('passed');
    expect(await scalar('SELECT count(*) AS n FROM lessons WHERE organization_id IS NULL')).toBe(0);
    expect(await scalar(`SELECT rows_done AS n FROM tenancy_console.backfills WHERE id = '${progress()[0]!.id}'`)).toBe(nulls);
    expect(events.some((e) => e.name === 'runbooks/onStep' && (e.payload as { state: string }).state === 'failed')).toBe(true);
  });

  it('previews each step\'s writes whole before it runs; a confirmation whose SQL is no longer the step\'s is refused, journaling nothing', async () => {
    const migration = await call<StepPreviewView>('runbooks/preview', { connectionId, run, step: 'migrate-0008' });
    expect(migration).toMatchObject({ step: 'migrate-0008', writes: true });
    expect(migration.statements).toEqual([{
      label: 'migration 0008_remove_bootstrap_org_defaults (0008_remove_bootstrap_org_defaults.sql, whole file)',
      sql: fs.readFileSync(path.resolve(import.meta.dirname, '../../sql/demo/drizzle/0008_remove_bootstrap_org_defaults.sql'), 'utf8'),
    }]);
    const probe = await call<StepPreviewView>('runbooks/preview', { connectionId, run, step: 'inserts-must-fail' });
    expect(probe.statements.map((st) => st.label)).toEqual(['probe statement 1 (in a savepoint, always rolled back)']);
    const check = await call<StepPreviewView>('runbooks/preview', { connectionId, run, step: 'verify-columns' });
    expect(check).toMatchObject({ writes: false, statements: [] });
    const before = (await call<RunView>('runbooks/status', { run })).verification.lines;
    await expect(call('runbooks/runStep', { connectionId, run, step: 'verify-columns', confirmed: '0'.repeat(64) }))
      .rejects.toThrow('the SQL of verify-columns changed since you confirmed it: review it again before it runs');
    expect((await call<RunView>('runbooks/status', { run })).verification.lines).toBe(before);
    // Its clean twin: the digest just shown runs the step.
    const ran = await call<RunView>('runbooks/runStep', { connectionId, run, step: 'verify-columns', confirmed: check.digest });
    expect(stateOf(ran, 'verify-columns').state).toBe('passed');
  });

  it('verifies the journal, and names the line a tampered journal breaks at', async () => {
    expect(await call('runbooks/verify', { run })).toMatchObject({ ok: true, brokenAt: null });
    const file = path.join(ctx.configDir, 'runs', run, 'journal.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const signed = lines.findIndex((l) => l.includes('deployed build 42'));
    expect(signed).toBeGreaterThan(0);
    lines[signed] = lines[signed]!.replace('deployed build 42', 'deployed build 43');
    fs.writeFileSync(file, lines.join('\n'));
    expect(await call('runbooks/verify', { run })).toMatchObject({ ok: false, brokenAt: { line: signed + 1, reason: expect.stringContaining('edited') } });
    await expect(call('runbooks/status', { run })).rejects.toMatchObject({ code: 'integrity', message: expect.stringContaining(`broken at line ${signed + 1}`) });
  });
});
