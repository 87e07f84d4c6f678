import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../main/engine/backup/create.js';
import { compareBackup } from '../../main/engine/backup/compare.js';
import type { ChecksumScheme } from '../../shared/backup.js';
import { findPgDump, pgDumpVersion } from '../../main/engine/backup/pg-dump.js';
import { dropBackup, getBackup, listBackups, verifyBackup } from '../../main/engine/backup/store.js';
import { UserError } from '../../main/engine/errors.js';
import { qualified } from '../../main/engine/ident.js';
import type { Session } from '../../main/engine/session.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { checksumIn } from '../support/checksums.js';

// Hostile names: quotes, a semicolon, spaces, unicode, mixed case.
const SCHEMA = 'App "Data"; x';
const TABLE = 'Créds; DROP TABLE "orgs" --';
const REL = qualified(SCHEMA, TABLE);

const FIXTURE = `
CREATE SCHEMA ${qualified(SCHEMA, 'x').split('.')[0]};
CREATE TABLE ${REL} (
  "Id" int PRIMARY KEY,
  "Secret Value" text,
  "ñame;" varchar(20),
  happened timestamptz,
  doc jsonb
);
INSERT INTO ${REL} SELECT g, 'secret ' || g, 'n' || (g % 7), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour', jsonb_build_object('g', g)
FROM generate_series(1, 500) g;
`;

let db: TestDatabase;
let s: Session;
beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
  s = await db.session();
  await s.enableWrite();
});
afterAll(async () => db?.drop());

async function liveChecksum(session: Session, columns: string[], where = 'true', scheme?: ChecksumScheme) {
  return checksumIn(session, REL, columns, { fromWhere: `FROM ${REL} b WHERE ${where}`, scheme });
}

