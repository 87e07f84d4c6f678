/**
 * Large passes run two at once, on one backend each (pass-pool.ts pairLargePasses): while one
 * session waits on a locked table, the other scans every other table, each with the FK that its
 * own pass does not answer. The findings, facts and skips are those of one session, in plan
 * order, and the session's max_parallel_workers_per_gather is given back after the run, also
 * when it fails. The database's min_parallel_table_scan_size of 8 kB makes these tables of a few
 * hundred kB large enough to pair (16 times it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRun } from '../../shared/findings.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { APPLICATION_NAME } from '../../main/engine/config.js';
import { CancelledError } from '../../main/engine/errors.js';
import { loadModel } from '../../main/engine/model/load.js';
import type { Session } from '../../main/engine/session.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;

beforeAll(async () => {
  // orders: 3 NULL-tenant rows, 2 of a missing tenant 99. items: 2 rows whose order has another
  // tenant (answered in the items pass). logs: org_id is bigint, so its FK to orders is a join of
  // its own, run after its pass; 4 rows point at an order of another tenant. m_locked: the table
  // the test locks. tags: clean.
  db = await createTestDatabase(`
    DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET min_parallel_table_scan_size = ''8kB''', current_database()); END $$;
    CREATE TABLE organizations (id int PRIMARY KEY, name text);
    INSERT INTO organizations SELECT g, 'Org ' || g FROM generate_series(1, 3) g;
    CREATE TABLE orders (id int PRIMARY KEY, org_id int, note text);
    INSERT INTO orders SELECT g, CASE WHEN g <= 3 THEN NULL WHEN g <= 5 THEN 99 ELSE 1 + g % 3 END, repeat('o', 20) FROM generate_series(1, 4000) g;
    CREATE TABLE items (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, order_id int REFERENCES orders, note text);
    INSERT INTO items SELECT g, CASE WHEN g IN (100, 200) THEN 1 + (g + 1) % 3 ELSE 1 + g % 3 END, g, repeat('i', 20) FROM generate_series(6, 4000) g;
    CREATE TABLE logs (id int PRIMARY KEY, org_id bigint NOT NULL, order_id int REFERENCES orders, note text);
    INSERT INTO logs SELECT g, CASE WHEN g IN (10, 20, 30, 40) THEN 1 + (g + 1) % 3 ELSE 1 + g % 3 END, g, repeat('l', 20) FROM generate_series(6, 4000) g;
    CREATE TABLE m_locked (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, note text);
    INSERT INTO m_locked SELECT g, 1 + g % 3, repeat('m', 20) FROM generate_series(1, 4000) g;
    CREATE TABLE tags (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, note text);
    INSERT INTO tags SELECT g, 1 + g % 3, repeat('t', 20) FROM generate_series(1, 4000) g;
    ANALYZE;`);
});
afterAll(async () => {
  await db?.drop();
});

/** What a user reads off a run: each finding's check, table, constraint, count and sample size; each table's facts; what was not checked. */
function outcome(run: CheckRun) {
  return {
    findings: run.findings.filter((f) => f.count !== undefined).map((f) => [f.check, f.table, f.constraint ?? '', f.count ?? null, f.sample?.length ?? null]),
    tables: run.tables.map((t) => [t.table, t.rows, t.nullTenant, t.orphanTenant]),
    skipped: run.skipped,
  };
}

const CONSOLE_BACKENDS = `SELECT count(*) AS n, count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`;
const workers = async (s: Session) => (await s.query<{ v: string }>("SELECT current_setting('max_parallel_workers_per_gather') AS v")).rows[0]!.v;

