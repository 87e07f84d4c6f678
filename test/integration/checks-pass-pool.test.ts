/**
 * Passes over small tables (under min_parallel_table_scan_size, so serial on the server) run two
 * at once, on the main session and the second one: while one pass waits on a locked table, the
 * other session scans the tables after it. With one session allowed, or with no parallel query on
 * the server, they stay one at a time (and with fewer than POOL_MIN_PASSES small tables: checks-sample-lane). Every way gives the same findings and facts, in plan order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRun } from '../../shared/findings.js';
import { POOL_MIN_PASSES } from '../../main/engine/checks/pass-pool.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { APPLICATION_NAME } from '../../main/engine/config.js';
import { loadModel } from '../../main/engine/model/load.js';
import type { Session } from '../../main/engine/session.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { NOTES_AND_LOCKED_ITEMS_SQL } from '../support/locked-table-fixture.js';

let db: TestDatabase;

beforeAll(async () => {
  // a_notes: 3 NULL-tenant rows and 2 of a missing tenant 99 (samples to read); b_items: the
  // table the test locks; c_tags: 2 rows whose tenant differs from their a_notes parent's.
  db = await createTestDatabase(`${NOTES_AND_LOCKED_ITEMS_SQL}
    CREATE TABLE c_tags (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, note_id int REFERENCES a_notes);
    INSERT INTO c_tags SELECT g, CASE WHEN g <= 7 THEN 1 + (g + 1) % 3 ELSE 1 + g % 3 END, g FROM generate_series(6, 40) g;
    -- Enough small tables for the run to pool them (POOL_MIN_PASSES), all clean.
    DO $$ BEGIN FOR i IN 1..${POOL_MIN_PASSES} LOOP
      EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations)', 'z_' || lpad(i::text, 3, '0'));
      EXECUTE format('INSERT INTO %I SELECT g, 1 + g %% 3 FROM generate_series(1, 5) g', 'z_' || lpad(i::text, 3, '0'));
    END LOOP; END $$;
    ANALYZE;`);
});
afterAll(async () => {
  await db?.drop();
});

/** What a user reads off a run: each finding's check, table and count, and each table's facts. */
function outcome(run: CheckRun) {
  return {
    findings: run.findings.map((f) => [f.check, f.table, f.constraint ?? '', f.count ?? null, f.sample?.length ?? null]),
    tables: run.tables.map((t) => [t.table, t.rows, t.nullTenant, t.orphanTenant]),
  };
}

/** The console's backends on this database, and how many wait on a lock. */
const CONSOLE_BACKENDS = `SELECT count(*) AS n, count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`;

/**
 * Run an exact check while b_items is locked; once a console backend waits on the lock, return
 * the tables scanned so far (and the run, after the lock is released).
 */
async function runBlocked(session: Session, atBlock: (scanned: string[], scannedAll: (names: string[]) => Promise<void>) => Promise<void>): Promise<CheckRun> {
  const model = await loadModel(session);
  const scanned: string[] = [];
  const waiters: (() => void)[] = [];
  const scannedAll = (names: string[]) => new Promise<void>((resolve) => {
    const check = () => (names.every((n) => scanned.includes(n)) ? (resolve(), true) : false);
    if (!check()) waiters.push(() => void check());
  });
  const holder = await db.holding('LOCK TABLE b_items IN ACCESS EXCLUSIVE MODE');
  const run = runChecks(session, model, { mode: 'exact', onScan: (t) => {
    scanned.push(t.table);
    for (const w of waiters) w();
  } });
  try {
    await db.until(`SELECT waiting = 1 AS ok FROM (${CONSOLE_BACKENDS}) c`, [APPLICATION_NAME]);
    await atBlock(scanned, scannedAll);
  } finally {
    await holder.query('COMMIT');
    await holder.end();
  }
  return run;
}

describe('small tables scanned two at once', () => {
  let oneSession: ReturnType<typeof outcome>;

  it('keeps one pass at a time with scanSessions 1: nothing after the locked table is scanned', async () => {
    const s = await db.session({ scanSessions: 1, lockTimeoutMs: 0 });
    const run = await runBlocked(s, async (scanned) => {
      expect(scanned).toEqual(['a_notes']);
    });
    oneSession = outcome(run);
    expect(oneSession.tables.slice(0, 4)).toEqual([['a_notes', 60, 3, 2], ['b_items', 30, 0, 0], ['c_tags', 35, 0, 0], ['z_001', 5, 0, 0]]);
    expect(oneSession.tables).toHaveLength(3 + POOL_MIN_PASSES);
    expect(oneSession.findings).toContainEqual(['null-tenant-rows', 'a_notes', '', 3, 3]);
    expect(oneSession.findings).toContainEqual(['orphan-tenant-rows', 'a_notes', '', 2, 2]);
    expect(oneSession.findings.filter((f) => f[0] === 'cross-tenant-reference').map((f) => [f[1], f[3]])).toEqual([['c_tags', 2]]);
    await s.close();
  });

  it('scans the tables after a locked one on the second session (scanSessions 2), with the same findings in plan order', async () => {
    const s = await db.session({ scanSessions: 2, lockTimeoutMs: 0 });
    const run = await runBlocked(s, async (scanned, scannedAll) => {
      // One session waits on b_items while the other scans both other tables (a test that times
      // out here means c_tags waited behind the lock).
      await scannedAll(['a_notes', 'c_tags', `z_${String(POOL_MIN_PASSES).padStart(3, '0')}`]);
      const { rows } = await db.exec(CONSOLE_BACKENDS, [APPLICATION_NAME]);
      expect([Number(rows[0].n), Number(rows[0].waiting)]).toEqual([2, 1]);
      expect(scanned).not.toContain('b_items');
    });
    expect(outcome(run)).toEqual(oneSession);
    // The second session is closed when the run returns.
    await db.until(`SELECT n = 1 AS ok FROM (${CONSOLE_BACKENDS}) c`, [APPLICATION_NAME]);
    await s.close();
  });

  it('keeps one pass at a time when the server runs no query in parallel (max_parallel_workers_per_gather 0)', async () => {
    const s = await db.session({ scanSessions: 2, lockTimeoutMs: 0 });
    await s.query('SET max_parallel_workers_per_gather = 0');
    const run = await runBlocked(s, async (scanned) => {
      expect(scanned).toEqual(['a_notes']);
    });
    expect(outcome(run)).toEqual(oneSession);
    await s.close();
  });
});
