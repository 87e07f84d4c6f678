/**
 * The backfill's CPU-wait meter (cpu-wait.ts) on the test server, which runs on this host: it
 * reads the database's other backends, not the console's own sessions nor another database's, a
 * window shows the CPU one of them used, and a backfill beside a busy one follows it.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuWaitMeter } from '../../main/engine/backfill/cpu-wait.js';
import { startBackfill, type BatchTiming } from '../../main/engine/backfill/run.js';
import type { Session } from '../../main/engine/session.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let other: TestDatabase;
let s: Session;
let sibling: Session;
let app: pg.Client;
let elsewhere: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE SCHEMA "C; s";
    CREATE TABLE "C; s"."t ""x""" ("k id" bigint PRIMARY KEY, org int);
    INSERT INTO "C; s"."t ""x""" SELECT g, NULL FROM generate_series(1, 500000) g;
    ANALYZE "C; s"."t ""x""";`);
  other = await createTestDatabase();
  s = await db.session();
  sibling = await s.openSibling({ unaudited: true });
  app = new pg.Client({ connectionString: db.url, application_name: 'app "x"; --' });
  elsewhere = new pg.Client({ connectionString: other.url, application_name: 'another database' });
  await Promise.all([app.connect(), elsewhere.connect()]);
});
afterAll(async () => {
  await Promise.all([app?.end(), elsewhere?.end(), sibling?.close(), s?.close()]);
  await Promise.all([db?.drop(), other?.drop()]);
});

/** The server pid of a pg.Client. */
const pidOf = (c: pg.Client) => (c as unknown as { processID: number }).processID;

describe('CPU-wait meter', () => {
  it('counts the CPU the application\'s backend uses, and none of the console\'s own or another database\'s', async () => {
    const meter = await CpuWaitMeter.open(s);
    if (typeof meter === 'string') throw new Error(`no meter on a server on this host: ${meter}`);
    await meter.relist();
    const pids = (meter as unknown as { pids: number[] }).pids;
    expect(pids).toContain(pidOf(app));
    for (const pid of [s.pid, sibling.pid, pidOf(elsewhere)]) expect(pids).not.toContain(pid);

    meter.mark();
    // The console's sibling and the other database's backend burn CPU: not the application's.
    await Promise.all([
      sibling.query('SELECT count(g) FROM (SELECT generate_series(1, 3000000) AS g) s'),
      elsewhere.query('SELECT count(g) FROM (SELECT generate_series(1, 3000000) AS g) s'),
    ]);
    const idle = meter.window()!;
    expect(idle.runMs).toBeLessThan(5);

    await app.query('SELECT count(g) FROM (SELECT generate_series(1, 3000000) AS g) s');
    const busy = meter.window()!;
    // Three million rows take well over 50 ms of CPU on any machine this runs on.
    expect(busy.runMs).toBeGreaterThan(50);
    expect(busy.waitMs).toBeGreaterThanOrEqual(0);
  });

  it('is read by a backfill beside a busy application backend: its decisions carry the CPU-wait ratio', async () => {
    const w = await db.session();
    await w.enableWrite();
    // The application: one backend busy on the CPU until cancelled.
    const busy = app.query('SELECT count(g) FROM (SELECT generate_series(1, 10000000000) AS g) s').catch((err: Error) => err);
    const timings: BatchTiming[] = [];
    try {
      const r = await startBackfill(w, { table: '"C; s"."t ""x"""', column: 'org', source: { kind: 'constant', value: '3' } },
        { batchSize: 1000, onBatch: (t) => timings.push(t) });
      expect(r).toMatchObject({ status: 'done', rowsDone: 500000, nullsLeft: 0 });
    } finally {
      await w.query('SELECT pg_cancel_backend($1)', [pidOf(app)]);
      await busy;
      await w.close();
    }
    // Its value depends on the cores free; that it is measured at all needs both windows, during batches and at rest.
    expect(timings.some((t) => t.cpuWaitRatio !== null)).toBe(true);
  });
});