/** Run an exact check while m_locked is locked; `atBlock` runs once a console backend waits on the lock. */
async function runBlocked(session: Session, atBlock: (scanned: string[], scannedAll: (names: string[]) => Promise<void>) => Promise<void>, signal?: AbortSignal): Promise<CheckRun> {
  const model = await loadModel(session);
  const scanned: string[] = [];
  const waiters: (() => void)[] = [];
  const scannedAll = (names: string[]) => new Promise<void>((resolve) => {
    const check = () => (names.every((n) => scanned.includes(n)) ? (resolve(), true) : false);
    if (!check()) waiters.push(() => void check());
  });
  const holder = await db.holding('LOCK TABLE m_locked IN ACCESS EXCLUSIVE MODE');
  const run = runChecks(session, model, { mode: 'exact', ...(signal ? { signal } : {}), onScan: (t) => {
    scanned.push(t.table);
    for (const w of waiters) w();
  } });
  run.catch(() => undefined);
  try {
    await db.until(`SELECT waiting = 1 AS ok FROM (${CONSOLE_BACKENDS}) c`, [APPLICATION_NAME]);
    await atBlock(scanned, scannedAll);
  } finally {
    await holder.query('COMMIT');
    await holder.end();
  }
  return run;
}

describe('large tables scanned two at once, one backend each', () => {
  let oneSession: ReturnType<typeof outcome>;

  it('finds every planted row on one session (scanSessions 1)', async () => {
    const s = await db.session({ scanSessions: 1 });
    oneSession = outcome(await runChecks(s, await loadModel(s), { mode: 'exact' }));
    await s.close();
    expect(oneSession.findings).toContainEqual(['null-tenant-rows', 'orders', '', 3, 3]);
    expect(oneSession.findings).toContainEqual(['orphan-tenant-rows', 'orders', '', 2, 2]);
    expect(oneSession.findings.filter((f) => f[0] === 'cross-tenant-reference').map((f) => [f[1], f[3]])).toEqual([['items', 2], ['logs', 4]]);
    expect(oneSession.tables).toEqual([['items', 3995, 0, 0], ['logs', 3995, 0, 0], ['m_locked', 4000, 0, 0], ['orders', 4000, 3, 2], ['tags', 4000, 0, 0]]);
    expect(oneSession.skipped).toEqual([]);
  });

  it('scans every other table, and its FK join, on the second session while one waits on a lock; same outcome', async () => {
    const s = await db.session({ scanSessions: 2, lockTimeoutMs: 0 });
    await s.query('SET max_parallel_workers_per_gather = 1');
    const run = await runBlocked(s, async (scanned, scannedAll) => {
      // A test that times out here means the other tables waited behind the locked one.
      await scannedAll(['items', 'logs', 'orders', 'tags']);
      expect(scanned).not.toContain('m_locked');
      const { rows } = await db.exec(CONSOLE_BACKENDS, [APPLICATION_NAME]);
      expect([Number(rows[0].n), Number(rows[0].waiting)]).toEqual([2, 1]);
    });
    expect(outcome(run)).toEqual(oneSession);
    expect(await workers(s)).toBe('1');
    await s.close();
  });

  it('gives the session its max_parallel_workers_per_gather back when the run is cancelled', async () => {
    // statement_timeout far above the 30 s the wait below allows: only the cancel can end the blocked scan in time.
    const s = await db.session({ scanSessions: 2, lockTimeoutMs: 0, statementTimeoutMs: 100_000 });
    await s.query('SET max_parallel_workers_per_gather = 1');
    const abort = new AbortController();
    // The lock is released only once the cancel has landed (no console backend waits on it any
    // more): released at once, the blocked scan could finish before the cancel request arrived.
    const run = runBlocked(s, async () => {
      abort.abort();
      await db.until(`SELECT waiting = 0 AS ok FROM (${CONSOLE_BACKENDS}) c`, [APPLICATION_NAME]);
    }, abort.signal);
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(await workers(s)).toBe('1');
    await s.close();
  });

  it('keeps one pass at a time when the server runs no query in parallel, with the same outcome', async () => {
    const s = await db.session({ scanSessions: 2, lockTimeoutMs: 0 });
    await s.query('SET max_parallel_workers_per_gather = 0');
    const run = await runBlocked(s, async (scanned) => {
      expect(scanned).toEqual(['items', 'logs']);
    });
    expect(outcome(run)).toEqual(oneSession);
    await s.close();
  });
});
