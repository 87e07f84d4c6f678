/**
 * The backfill's counts (count.ts). The full-table counts run on its one backend: the database here
 * plans a parallel scan for any table (parallel costs 0, an 8 kB minimum), and the count must not
 * use it, must count right, and must give the session its setting back. A fresh start on an
 * analyzed table reports the planner's estimate, says so, and ends with the exact count; a table
 * never analyzed is counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOnOneBackend, estimateNulls } from '../../main/engine/backfill/count.js';
import { startBackfill } from '../../main/engine/backfill/run.js';
import type { BackfillProgress } from '../../shared/backfill.js';
import { nullCountSql } from '../../main/engine/backfill/sql.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase(`
    DO $$ BEGIN
      EXECUTE format('ALTER DATABASE %I SET min_parallel_table_scan_size = ''8kB''', current_database());
      EXECUTE format('ALTER DATABASE %I SET parallel_setup_cost = 0', current_database());
      EXECUTE format('ALTER DATABASE %I SET parallel_tuple_cost = 0', current_database());
    END $$;
    CREATE TABLE "Order ""Lines""" (id int PRIMARY KEY, "org id" int, note text);
    INSERT INTO "Order ""Lines""" SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 1 END, repeat('n', 40) FROM generate_series(1, 20000) g;
    ANALYZE;`);
});
afterAll(async () => {
  await db?.drop();
});

const target = { schema: 'public', table: 'Order "Lines"', column: 'org id' } as Parameters<typeof nullCountSql>[0];
const setting = async (s: Awaited<ReturnType<TestDatabase['session']>>) =>
  (await s.query<{ v: string }>("SELECT current_setting('max_parallel_workers_per_gather') AS v")).rows[0]!.v;

describe('the backfill counts NULLs on one backend', () => {
  it('the same count planned on its own goes parallel here (the twin)', async () => {
    const s = await db.session();
    const plan = (await s.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${nullCountSql(target)}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Gather/);
  });

  it('counts the NULLs right, with no parallel workers, and leaves the session as it was', async () => {
    const s = await db.session();
    const before = await setting(s);
    expect(Number(before)).toBeGreaterThan(0);
    expect(await countOnOneBackend(s, nullCountSql(target))).toBe(2857);
    const inside = await countOnOneBackend(s, "SELECT count(*)::bigint AS n FROM pg_settings WHERE name = 'max_parallel_workers_per_gather' AND setting = '0'");
    expect(inside).toBe(1);
    expect(await setting(s)).toBe(before);
  });
});

describe('the NULLs remaining at a fresh start', () => {
  const fill = async (table: string) => {
    const s = await db.session();
    await s.enableWrite();
    const events: BackfillProgress[] = [];
    const r = await startBackfill(s, { table: `public.${table}`, column: 'org id', source: { kind: 'constant', value: '4' } },
      { batchSize: 5000, targetBatchMs: 0, dutyCycle: 1, onProgress: (e) => events.push(e) });
    await s.close();
    return { r, first: events[0]!, last: events[events.length - 1]! };
  };

  it('an analyzed table: the estimate, marked as one, then the exact count at the end', async () => {
    await db.exec(`CREATE TABLE analyzed (id int PRIMARY KEY, "org id" int);
      INSERT INTO analyzed SELECT g, CASE WHEN g % 4 = 0 THEN 1 END FROM generate_series(1, 40000) g;
      ANALYZE analyzed;`);
    const { r, first, last } = await fill('analyzed');
    expect(first).toMatchObject({ phase: 'counting', remainingEstimated: true });
    expect(Math.abs(first.remaining - 30000)).toBeLessThan(1500);
    expect(r).toMatchObject({ status: 'done', rowsDone: 30000, nullsLeft: 0 });
    expect(last).toMatchObject({ phase: 'done', remaining: 0, remainingEstimated: false });
  });

  it('a column added since the last ANALYZE counts as NULL in every row', async () => {
    await db.exec(`CREATE TABLE added (id int PRIMARY KEY);
      INSERT INTO added SELECT generate_series(1, 12000);
      ANALYZE added;
      ALTER TABLE added ADD COLUMN "org id" int;`);
    const s = await db.session();
    const est = await estimateNulls(s, { schema: 'public', table: 'added', column: 'org id' } as Parameters<typeof estimateNulls>[1]);
    await s.close();
    expect(est).toBe(12000);
  });

  it('a table never analyzed (the twin): counted exactly, not estimated', async () => {
    await db.exec(`CREATE TABLE fresh (id int PRIMARY KEY, "org id" int) WITH (autovacuum_enabled = false);
      INSERT INTO fresh SELECT g, CASE WHEN g % 3 = 0 THEN 1 END FROM generate_series(1, 9000) g;`);
    const { first } = await fill('fresh');
    expect(first).toMatchObject({ phase: 'counting', remaining: 6000, remainingEstimated: false });
  });
});
