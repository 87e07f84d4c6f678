/**
 * The lint's safe rewrites, run on real PostgreSQL: each takes the weaker lock it promises, seen in
 * pg_locks from a second session while it runs (transactional ones held open in a transaction;
 * CONCURRENTLY ones caught while they wait for an older transaction), and the unsafe original takes
 * the stronger one.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lintFiles } from '../../main/engine/migrations/lint.js';
import type { LintRuleId } from '../../shared/migrations.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const FIXTURE = `
CREATE TABLE orgs (id int PRIMARY KEY);
INSERT INTO orgs SELECT g FROM generate_series(1, 3) g;
CREATE TABLE items (id int PRIMARY KEY, org_id int, sku text, qty int);
INSERT INTO items SELECT g, g % 3 + 1, 'sku' || g, g FROM generate_series(1, 500) g;
CREATE INDEX items_sku_old ON items (sku);
CREATE MATERIALIZED VIEW item_totals AS SELECT org_id, count(*) AS n FROM items GROUP BY org_id;
CREATE UNIQUE INDEX item_totals_org ON item_totals (org_id);
CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
`;

let db: TestDatabase;
const clients: pg.Client[] = [];

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  clients.push(c);
  return c;
}

const pidOf = async (c: pg.Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

/** Lock modes a backend holds (granted) on a relation, as pg_locks names them. */
async function modesOn(watcher: pg.Client, pid: number, relation: string): Promise<string[]> {
  const r = await watcher.query<{ mode: string }>(
    'SELECT mode FROM pg_catalog.pg_locks WHERE pid = $1 AND granted AND relation = $2::regclass ORDER BY mode', [pid, relation]);
  return r.rows.map((x) => x.mode);
}

/** The runnable statements of a rewrite part (comments dropped), as the linter wrote them. */
async function rewriteOf(rule: LintRuleId, sql: string, part = 0): Promise<string> {
  const f = (await lintFiles([{ file: 'm.sql', sql }])).find((x) => x.rule === rule);
  expect(f?.rewrite, `${rule} rewrite`).toBeTruthy();
  return f!.rewrite!.split(/^-- next migration:.*$/m)[part]!.replace(/--[^\n]*/g, '').trim();
}

const ORDER = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
/** The strongest of the modes held. */
const strongest = (modes: string[]) => modes.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a), 'none');

/** Run `sql` in an open transaction on a fresh session and return its locks on `relation`. */
async function locksInTransaction(sql: string, relation: string): Promise<string[]> {
  const runner = await client();
  const watcher = await client();
  await runner.query('BEGIN');
  await runner.query(sql);
  const modes = await modesOn(watcher, await pidOf(runner), relation);
  await runner.query('ROLLBACK');
  return modes;
}

/**
 * Run a non-transactional statement while an older transaction holds a snapshot, so it waits
 * part-way; read its locks then, release the old transaction, and let it finish.
 */
async function locksWhileWaiting(sql: string, relation: string, touch = 'SELECT count(*) FROM items', during?: () => Promise<void>): Promise<string[]> {
  const old = await client();
  const runner = await client();
  const watcher = await client();
  await old.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  await old.query(touch);
  const pid = await pidOf(runner);
  const done = runner.query(sql);
  let modes: string[] = [];
  await expect.poll(async () => {
    const waiting = await watcher.query('SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = $1 AND wait_event_type = $2', [pid, 'Lock']);
    if (waiting.rowCount) modes = await modesOn(watcher, pid, relation);
    return waiting.rowCount;
  }, { timeout: 15_000 }).toBe(1);
  await during?.();
  await old.query('COMMIT');
  await done;
  return modes;
}

