/**
 * The backfill's full-table counts run on its one backend (count.ts): the database here plans a
 * parallel scan for any table (parallel costs 0, an 8 kB minimum), and the count must not use it,
 * must count right, and must give the session its setting back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOnOneBackend } from '../../main/engine/backfill/count.js';
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
