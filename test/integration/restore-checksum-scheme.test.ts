/**
 * The checksum's row hash is recorded with each backup: new backups use hash_record_extended,
 * backups of the older schemes (hashtextextended, md5) still verify with theirs, a column whose
 * type changed since the backup falls back to the text hash, and a server that hashes differently
 * from the one that took the backup never compares with the recorded checksums.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../main/engine/backup/create.js';
import { runChecksumByTenant, useCanonicalOutput } from '../../main/engine/backup/checksum.js';
import { restoreBackup } from '../../main/engine/backup/restore.js';
import { ensureBackupTables, getBackup, verifyBackup } from '../../main/engine/backup/store.js';
import { UserError } from '../../main/engine/errors.js';
import type { Session } from '../../main/engine/session.js';
import type { Backup, ChecksumScheme, RestoreRequestInput } from '../../shared/backup.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { checksumIn, typedColumns } from '../support/checksums.js';

const FIXTURE = `
CREATE TABLE orgs (id int PRIMARY KEY);
INSERT INTO orgs VALUES (1), (2), (3);
CREATE TABLE items (id bigint PRIMARY KEY, org_id int NOT NULL REFERENCES orgs(id), label text, qty numeric, at timestamptz, doc jsonb);
INSERT INTO items SELECT g, 1 + g % 3, 'item ' || g, g * 0.25, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour', jsonb_build_object('g', g)
FROM generate_series(1, 600) g;
`;
const COLS = ['id', 'org_id', 'label', 'qty', 'at', 'doc'];

let db: TestDatabase;
let s: Session;
beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
  s = await db.session();
  await s.enableWrite();
});
afterAll(async () => db?.drop());

/** Count and checksum of `from` (FROM ... WHERE ... over alias b) with one scheme, from a fresh session. */
async function sum(scheme: ChecksumScheme, from: string, params: unknown[] = []) {
  const reader = await db.session();
  try {
    return await checksumIn(reader, 'public.items', COLS, { fromWhere: from, params, scheme });
  } finally {
    await reader.close();
  }
}

/**
 * Rewrite a backup's metadata as a console that did not record the scheme wrote it: NULL scheme
 * and probe, the total and per-tenant checksums recomputed from the copy with md5.
 */
async function makeMd5Backup(b: Backup): Promise<void> {
  const reader = await db.session();
  const md5 = await reader.transaction(async () => {
    await useCanonicalOutput(reader);
    return runChecksumByTenant(reader, 'b', await typedColumns(reader, 'public.items', COLS), `FROM tenancy_console.${b.backupTable} b`, 'org_id', 'md5');
  });
  await reader.close();
  await db.exec(
    'UPDATE tenancy_console.backups SET checksum = $2, tenant_checksums = $3::jsonb, checksum_scheme = NULL, checksum_probe = NULL WHERE id = $1',
    [b.id, md5.total.checksum, JSON.stringify(md5.byTenant)],
  );
}

const lostTenant = (backupId: number, tenant: string): RestoreRequestInput => ({ backupId, scope: { kind: 'tenant', tenant }, strategy: 'replace', dryRun: false });

