import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../main/engine/backup/create.js';
import { restoreBackup } from '../../main/engine/backup/restore.js';
import { parseScope } from '../../main/engine/backup/scope.js';
import type { Session } from '../../main/engine/session.js';
import { buildCli, cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const CODES = [' x', 'x', 'y', 'y ', '', 'a,b', 'q"r'];

let db: TestDatabase;
let s: Session;
beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE codes (code text PRIMARY KEY, label text NOT NULL);
    CREATE TABLE nums (id int PRIMARY KEY, label text NOT NULL);
    INSERT INTO nums SELECT g, 'n' || g FROM generate_series(1, 5) g;`);
  await db.exec('INSERT INTO codes SELECT c, $2 || c FROM unnest($1::text[]) c', [CODES, 'orig:']);
  s = await db.session();
  await s.enableWrite();
});
afterAll(async () => {
  cleanCli();
  await db?.drop();
});

const labels = async () => Object.fromEntries((await db.exec('SELECT code, label FROM codes ORDER BY code')).rows.map((r) => [r.code, r.label]));

describe('restore --scope keys: exact keys', () => {
  it('restores exactly the keys typed: leading and trailing spaces, empty and quoted keys, nothing else', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'codes' });
    await db.exec("UPDATE codes SET label = 'damaged'");
    const r = await restoreBackup(s, { backupId: b.id, scope: parseScope('keys: x,"y ","","a,b"'), strategy: 'replace', dryRun: false });
    expect(r).toMatchObject({ status: 'verified', counts: { scopeRowsAfter: 4 } });
    expect(await labels()).toEqual({ '': 'orig:', ' x': 'orig: x', 'a,b': 'orig:a,b', 'q"r': 'damaged', x: 'damaged', y: 'damaged', 'y ': 'orig:y ' });
  });

  it('a key with no row in the backup is an error, and nothing changes', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'codes' });
    await db.exec("UPDATE codes SET label = 'again'");
    await expect(restoreBackup(s, { backupId: b.id, scope: parseScope('keys:x,"z ",nope'), strategy: 'upsert', dryRun: false }))
      .rejects.toThrow('--scope keys: 2 of 3 keys have no row in the backup: "z ", nope; check the keys (they are taken exactly as typed) or the backup id');
    expect(Object.values(await labels())).toEqual(CODES.map(() => 'again'));
  });

  it('a key that is not of the key\'s type is one line naming --scope (CLI), not a raw 22P02', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'nums' });
    await buildCli();
    const r = await runTenancy(['restore', '--url', db.url, '--backup', String(b.id), '--scope', 'keys:1,abc', '--write'], { TENANCY_CONFIG_DIR: tempConfigDir() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['tenancy: --scope keys: a key is not a valid integer for the key column id (invalid input syntax for type integer: "abc"); keys are taken exactly as typed']);
  });

  it('a restore into an emptied scope that loses a race with a writer says the row arrived meanwhile, nothing changed', async () => {
    await db.exec('CREATE TABLE tenanted (id int PRIMARY KEY, org_id int NOT NULL); INSERT INTO tenanted SELECT g, 1 + g % 2 FROM generate_series(1, 20) g;');
    const b = await createBackup(s, { schema: 'public', table: 'tenanted' });
    await db.exec('DELETE FROM tenanted WHERE org_id = 2');
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    await writer.query('BEGIN');
    await writer.query('INSERT INTO tenanted VALUES (3, 2)');
    const restore = restoreBackup(s, { backupId: b.id, scope: parseScope('tenant:2'), tenantColumn: 'org_id', strategy: 'replace', dryRun: false, lockTimeoutMs: 60_000 })
      .then(() => null, (err: Error) => err);
    for (;;) {
      if ((await db.exec('SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted) AS ok', [s.pid])).rows[0].ok) break;
      await new Promise((r) => setImmediate(r));
    }
    await writer.query('COMMIT');
    await writer.end();
    expect((await restore)?.message).toMatch(/^restore rolled back, nothing changed: unique constraint "tenanted_pkey" .*; the scope was empty when the restore began, so that row arrived while it ran/);
    expect((await db.exec('SELECT count(*)::int AS n FROM tenanted WHERE org_id = 2')).rows[0].n).toBe(1);
  });
});
