/**
 * A restore whose backup side is computed from the copy (no per-tenant checksum was recorded for
 * its tenant column, or the whole table) also rehashes the whole copy against the total recorded
 * with the backup: a copy changed since the backup is never the yardstick of a verified restore.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../main/engine/backup/create.js';
import { restoreBackup } from '../../main/engine/backup/restore.js';
import type { Session } from '../../main/engine/session.js';
import type { RestoreRequestInput } from '../../shared/backup.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

// website_id is no usual tenant column name: the backup records no per-tenant checksums for it.
const FIXTURE = `
CREATE TABLE website (website_id uuid PRIMARY KEY, name text NOT NULL);
INSERT INTO website VALUES ('00000000-0000-0000-0000-000000000001', 'one'), ('00000000-0000-0000-0000-000000000002', 'two');
CREATE TABLE event_data (id bigint PRIMARY KEY, website_id uuid NOT NULL REFERENCES website, data_key varchar(500), number_value numeric(19,4), at timestamptz(6));
INSERT INTO event_data SELECT g, ('00000000-0000-0000-0000-00000000000' || (1 + g % 2))::uuid, 'k' || g, g * 1.5, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
FROM generate_series(1, 400) g;
`;
const SITE = '00000000-0000-0000-0000-000000000001';

let db: TestDatabase;
let s: Session;
beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
  s = await db.session();
  await s.enableWrite();
});
afterAll(async () => db?.drop());

const lostSite = (backupId: number, acceptMismatch = false): RestoreRequestInput => ({
  backupId, scope: { kind: 'tenant', tenant: SITE }, tenantColumn: 'website_id', strategy: 'replace', dryRun: false, acceptMismatch,
});
const siteRows = async () => Number((await db.exec('SELECT count(*) AS n FROM event_data WHERE website_id = $1', [SITE])).rows[0].n);

describe('restore: the backup side computed from the copy is checked against the backup as taken', () => {
  it('a copy changed since the backup: rolled back, not verified, the copy named CHANGED; its clean twin verifies with the copy intact', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'event_data' });
    const tenantSums = (await db.exec('SELECT tenant_checksums FROM tenancy_console.backups WHERE id = $1', [b.id])).rows[0].tenant_checksums;
    expect(tenantSums).toBeNull();
    await db.exec('DELETE FROM event_data WHERE website_id = $1', [SITE]);
    // The planted defect: one of the lost site's rows changed in the copy, one microsecond.
    await db.exec(`UPDATE tenancy_console.${b.backupTable} SET at = at + interval '1 microsecond' WHERE id = 1`);
    const bad = await restoreBackup(s, lostSite(b.id));
    expect(bad.status).toBe('mismatch-rolled-back');
    expect(bad.verified).toBe(false);
    expect(bad.expected).toEqual(bad.actual); // the rows do match the copy as it is now
    expect(bad.copy).toEqual({ status: 'changed', recorded: { rows: 400, checksum: b.checksum }, now: { rows: 400, checksum: expect.not.stringMatching(`^${b.checksum}$`) } });
    expect(await siteRows()).toBe(0);
    const j = (await db.exec('SELECT status, expected FROM tenancy_console.restores WHERE id = $1', [bad.id])).rows[0];
    expect(j.status).toBe('mismatch-rolled-back');
    expect(j.expected.copy.status).toBe('changed');
    // Its clean twin: the copy as it was taken.
    await db.exec(`UPDATE tenancy_console.${b.backupTable} SET at = at - interval '1 microsecond' WHERE id = 1`);
    const r = await restoreBackup(s, lostSite(b.id));
    expect(r.status).toBe('verified');
    expect(r.copy).toEqual({ status: 'intact', recorded: { rows: 400, checksum: b.checksum }, now: { rows: 400, checksum: b.checksum } });
    expect(await siteRows()).toBe(200);
  });

  it('--accept-mismatch commits over a changed copy, journaled as not verified', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'event_data' });
    await db.exec('DELETE FROM event_data WHERE website_id = $1', [SITE]);
    await db.exec(`UPDATE tenancy_console.${b.backupTable} SET data_key = 'changed' WHERE id = 3`);
    const r = await restoreBackup(s, lostSite(b.id, true));
    expect(r.status).toBe('mismatch-committed');
    expect(r.verified).toBe(false);
    expect(r.copy.status).toBe('changed');
    expect(await siteRows()).toBe(200);
  });

  it('a whole-table restore compares the copy with its recorded total too', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'event_data' });
    await db.exec('UPDATE event_data SET data_key = data_key || \'!\' WHERE id <= 10');
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'table' }, strategy: 'replace', dryRun: false });
    expect(r.status).toBe('verified');
    expect(r.copy.status).toBe('intact');
    expect(r.counts.updated).toBe(10);
    await db.exec(`UPDATE tenancy_console.${b.backupTable} SET number_value = number_value + 1 WHERE id = 5`);
    await db.exec('UPDATE event_data SET data_key = data_key || \'!\' WHERE id <= 10');
    const bad = await restoreBackup(s, { backupId: b.id, scope: { kind: 'table' }, strategy: 'replace', dryRun: false });
    expect(bad.status).toBe('mismatch-rolled-back');
    expect(bad.copy.status).toBe('changed');
    expect(Number((await db.exec("SELECT count(*) AS n FROM event_data WHERE data_key LIKE '%!'")).rows[0].n)).toBe(10);
  });
});

describe('backup: per-tenant checksums recorded by the tenant column given', () => {
  it('a backup taken with --tenant-column website_id records them, and a one-tenant restore by it compares with them (recorded); a changed copy is a mismatch', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'event_data' }, { tenantColumn: 'organization_id,website_id' });
    expect(b.tenantChecksums).toEqual({ column: 'website_id', tenants: 2 });
    const without = await createBackup(s, { schema: 'public', table: 'event_data' });
    expect(without.tenantChecksums).toBeNull();
    await db.exec('DELETE FROM event_data WHERE website_id = $1', [SITE]);
    const r = await restoreBackup(s, lostSite(b.id));
    expect(r.status).toBe('verified');
    expect(r.copy).toEqual({ status: 'recorded', recorded: null, now: null });
    expect(await siteRows()).toBe(200);
    // The planted defect: the copy changed since; the recorded per-tenant checksum no longer matches it.
    await db.exec('DELETE FROM event_data WHERE website_id = $1', [SITE]);
    await db.exec(`UPDATE tenancy_console.${b.backupTable} SET data_key = 'changed' WHERE id = 2`); // a row of SITE
    const bad = await restoreBackup(s, lostSite(b.id));
    expect(bad.status).toBe('mismatch-rolled-back');
    expect(bad.copy.status).toBe('recorded');
    expect(bad.expected).not.toEqual(bad.actual);
    expect(await siteRows()).toBe(0);
    // The backup without them: the same restore computes the backup side from the copy, checked whole.
    const other = await restoreBackup(s, lostSite(without.id));
    expect(other.status).toBe('verified');
    expect(other.copy.status).toBe('intact');
  });
});
