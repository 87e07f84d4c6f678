/**
 * The runbooks/* and backfill/* handlers against real PostgreSQL, through dispatch as the UI calls
 * them: steps refused without write mode (nothing journaled), a sign-off needs a note, a second
 * step of the same run is refused while one runs, a backfill held on a row lock is cancelled from
 * backfill/cancel (journaled as failed, committed batches kept) and resumes to fill every row once.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { RunViewSchema } from '../../shared/contract/runbooks.js';
import { loadScenario, type DemoDatabase } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { MemorySecretStore } from '../../main/engine/host/secret-store.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { createHostContext, type HostContext } from '../../main/handlers/context.js';
import { dispatch } from '../../main/handlers/dispatch.js';
import { HANDLERS } from '../../main/handlers/index.js';
import { tempConfigDir } from '../support/cli.js';
import { adminUrl } from '../support/db.js';

type RunView = z.output<typeof RunViewSchema>;
const HELD_LESSON = 1189; // organization_id NULL in the demo (id % 37 = 5), in the third batch of 500

let db: DemoDatabase;
let ctx: HostContext;
let connectionId: string;
let run: string;
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

beforeAll(async () => {
  db = await loadScenario(adminUrl(), demoScenario('drizzle')!, 3000, { database: `rb_handlers_${process.pid}`, reuse: false });
  ctx = createHostContext({
    mode: 'browser', version: 'test', configDir: tempConfigDir(), audit: () => undefined,
    secrets: new MemorySecretStore({ persistent: false, backend: 'memory', note: 'test' }),
    emit: (name, payload) => { events.push({ name, payload }); },
  });
  const { profile, urlPassword } = profileFromUrl(db.url, { name: 'drizzle' });
  connectionId = (await ctx.connections.connect(profile, urlPassword)).id;
});

afterAll(async () => {
  await ctx?.connections.closeAll();
  const root = new pg.Client({ connectionString: adminUrl() });
  await root.connect();
  await root.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db.database)} WITH (FORCE)`);
  await root.end();
  fs.rmSync(ctx.configDir, { recursive: true, force: true });
});

describe('runbook handlers', () => {
  it('opens template 000 as a run against the connection\'s database, listed and reopenable', async () => {
    const v = await call<RunView>('runbooks/open', { connectionId, source: { kind: 'template', template: '000' } });
    run = v.status.run;
    expect(v.label).toBe('Runbook 000');
    expect(v.status.database).toBe(db.database);
    expect(v.steps.map((s) => s.id)).toEqual(v.status.steps.map((s) => s.id));
    expect(v.verification).toMatchObject({ ok: true, lines: 1 });
    const list = await call<{ run: string; passed: number; total: number }[]>('runbooks/list', {});
    expect(list).toEqual([expect.objectContaining({ run, passed: 0, total: 10 })]);
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
    expect(v.status.next?.step).toBe('backfill-lessons');
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
