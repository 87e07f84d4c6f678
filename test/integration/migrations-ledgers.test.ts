import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../main/engine/migrations/apply.js';
import { readSource } from '../../main/engine/migrations/sources.js';
import { migrationStatus } from '../../main/engine/migrations/status.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tempDir, writeFolder } from '../support/migration-folders.js';

async function drizzleMigrate(url: string, migrationsFolder: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    await client.end();
  }
}

/** A Drizzle folder whose entries 0 and 1 share one `when` (two branches generated in the same millisecond, or a hand-merged journal). */
function sharedWhenFolder(count = 3) {
  const folder = writeFolder('drizzle', [
    { name: 'a', sql: 'CREATE TABLE a (id int);\n' },
    { name: 'b', sql: 'CREATE TABLE b (id int);\n' },
    { name: 'c', sql: 'CREATE TABLE c (id int);\n' },
  ].slice(0, count));
  const journalPath = path.join(folder.dir, 'drizzle', 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8'));
  if (count > 1) journal.entries[1].when = journal.entries[0].when;
  fs.writeFileSync(journalPath, JSON.stringify(journal));
  return { folder, migrationsFolder: path.join(folder.dir, 'drizzle') };
}

const states = async (db: TestDatabase, dir: string) =>
  (await migrationStatus(await db.session(), readSource(dir))).migrations.map((m) => [m.id, m.state]);
const tables = async (db: TestDatabase) =>
  (await db.exec("SELECT string_agg(relname, ',' ORDER BY relname) AS t FROM pg_class WHERE relname IN ('a', 'b', 'c') AND relkind = 'r'")).rows[0].t;

describe('folders whose ids collide are refused, naming both files', () => {
  it('two Supabase files of one version', () => {
    const dir = path.join(tempDir(), 'supabase', 'migrations');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '20250904000001_first.sql'), 'CREATE TABLE one (id int);');
    fs.writeFileSync(path.join(dir, '20250904000001_second.sql'), 'CREATE TABLE two (id int);');
    expect(() => readSource(path.dirname(path.dirname(dir)))).toThrow(
      `${dir}: 20250904000001_first.sql and 20250904000001_second.sql have the same version 20250904000001; the Supabase CLI keys its ledger by version, so one would never run; renumber one of them`);
  });

  it('two plain files of one number (also written with different zero padding), while distinct numbers pass', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, '0001_users.sql'), 'SELECT 1;');
    fs.writeFileSync(path.join(dir, '0002_orgs.sql'), 'SELECT 1;');
    expect(readSource(dir).migrations).toHaveLength(2);
    fs.writeFileSync(path.join(dir, '001_orgs.sql'), 'SELECT 1;');
    expect(() => readSource(dir)).toThrow(/: 0001_users\.sql and 001_orgs\.sql have the same number 1; .*renumber one of them$/);
  });

  it('a Drizzle journal listing one tag twice', () => {
    const folder = writeFolder('drizzle', [{ name: 'a', sql: 'SELECT 1;' }]);
    const journalPath = path.join(folder.dir, 'drizzle', 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8'));
    journal.entries.push({ ...journal.entries[0], idx: 1, when: journal.entries[0].when + 1 });
    fs.writeFileSync(journalPath, JSON.stringify(journal));
    expect(() => readSource(folder.dir)).toThrow(/_journal\.json: 0000_a and 0000_a have the same tag 0000_a; drizzle-orm would run that file twice/);
  });
});

describe('Drizzle journal entries sharing one `when`: the console and drizzle-orm agree', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('the console applies both, shows both applied, and drizzle-orm then finds nothing to do', async () => {
    const { folder, migrationsFolder } = sharedWhenFolder();
    const session = await db.session();
    await session.enableWrite();
    expect((await applyMigrations(session, readSource(folder.dir), { ack: 'all' })).applied.map((a) => a.id)).toEqual(['0000_a', '0001_b', '0002_c']);
    expect(await states(db, folder.dir)).toEqual([['0000_a', 'applied'], ['0001_b', 'applied'], ['0002_c', 'applied']]);
    const again = await applyMigrations(session, readSource(folder.dir), { ack: 'all' });
    expect(again.applied).toEqual([]);
    const before = (await db.exec('SELECT id, hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id')).rows;
    await drizzleMigrate(db.url, migrationsFolder); // would fail on CREATE TABLE were it to re-run one
    expect((await db.exec('SELECT id, hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id')).rows).toEqual(before);
    await db.exec('DROP SCHEMA drizzle CASCADE; DROP TABLE a, b, c');
  });

  it('a folder drizzle-orm applied shows every entry applied, nothing pending', async () => {
    const { folder, migrationsFolder } = sharedWhenFolder();
    await drizzleMigrate(db.url, migrationsFolder);
    expect(await tables(db)).toBe('a,b,c');
    expect(await states(db, folder.dir)).toEqual([['0000_a', 'applied'], ['0001_b', 'applied'], ['0002_c', 'applied']]);
    await db.exec('DROP SCHEMA drizzle CASCADE; DROP TABLE a, b, c');
  });

  it('an entry added later with the `when` of an applied one: pending, with the note that drizzle-orm skips it (and it does)', async () => {
    const { folder, migrationsFolder } = sharedWhenFolder(1);
    await drizzleMigrate(db.url, migrationsFolder);
    // Add 0001_b with the `when` of 0000_a, as a hand-merged journal would.
    folder.add({ name: 'b', sql: 'CREATE TABLE b (id int);\n' });
    const journalPath = path.join(migrationsFolder, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8'));
    journal.entries[1].when = journal.entries[0].when;
    fs.writeFileSync(journalPath, JSON.stringify(journal));
    const status = await migrationStatus(await db.session(), readSource(folder.dir));
    expect(status.migrations.map((m) => [m.id, m.state])).toEqual([['0000_a', 'applied'], ['0001_b', 'pending']]);
    expect(status.migrations[1]!.note).toMatch(/drizzle-orm's migrator would skip it silently/);
    await drizzleMigrate(db.url, migrationsFolder);
    expect(await tables(db)).toBe('a');
  });
});