describe('checksum schemes', () => {
  it('records hash_record_extended with this server\'s probe, and the three schemes give different checksums of the same rows', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'items' });
    expect(b.checksumScheme).toBe('hash_record_extended');
    const row = (await db.exec('SELECT checksum_scheme, checksum_probe FROM tenancy_console.backups WHERE id = $1', [b.id])).rows[0];
    expect(row.checksum_scheme).toBe('hash_record_extended');
    expect(row.checksum_probe).toMatch(/^-?\d+$/);
    expect(await sum('hash_record_extended', 'FROM items b')).toEqual({ rows: 600, checksum: b.checksum });
    const others = [(await sum('hashtextextended', 'FROM items b')).checksum, (await sum('md5', 'FROM items b')).checksum];
    expect(new Set([b.checksum, ...others]).size).toBe(3);
    expect((await verifyBackup(s, b.id)).intact).toBe(true);
  });

  it('restores a backup recorded with hashtextextended with it, and verifies it', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'items' }, { checksumScheme: 'hashtextextended' });
    expect(b.checksumScheme).toBe('hashtextextended');
    expect((await verifyBackup(s, b.id)).intact).toBe(true);
    const expected2 = await sum('hashtextextended', 'FROM items b WHERE b.org_id = 2');
    await db.exec('DELETE FROM items WHERE org_id = 2');
    const r = await restoreBackup(s, lostTenant(b.id, '2'));
    expect(r.status).toBe('verified');
    expect(r.checksumScheme).toBe('hashtextextended');
    expect(r.statements[0]).toContain('hashtextextended((ROW(');
    expect(r.actual).toEqual(expected2);
  });

  it.each(['md5', 'hashtextextended', 'hash_record_extended'] as const)('%s: one changed value, a swapped pair of values, changes the checksum; order does not', async (scheme) => {
    const before = await sum(scheme, 'FROM items b');
    await db.exec('UPDATE items SET label = label WHERE id % 4 = 0'); // new physical order
    expect(await sum(scheme, 'FROM items b')).toEqual(before);
    await db.exec("UPDATE items SET label = CASE id WHEN 10 THEN 'item 11' ELSE 'item 10' END WHERE id IN (10, 11)");
    expect((await sum(scheme, 'FROM items b')).checksum).not.toBe(before.checksum);
    await db.exec("UPDATE items SET label = 'item ' || id WHERE id IN (10, 11)");
    await db.exec('UPDATE items SET qty = 2.500 WHERE id = 10'); // 2.50 -> 2.500: equal as numbers, not as text
    expect((await sum(scheme, 'FROM items b')).checksum).not.toBe(before.checksum);
    await db.exec('UPDATE items SET qty = 2.50 WHERE id = 10');
    expect(await sum(scheme, 'FROM items b')).toEqual(before);
  });

  it('restores a backup recorded with md5 (before the scheme was recorded) with md5 and verifies it; the same copy changed since does not verify', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'items' });
    await makeMd5Backup(b);
    const old = await getBackup(s, b.id);
    expect(old.checksumScheme).toBe('md5');
    expect((await verifyBackup(s, b.id)).intact).toBe(true);
    const expected2 = await sum('md5', 'FROM items b WHERE b.org_id = 2');
    await db.exec('DELETE FROM items WHERE org_id = 2');
    // The planted defect: one row of the copy changed since the backup was taken.
    await db.exec(`UPDATE tenancy_console.${b.backupTable} SET label = 'changed' WHERE id = (SELECT min(id) FROM tenancy_console.${b.backupTable} WHERE org_id = 2)`);
    const bad = await restoreBackup(s, lostTenant(b.id, '2'));
    expect(bad.status).toBe('mismatch-rolled-back');
    expect(bad.verified).toBe(false);
    expect(bad.expected).toEqual(expected2); // what was recorded, not the changed copy
    expect((await verifyBackup(s, b.id)).intact).toBe(false);
    expect((await db.exec('SELECT count(*)::int AS n FROM items WHERE org_id = 2')).rows[0].n).toBe(0);
    // Its clean twin: the copy as it was taken verifies, with md5 on both sides.
    await db.exec(`UPDATE tenancy_console.${b.backupTable} SET label = 'item ' || id WHERE label = 'changed'`);
    const r = await restoreBackup(s, lostTenant(b.id, '2'));
    expect(r.status).toBe('verified');
    expect(r.checksumScheme).toBe('md5');
    expect(r.copy.status).toBe('recorded');
    expect(r.statements[0]).toContain('md5(ROW(');
    expect(r.expected).toEqual(expected2);
    expect(r.actual).toEqual(expected2);
    const j = (await db.exec('SELECT expected, actual FROM tenancy_console.restores WHERE id = $1', [r.id])).rows[0];
    expect(j.expected).toEqual({ ...expected2, scheme: 'md5', copy: { status: 'recorded', recorded: null, now: null } });
    expect(j.actual).toEqual({ ...expected2, scheme: 'md5' });
  });

  it('reads a catalog older than the scheme columns as md5, and restores from it without changing the catalog', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'items' });
    await makeMd5Backup(b);
    await db.exec('ALTER TABLE tenancy_console.backups DROP COLUMN checksum_scheme, DROP COLUMN checksum_probe');
    try {
      expect((await getBackup(s, b.id)).checksumScheme).toBe('md5');
      const expected3 = await sum('md5', 'FROM items b WHERE b.org_id = 3');
      await db.exec('DELETE FROM items WHERE org_id = 3');
      const r = await restoreBackup(s, lostTenant(b.id, '3'));
      expect(r.status).toBe('verified');
      expect(r.actual).toEqual(expected3);
      const cols = await db.exec("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'tenancy_console' AND table_name = 'backups' AND column_name LIKE 'checksum_%'");
      expect(cols.rows[0].n).toBe(0);
    } finally {
      await ensureBackupTables(s);
    }
  });

  it('on a server that hashes differently (another probe recorded), never uses the recorded checksums: verify refuses, a restore compares with the copy', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'items' });
    // What such a server recorded: its own probe, and checksums this server cannot reproduce.
    await db.exec(`UPDATE tenancy_console.backups SET checksum_probe = '12345', checksum = '999',
      tenant_checksums = jsonb_set(tenant_checksums, '{tenants,1,checksum}', '"999"') WHERE id = $1`, [b.id]);
    await expect(verifyBackup(s, b.id)).rejects.toThrow(UserError);
    await expect(verifyBackup(s, b.id)).rejects.toThrow(/recorded with hash_record_extended on a server that hashes differently from this one.*nothing was verified/);
    const expected1 = await sum('hash_record_extended', 'FROM items b WHERE b.org_id = 1');
    await db.exec('DELETE FROM items WHERE org_id = 1');
    // The planted defect: a trigger changes the rows as they are inserted; compared with the copy, still caught.
    await db.exec(`CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.qty := NEW.qty + 1; RETURN NEW; END $$;
                   CREATE TRIGGER bump BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION bump();`);
    const bad = await restoreBackup(s, lostTenant(b.id, '1'));
    expect(bad.status).toBe('mismatch-rolled-back');
    expect(bad.expected).toEqual(expected1);
    await db.exec('DROP TRIGGER bump ON items');
    // Its clean twin verifies against the copy's checksum computed here.
    const r = await restoreBackup(s, lostTenant(b.id, '1'));
    expect(r.status).toBe('verified');
    expect(r.copy.status).toBe('unchecked'); // its recorded total is of that other server's hash
    expect(r.expected).toEqual(expected1);
    expect(r.actual).toEqual(expected1);
  });
});
