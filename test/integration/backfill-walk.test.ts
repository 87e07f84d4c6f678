/**
 * How batches find their rows (walk.ts): a dense integer key walks ranges of key values once a
 * batch has measured the density, a sparse one and every other key type count keys off the index, and a range walk
 * that meets a sparse stretch falls back to counting keys. Every row filled exactly once either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill, type BatchTiming } from '../../main/engine/backfill/run.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const FIXTURE = `
  CREATE SCHEMA "W; s";
  CREATE TABLE "W; s".upd_log (tbl text, id bigint);
  CREATE FUNCTION "W; s".log_upd() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO "W; s".upd_log VALUES (TG_TABLE_NAME, NEW."k ""id"""); RETURN NEW; END $$;
`;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
});
afterAll(async () => {
  await db?.drop();
});

/** A table keyed by `type` holding the keys `keys` (a SQL set expression); rows whose key satisfies `filled` start filled. */
async function table(name: string, type: string, keys: string, filled = 'false'): Promise<void> {
  await db.exec(`
    CREATE TABLE "W; s"."${name}" ("k ""id""" ${type} PRIMARY KEY, "Org" int);
    INSERT INTO "W; s"."${name}" SELECT k, CASE WHEN ${filled} THEN 7 END FROM (${keys}) s(k);
    CREATE TRIGGER upd AFTER UPDATE OF "Org" ON "W; s"."${name}" FOR EACH ROW EXECUTE FUNCTION "W; s".log_upd();`);
}

async function fill(name: string, opts: { batchSize: number; targetBatchMs?: number }) {
  const s = await db.session();
  await s.enableWrite();
  const batches: BatchTiming[] = [];
  try {
    const r = await startBackfill(s, { table: `"W; s"."${name}"`, column: 'Org', source: { kind: 'constant', value: '3' } },
      { targetBatchMs: 0, ...opts, dutyCycle: 1, onBatch: (b) => batches.push(b) });
    const log = (await db.exec(`SELECT count(*)::int AS rows, count(DISTINCT id)::int AS keys FROM "W; s".upd_log WHERE tbl = $1`, [name])).rows[0];
    const left = (await db.exec(`SELECT count(*)::int AS n FROM "W; s"."${name}" WHERE "Org" IS NULL`)).rows[0].n;
    return { r, batches, walks: batches.map((b) => b.walk), updates: log.rows as number, keys: log.keys as number, left: left as number };
  } finally {
    await s.close();
  }
}

describe('backfill walk', () => {
  it('walks ranges of key values after the first batch on a dense integer key, every row filled once', async () => {
    await table('dense; t', 'bigint', 'SELECT generate_series(1, 3000)', 'k % 10 = 0');
    const f = await fill('dense; t', { batchSize: 400 });
    // The first batch has no key before it to measure the density from; the second measures it.
    expect(f.walks.slice(0, 2)).toEqual(['keys', 'keys']);
    expect(f.walks.slice(2).every((w) => w === 'range')).toBe(true);
    expect(f.r).toMatchObject({ status: 'done', rowsDone: 2700, batches: 8, nullsLeft: 0 });
    expect(f).toMatchObject({ updates: 2700, keys: 2700, left: 0 });
    // Each range batch holds at most its size in rows, whatever the density.
    expect(Math.max(...f.batches.map((b) => b.updated))).toBeLessThanOrEqual(400);
  });

  it('counts keys on a sparse integer key and on a text key', async () => {
    await table('sparse; t', 'integer', 'SELECT g * 10 FROM generate_series(1, 1500) g');
    const sparse = await fill('sparse; t', { batchSize: 300 });
    expect(new Set(sparse.walks)).toEqual(new Set(['keys']));
    expect(sparse).toMatchObject({ updates: 1500, keys: 1500, left: 0 });

    await db.exec(`CREATE TABLE "W; s"."text; t" ("k ""id""" text PRIMARY KEY, "Org" int); INSERT INTO "W; s"."text; t" SELECT 'r' || g FROM generate_series(1, 700) g`);
    const text = await fill('text; t', { batchSize: 200 });
    expect(new Set(text.walks)).toEqual(new Set(['keys']));
    expect(text.r).toMatchObject({ rowsDone: 700, nullsLeft: 0 });
  });

  it('falls back to counting keys, with a smaller batch, when a range walk meets a sparse stretch, and back when it is dense again', async () => {
    await table('gap; t', 'bigint', 'SELECT generate_series(1, 2000) UNION ALL SELECT g * 50 FROM generate_series(41, 400) g UNION ALL SELECT generate_series(30001, 33000)');
    const f = await fill('gap; t', { batchSize: 500, targetBatchMs: 100 });
    const firstKeysAfterRange = f.walks.findIndex((w, i) => i > 0 && w === 'keys' && f.walks[i - 1] === 'range');
    expect(f.walks[2]).toBe('range');
    expect(firstKeysAfterRange).toBeGreaterThan(2);
    // The fallback batch takes at most twice the rows the sparse range found (at least the smallest batch).
    const sparseRange = f.batches[firstKeysAfterRange - 1]!;
    expect(f.batches[firstKeysAfterRange]!.size).toBeLessThanOrEqual(Math.max(10, 2 * sparseRange.updated));
    expect(f.walks.lastIndexOf('range')).toBeGreaterThan(firstKeysAfterRange);
    expect(f).toMatchObject({ updates: 2000 + 360 + 3000, keys: 5360, left: 0 });
  });

  it('clamps a range at the largest value of the key type, and walks negative keys', async () => {
    await table('max; t', 'integer', 'SELECT generate_series(2147483647 - 999, 2147483647)');
    const top = await fill('max; t', { batchSize: 300 });
    expect(top.walks.slice(2).every((w) => w === 'range')).toBe(true);
    expect(top).toMatchObject({ updates: 1000, keys: 1000, left: 0 });

    await table('neg; t', 'smallint', 'SELECT generate_series(-32768, -32768 + 899)');
    const neg = await fill('neg; t', { batchSize: 250 });
    expect(neg.walks.slice(2).every((w) => w === 'range')).toBe(true);
    expect(neg).toMatchObject({ updates: 900, keys: 900, left: 0 });
  });
});
