/**
 * `migrate apply` shows, before it asks to write (write mode, the typed database name on
 * production), every pending statement's lock and the live lint's estimate of how long it holds it
 * on this server; nothing is written until the confirmation is given.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatementEstimateSchema } from '../../shared/migrations.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { writeFolder, type FixtureFolder } from '../support/migration-folders.js';

const ROWS = 200_000;
let db: TestDatabase;
let configDir: string;
let folder: FixtureFolder;
const env = () => ({ TENANCY_CONFIG_DIR: configDir });

beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE orders (id int PRIMARY KEY, sku text, qty int);
    INSERT INTO orders SELECT g, 'sku-' || (g::bigint * 7919 % ${ROWS}), g % 100 FROM generate_series(1, ${ROWS}) g;
    ANALYZE orders;`);
  configDir = tempConfigDir();
  folder = writeFolder('plain', [
    { name: 'widen', sql: "SET lock_timeout = '5s';\nALTER TABLE orders ALTER COLUMN qty TYPE bigint;\nCREATE INDEX orders_sku ON orders (sku);\nALTER TABLE orders ADD COLUMN note text;\n" },
  ]);
}, 120_000);
afterAll(async () => {
  await db?.drop();
  cleanCli();
  fs.rmSync(configDir, { recursive: true, force: true });
});

const qtyType = async () => (await db.exec("SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'qty'")).rows[0].t;

describe('migrate apply: locks and estimates before the write confirmation', () => {
  it('prints each pending statement with its lock, the table size and an estimate, then stops at the confirmation with nothing written', async () => {
    const r = await runTenancy(['migrate', 'apply', '--dir', folder.dir, '--url', db.url, '--env', 'production', '--write', '--ack-all'], env());
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.split('\n');
    const head = lines.findIndex((l) => l.startsWith('locks and estimated lock time of the pending statements'));
    const refusal = lines.findIndex((l) => /write mode on production needs confirmation/.test(l));
    expect(head, r.stderr).toBeGreaterThanOrEqual(0);
    expect(refusal, r.stderr).toBeGreaterThan(head);
    expect(r.stderr).toMatch(/001_widen\.sql:2 ACCESS EXCLUSIVE on public\.orders \(~200,000 rows\), about [\d.]+ s: ALTER TABLE orders ALTER COLUMN qty TYPE bigint {2}\[column-type-change/);
    expect(r.stderr).toMatch(/001_widen\.sql:3 SHARE on public\.orders \(~200,000 rows\), about [\d.]+ s: CREATE INDEX orders_sku ON orders \(sku\) {2}\[index-not-concurrent\]/);
    expect(r.stderr).toMatch(/001_widen\.sql:4 ACCESS EXCLUSIVE on public\.orders: ALTER TABLE orders ADD COLUMN note text\n/);
    expect(await qtyType()).toBe('integer');
  });

  it('--format json carries the same estimates beside the result once confirmed', async () => {
    const r = await runTenancy(['migrate', 'apply', '--dir', folder.dir, '--url', db.url, '--env', 'production', '--write', '--ack-all', '--confirm', db.name, '--format', 'json'], env());
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const estimates = out.estimates.map((e: unknown) => StatementEstimateSchema.parse(e));
    expect(estimates.map((e: { line: number; lock: string | null }) => [e.line, e.lock])).toEqual([
      [1, null], [2, 'ACCESS EXCLUSIVE on public.orders'], [3, 'SHARE on public.orders'], [4, 'ACCESS EXCLUSIVE on public.orders'],
    ]);
    expect(estimates[1].estimateSeconds).toBeGreaterThan(0);
    expect(estimates[1].basis).toMatch(/copy of every row/);
    expect(estimates[2].estimateSeconds).toBeGreaterThan(0);
    expect(estimates[3].estimateSeconds).toBeNull();
    expect(out.applied.map((a: { id: string }) => a.id)).toEqual(['001_widen.sql']);
    expect(await qtyType()).toBe('bigint');
  });
});