describe('backups', () => {
  it('refuses to back up without write mode, naming the fix', async () => {
    const ro = await db.session();
    await expect(createBackup(ro, { schema: SCHEMA, table: TABLE })).rejects.toThrow(/switch on write mode/);
  });

  it('copies a hostile-named table into the console schema with count, checksum, size and time', async () => {
    const b = await createBackup(s, { schema: SCHEMA, table: TABLE }, { runbookRunId: 'run-1', operator: 'alice' });
    expect(b.sourceSchema).toBe(SCHEMA);
    expect(b.sourceTable).toBe(TABLE);
    expect(b.backupTable).toMatch(/^bk_\d{8}_\d{6}_[0-9a-f]{8}$/);
    expect(b.rowCount).toBe(500);
    expect(b.sizeBytes).toBeGreaterThan(0);
    expect(b.durationMs).toBeGreaterThanOrEqual(0);
    expect(b.operator).toBe('alice');
    expect(b.runbookRunId).toBe('run-1');
    expect(b.primaryKey).toEqual(['Id']);
    expect(b.columns.map((c) => c.name)).toEqual(['Id', 'Secret Value', 'ñame;', 'happened', 'doc']);
    // The copy is in tenancy_console, never beside the app's tables.
    const copy = await db.exec(`SELECT count(*)::int AS n FROM tenancy_console.${b.backupTable}`);
    expect(copy.rows[0].n).toBe(500);
    const beside = await db.exec(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1`, [SCHEMA]);
    expect(beside.rows[0].n).toBe(1);
    // The recorded checksum is the live table's, in any session time zone.
    const other = await db.session();
    await other.query("SET TimeZone = 'Pacific/Auckland'");
    expect(await liveChecksum(other, b.columns.map((c) => c.name))).toEqual({ rows: 500, checksum: b.checksum });
  });

  it('gives the same checksum whatever the row order, and a different one when one value changes', async () => {
    const cols = ['Id', 'Secret Value', 'ñame;', 'happened', 'doc'];
    const a = await liveChecksum(s, cols);
    await db.exec(`UPDATE ${REL} SET "ñame;" = "ñame;" WHERE "Id" % 3 = 0`); // rewrites rows, new physical order
    expect(await liveChecksum(s, cols)).toEqual(a);
    await db.exec(`UPDATE ${REL} SET "Secret Value" = 'changed' WHERE "Id" = 42`);
    expect((await liveChecksum(s, cols)).checksum).not.toBe(a.checksum);
    await db.exec(`UPDATE ${REL} SET "Secret Value" = 'secret 42' WHERE "Id" = 42`);
    expect(await liveChecksum(s, cols)).toEqual(a);
  });

  it('lists, shows, verifies and drops backups', async () => {
    const b = await createBackup(s, { schema: SCHEMA, table: TABLE });
    const listed = await listBackups(s, { schema: SCHEMA, table: TABLE });
    expect(listed[0]!.id).toBe(b.id);
    expect(listed.every((x) => x.sourceTable === TABLE)).toBe(true);
    const v = await verifyBackup(s, b.id);
    expect(v.intact).toBe(true);
    // Tampering with the copy is caught.
    await db.exec(`UPDATE tenancy_console.${b.backupTable} SET "Secret Value" = 'x' WHERE "Id" = 1`);
    expect((await verifyBackup(s, b.id)).intact).toBe(false);
    await dropBackup(s, b.id);
    await expect(getBackup(s, b.id)).rejects.toThrow(UserError);
    const gone = await db.exec('SELECT to_regclass($1) AS r', [`tenancy_console.${b.backupTable}`]);
    expect(gone.rows[0].r).toBeNull();
  });

  it('compares by primary key: only in backup, only live, changed columns, added and dropped columns', async () => {
    const b = await createBackup(s, { schema: SCHEMA, table: TABLE });
    await db.exec(`DELETE FROM ${REL} WHERE "Id" IN (3, 4)`);
    await db.exec(`INSERT INTO ${REL} ("Id", "Secret Value") VALUES (1001, 'new')`);
    await db.exec(`UPDATE ${REL} SET "Secret Value" = 'oops', doc = '{"g": 0}' WHERE "Id" = 7`);
    await db.exec(`UPDATE ${REL} SET "ñame;" = 'zz' WHERE "Id" IN (8, 9)`);
    await db.exec(`ALTER TABLE ${REL} ADD COLUMN org_id int, DROP COLUMN happened`);
    await db.exec(`UPDATE ${REL} SET org_id = CASE WHEN "Id" % 2 = 0 THEN 1 ELSE 2 END`);
    const c = await compareBackup(s, b.id, { samples: 10 });
    expect(c.counts).toEqual({ onlyBackup: 2, onlyLive: 1, changed: 3, same: 495 });
    expect(c.changedByColumn).toEqual({ 'Secret Value': 1, doc: 1, 'ñame;': 2 });
    expect(c.columnsAdded).toEqual(['org_id']);
    expect(c.columnsDropped).toEqual(['happened']);
    expect(c.samples.filter((x) => x.kind === 'only-backup').map((x) => x.key.Id)).toEqual(['3', '4']);
    expect(c.samples.find((x) => x.kind === 'changed' && x.key.Id === '7')!.changedColumns).toEqual(['Secret Value', 'doc']);
    // Per tenant: the live row's tenant; rows only in a backup older than the column have none.
    expect(c.tenantColumn).toBe('org_id');
    const t1 = c.perTenant.find((t) => t.tenant === '1')!;
    expect(t1.changed).toBe(1); // 8; 7 and 9 are tenant 2's
    expect(c.perTenant.find((t) => t.tenant === null)!.onlyBackup).toBe(2);
    // Scoped to one tenant.
    const scoped = await compareBackup(s, b.id, { scope: { kind: 'tenant', tenant: '2' } });
    expect(scoped.counts.changed).toBe(2);
    expect(scoped.counts.onlyLive).toBe(1); // 1001 is odd: tenant 2
  });

  it('pg_dumps the table with its digest where pg_dump can, and says why where it cannot', async () => {
    const binary = findPgDump();
    const version = await pgDumpVersion(binary);
    const serverMajor = Math.floor(s.fingerprint.serverVersionNum / 10000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dumps-'));
    const password = new URL(db.url).password;
    const make = () => createBackup(s, { schema: SCHEMA, table: TABLE }, { pgDump: { path: binary, dir, password: async () => decodeURIComponent(password) } });
    if (version.major < serverMajor) {
      const before = (await listBackups(s)).length;
      await expect(make()).rejects.toThrow(new RegExp(`pg_dump ${version.text} at .* is older than the server \\(PostgreSQL ${serverMajor}`));
      expect((await listBackups(s)).length).toBe(before);
    } else {
      const b = await make();
      expect(b.dumpPath).toBeTruthy();
      const text = fs.readFileSync(b.dumpPath!, 'utf8');
      expect(text).toContain('secret 1');
      const crypto = await import('node:crypto');
      expect(b.dumpSha256).toBe(crypto.createHash('sha256').update(fs.readFileSync(b.dumpPath!)).digest('hex'));
    }
  });
});