describe('safe rewrites take the weaker lock they promise', () => {
  beforeAll(async () => {
    db = await createTestDatabase(FIXTURE);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });
  afterAll(async () => db?.drop());

  it('CREATE INDEX CONCURRENTLY: SHARE UPDATE EXCLUSIVE instead of SHARE', async () => {
    const unsafe = 'CREATE INDEX items_org ON items (org_id)';
    expect(await locksInTransaction(unsafe, 'items')).toContain('ShareLock');
    const rewrite = await rewriteOf('index-not-concurrent', `${unsafe};`);
    expect(rewrite).toBe('CREATE INDEX CONCURRENTLY items_org ON items (org_id);');
    const modes = await locksWhileWaiting(rewrite, 'items');
    expect(modes).toContain('ShareUpdateExclusiveLock');
    expect(modes).not.toContain('ShareLock');
  });

  it('DROP INDEX CONCURRENTLY: no ACCESS EXCLUSIVE on the table', async () => {
    expect(await locksInTransaction('DROP INDEX items_sku_old', 'items')).toContain('AccessExclusiveLock');
    const rewrite = await rewriteOf('drop-index-not-concurrent', 'DROP INDEX items_sku_old;');
    const modes = await locksWhileWaiting(rewrite, 'items');
    expect(modes).toContain('ShareUpdateExclusiveLock');
    expect(modes).not.toContain('AccessExclusiveLock');
  });

  it('FOREIGN KEY NOT VALID, then VALIDATE under SHARE UPDATE EXCLUSIVE (the scan no longer blocks writes)', async () => {
    const unsafe = 'ALTER TABLE items ADD CONSTRAINT items_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);';
    const add = await rewriteOf('constraint-not-valid-missing', unsafe, 0);
    const validate = await rewriteOf('constraint-not-valid-missing', unsafe, 1);
    expect(add).toMatch(/NOT VALID;$/);
    await db.exec(add);
    const modes = await locksInTransaction(validate, 'items');
    expect(strongest(modes)).toBe('ShareUpdateExclusiveLock');
    await db.exec(validate);
    const valid = await db.exec("SELECT convalidated FROM pg_catalog.pg_constraint WHERE conname = 'items_org_fk'");
    expect(valid.rows[0].convalidated).toBe(true);
  });

  it('SET NOT NULL the safe way: the scan (VALIDATE) takes SHARE UPDATE EXCLUSIVE, SET NOT NULL then skips it', async () => {
    const unsafe = 'ALTER TABLE items ALTER COLUMN qty SET NOT NULL;';
    const first = await rewriteOf('not-null-without-check', unsafe, 0);
    const rest = (await rewriteOf('not-null-without-check', unsafe, 1)).split('\n');
    await db.exec(first);
    expect(await locksInTransaction(rest[0]!, 'items')).toEqual(['ShareUpdateExclusiveLock']);
    for (const stmt of rest) await db.exec(stmt);
    const col = await db.exec("SELECT attnotnull FROM pg_catalog.pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'qty'");
    expect(col.rows[0].attnotnull).toBe(true);
  });

  it('REFRESH MATERIALIZED VIEW CONCURRENTLY: EXCLUSIVE instead of ACCESS EXCLUSIVE (reads go on)', async () => {
    expect(await locksInTransaction('REFRESH MATERIALIZED VIEW item_totals', 'item_totals')).toContain('AccessExclusiveLock');
    const rewrite = await rewriteOf('blocking-maintenance', 'REFRESH MATERIALIZED VIEW item_totals;');
    const modes = await locksInTransaction(rewrite, 'item_totals');
    expect(modes).toContain('ExclusiveLock');
    expect(modes).not.toContain('AccessExclusiveLock');
  });

  it('DETACH PARTITION CONCURRENTLY: reads of the partitioned table go on while it waits', async () => {
    expect(await locksInTransaction('ALTER TABLE events DETACH PARTITION events_2023', 'events')).toContain('AccessExclusiveLock');
    const rewrite = await rewriteOf('detach-partition-not-concurrent', 'ALTER TABLE events DETACH PARTITION events_2023;');
    const other = await client();
    await other.query("SET statement_timeout = '3s'");
    const modes = await locksWhileWaiting(rewrite, 'events', 'SELECT count(*) FROM events', async () => {
      await other.query('SELECT count(*) FROM events');
    });
    expect(modes).not.toContain('AccessExclusiveLock');
    const parts = await db.exec("SELECT count(*)::int AS n FROM pg_catalog.pg_inherits WHERE inhparent = 'events'::regclass");
    expect(parts.rows[0].n).toBe(0);
  });

  it('ADD COLUMN without the volatile default, then SET DEFAULT: no table rewrite (same relfilenode)', async () => {
    const before = (await db.exec("SELECT relfilenode FROM pg_catalog.pg_class WHERE relname = 'items'")).rows[0].relfilenode;
    const rewrite = await rewriteOf('volatile-default', 'ALTER TABLE items ADD COLUMN token uuid DEFAULT gen_random_uuid();');
    for (const stmt of rewrite.split('\n').filter(Boolean)) await db.exec(stmt);
    const after = (await db.exec("SELECT relfilenode FROM pg_catalog.pg_class WHERE relname = 'items'")).rows[0].relfilenode;
    expect(after).toBe(before);
    await db.exec('INSERT INTO items (id, qty) VALUES (10001, 1)');
    expect((await db.exec('SELECT token FROM items WHERE id = 10001')).rows[0].token).toMatch(/^[0-9a-f-]{36}$/);
  });
});
