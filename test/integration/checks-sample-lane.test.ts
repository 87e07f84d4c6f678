/**
 * Sample rows are read on a second session while the main one scans on (the profile's
 * scanSessions: 2, the default), on the main session alone with scanSessions: 1, and on the main
 * session when the server refuses the second connection. Every way gives the same findings.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRun } from '../../shared/findings.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { APPLICATION_NAME } from '../../main/engine/config.js';
import { loadModel } from '../../main/engine/model/load.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { NOTES_AND_LOCKED_ITEMS_SQL } from '../support/locked-table-fixture.js';

const user = `lane_${crypto.randomBytes(4).toString('hex')}`;
const password = crypto.randomBytes(8).toString('hex');
let db: TestDatabase;

beforeAll(async () => {
  // a_notes (scanned first) has 3 NULL-tenant rows and 2 rows of a missing tenant 99; b_items is
  // the table the test locks, so the main session waits on it while a_notes' samples are read.
  db = await createTestDatabase(`${NOTES_AND_LOCKED_ITEMS_SQL}
    -- Every table counts as large (no pass is pooled, pass-pool.ts): this file is about the lane.
    DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET min_parallel_table_scan_size = 0', current_database()); END $$;
    CREATE ROLE ${user} LOGIN PASSWORD '${password}' CONNECTION LIMIT 1;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${user};`);
});
afterAll(async () => {
  await db?.drop();
  await db?.exec(`DROP ROLE IF EXISTS ${user}`).catch(() => undefined);
});

/** The console's backends on this database, and whether one of them waits on a lock. */
const CONSOLE_BACKENDS = `SELECT count(*) AS n, bool_or(wait_event_type = 'Lock') AS waiting FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`;

/** What a user reads off the row findings: check, table, count and how many sample rows, each of the right kind. */
function rowFindings(run: CheckRun) {
  return run.findings.filter((f) => f.check === 'null-tenant-rows' || f.check === 'orphan-tenant-rows').map((f) => {
    const ok = f.sample!.every((r) => (f.check === 'null-tenant-rows' ? r.org_id === undefined : r.org_id === '99'));
    return [f.check, f.table, f.count, f.sample!.length, ok];
  });
}

const EXPECTED = [['null-tenant-rows', 'a_notes', 3, 3, true], ['orphan-tenant-rows', 'a_notes', 2, 2, true]];

/** Run an exact check while b_items is locked; `whileBlocked` sees the console's backends when the main session waits on the lock. */
async function runBlocked(session: Session, whileBlocked: () => Promise<void>): Promise<CheckRun> {
  const model = await loadModel(session);
  const holder = await db.holding('LOCK TABLE b_items IN ACCESS EXCLUSIVE MODE');
  const run = runChecks(session, model, { mode: 'exact' });
  try {
    await whileBlocked();
  } finally {
    await holder.query('COMMIT');
    await holder.end();
  }
  return run;
}

describe('sample rows read off the critical path', () => {
  it('reads the samples on a second session while the main one waits on the next table (scanSessions 2)', async () => {
    const s = await db.session({ scanSessions: 2, lockTimeoutMs: 0 });
    const run = await runBlocked(s, async () => {
      // Both console sessions are open while the main one is blocked on b_items, and a_notes'
      // samples have been read: the second session is idle again.
      await db.until(`SELECT n = 2 AND waiting AS ok FROM (${CONSOLE_BACKENDS}) c`, [APPLICATION_NAME]);
      await db.until(`SELECT count(*) = 1 AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND state = 'idle'`, [APPLICATION_NAME]);
    });
    expect(rowFindings(run)).toEqual(EXPECTED);
    // The second session is closed when the run returns.
    await db.until(`SELECT n = 1 AS ok FROM (${CONSOLE_BACKENDS}) c`, [APPLICATION_NAME]);
    await s.close();
    await db.until(`SELECT n = 0 AS ok FROM (${CONSOLE_BACKENDS}) c`, [APPLICATION_NAME]);
  });

  it('keeps to one session with scanSessions 1, with the same findings', async () => {
    const s = await db.session({ scanSessions: 1, lockTimeoutMs: 0 });
    const run = await runBlocked(s, async () => {
      await db.until(`SELECT waiting AS ok FROM (${CONSOLE_BACKENDS}) c`, [APPLICATION_NAME]);
      const { rows } = await db.exec(CONSOLE_BACKENDS, [APPLICATION_NAME]);
      expect(Number(rows[0].n)).toBe(1);
    });
    expect(rowFindings(run)).toEqual(EXPECTED);
    await s.close();
  });

  it('reads the samples on the main session when the server refuses a second connection', async () => {
    const { profile, urlPassword } = profileFromUrl(db.urlAs(user, password), { scanSessions: 2 });
    const s = await Session.open(profile, { password: urlPassword });
    try {
      const run = await runChecks(s, await loadModel(s), { mode: 'exact' });
      expect(rowFindings(run)).toEqual(EXPECTED);
    } finally {
      await s.close();
    }
  });

  it('rejects a profile asking for more sessions than a check opens', () => {
    expect(() => profileFromUrl(db.url, { scanSessions: 3 })).toThrow(/scanSessions|2/);
  });
});
