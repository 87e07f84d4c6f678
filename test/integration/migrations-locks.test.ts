import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../shared/migrations.js';
import { applyMigrations } from '../../main/engine/migrations/apply.js';
import { readSource } from '../../main/engine/migrations/sources.js';
import { migrationStatus } from '../../main/engine/migrations/status.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { writeFolder } from '../support/migration-folders.js';

// The first statement succeeds, the second needs ACCESS EXCLUSIVE on items: a half-applied
// migration would leave side_effect behind.
const MIGRATION = {
  name: 'add_org',
  sql: "SET lock_timeout = '300ms';\nCREATE TABLE side_effect (id int);\nALTER TABLE items ADD COLUMN org_id int;\n",
};
const BLOCKER_QUERY = 'SELECT count(*) FROM items /* long report */';

describe('apply while another session holds a lock', () => {
  let db: TestDatabase;
  let blocker: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase('CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1);');
  });
  afterEach(async () => blocker?.end().catch(() => undefined));
  afterAll(async () => db?.drop());

  async function holdLock(): Promise<number> {
    blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    const pid = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await blocker.query('BEGIN');
    await blocker.query(BLOCKER_QUERY);
    return pid;
  }

  it('waits at most lock_timeout, retries, reports the blocker and leaves nothing half-applied', async () => {
    const blockerPid = await holdLock();
    const session = await db.session();
    await session.enableWrite();
    const events: ApplyEvent[] = [];
    const started = performance.now();
    const result = await applyMigrations(session, readSource(writeFolder('plain', [MIGRATION]).dir), {
      lockTimeoutMs: 300, retries: 2, backoffMs: 50, watcher: await db.session(), lockPollMs: 50, onEvent: (e) => events.push(e),
    });
    const elapsed = performance.now() - started;
    // Three attempts of at most 300 ms each plus 50 + 100 ms of back-off (and generous slack for a busy machine).
    expect(elapsed).toBeLessThan(3 * 300 + 150 + 2000);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'migration-start')).toHaveLength(3);
    expect(result.failed).toMatchObject({ code: '55P03', statementIndex: 2, line: 3, rolledBack: true });
    expect(result.failed!.blockers.map((b) => [b.pid, b.query])).toContainEqual([blockerPid, BLOCKER_QUERY]);
    expect(result.failed!.blockers[0]!.locks).toContainEqual({ relation: 'items', mode: 'AccessShareLock', granted: true, lockType: 'relation', transaction: null, heldBy: null });
    const lockEvent = events.find((e) => e.type === 'lock');
    expect(lockEvent?.type === 'lock' && lockEvent.event.waitingFor).toContainEqual({ relation: 'items', mode: 'AccessExclusiveLock', lockType: 'relation', transaction: null, heldBy: null });
    expect((await db.exec("SELECT to_regclass('side_effect') AS t")).rows[0].t).toBeNull();
    expect((await db.exec("SELECT to_regclass('tenancy_console.schema_migrations') AS t, (SELECT count(*)::int FROM tenancy_console.schema_migrations) AS n")).rows[0].n).toBe(0);
  });

  it('succeeds on a retry once the blocker lets go', async () => {
    await holdLock();
    const session = await db.session();
    await session.enableWrite();
    const source = readSource(writeFolder('plain', [MIGRATION]).dir);
    const result = await applyMigrations(session, source, {
      lockTimeoutMs: 300, retries: 3, backoffMs: 50,
      onEvent: (e) => {
        if (e.type === 'retry') void blocker.query('COMMIT');
      },
    });
    expect(result.failed).toBeNull();
    expect(result.applied[0]!.attempts).toBe(2);
    expect((await migrationStatus(session, source)).migrations[0]!.state).toBe('applied');
    expect((await db.exec("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'org_id'")).rows[0].n).toBe(1);
  });

  it('aborting while it waits cancels the statement and rolls the migration back', async () => {
    await db.exec('DROP TABLE IF EXISTS side_effect; ALTER TABLE items DROP COLUMN IF EXISTS org_id; TRUNCATE tenancy_console.schema_migrations');
    await holdLock();
    const session = await db.session();
    await session.enableWrite();
    const controller = new AbortController();
    const slow = { name: 'add_org', sql: 'CREATE TABLE side_effect (id int);\nALTER TABLE items ADD COLUMN org_id int;\n' };
    const result = await applyMigrations(session, readSource(writeFolder('plain', [slow]).dir), {
      lockTimeoutMs: 60_000, watcher: await db.session(), lockPollMs: 50, signal: controller.signal, ack: 'all',
      onEvent: (e) => {
        if (e.type === 'lock' && e.event.blockers.length) controller.abort();
      },
    });
    expect(result.cancelled).toBe(true);
    expect(result.failed).toMatchObject({ statementIndex: 1, rolledBack: true, error: 'cancelled by the operator' });
    expect((await db.exec("SELECT to_regclass('side_effect') AS t")).rows[0].t).toBeNull();
  });
});
