import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../main/engine/backup/create.js';
import type { ChecksumScheme } from '../../shared/backup.js';
import { restoreBackup } from '../../main/engine/backup/restore.js';
import { qualified } from '../../main/engine/ident.js';
import type { Session } from '../../main/engine/session.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { checksumIn } from '../support/checksums.js';

// A tenant table with a hostile name, an identity column, a child table referencing it, and
// a parent (orgs) it references.
const ITEMS = qualified('public', 'Items; "Ünïcode" Mixed');
const FIXTURE = `
CREATE TABLE orgs (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO orgs SELECT g, 'org ' || g FROM generate_series(1, 4) g;
CREATE TABLE ${ITEMS} (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id int NOT NULL REFERENCES orgs(id),
  "Label; x" text NOT NULL,
  qty numeric,
  at timestamptz
);
CREATE INDEX ON ${ITEMS} (org_id);
INSERT INTO ${ITEMS} (org_id, "Label; x", qty, at)
SELECT 1 + g % 4, 'item ' || g, g * 1.5, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
FROM generate_series(1, 2000) g;
CREATE TABLE notes (id serial PRIMARY KEY, item_id int REFERENCES ${ITEMS}(id), body text);
`;

const COLS = ['id', 'org_id', 'Label; x', 'qty', 'at'];

let db: TestDatabase;
let s: Session;
beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
  s = await db.session();
  await s.enableWrite();
});
afterAll(async () => db?.drop());

/** Checksum of live rows (optionally of one tenant), from a separate session; new backups' scheme unless given. */
async function live(where = 'true', params: unknown[] = [], scheme?: ChecksumScheme) {
  const reader = await db.session();
  return checksumIn(reader, ITEMS, COLS, { fromWhere: `FROM ${ITEMS} b WHERE ${where}`, params, scheme });
}

/** Checksums of every tenant but `except`. */
async function otherTenants(except: number) {
  const out: Record<number, unknown> = {};
  for (const org of [1, 2, 3, 4].filter((o) => o !== except)) out[org] = await live('b.org_id = $1', [org]);
  return out;
}

describe('restore', () => {
  it('restores the whole table and ends with the backup\'s checksum; sequences are advanced', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    await db.exec(`DELETE FROM ${ITEMS} WHERE id > 1990`);
    await db.exec(`UPDATE ${ITEMS} SET qty = 0 WHERE id < 10`);
    await db.exec(`INSERT INTO ${ITEMS} (org_id, "Label; x") VALUES (2, 'added later')`);
    await db.exec(`ALTER TABLE ${ITEMS} ALTER COLUMN id RESTART WITH 5`);
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'table' }, strategy: 'replace', dryRun: false });
    expect(r.status).toBe('verified');
    expect(r.counts).toMatchObject({ deleted: 1, updated: 9, inserted: 10, scopeRowsAfter: 2000, tableRowsBefore: 1991, tableRowsAfter: 2000 });
    expect(r.actual).toEqual({ rows: 2000, checksum: b.checksum });
    expect(await live()).toEqual({ rows: 2000, checksum: b.checksum });
    expect(r.sequences[0]).toMatchObject({ column: 'id', value: '2000' });
    // New rows get ids past the restored ones.
    const next = await db.exec(`INSERT INTO ${ITEMS} (org_id, "Label; x") VALUES (1, 'after') RETURNING id`);
    expect(next.rows[0].id).toBe(2001);
    await db.exec(`DELETE FROM ${ITEMS} WHERE id = 2001`);
    // Journaled.
    const j = await db.exec('SELECT status, verified, (counts->>\'inserted\')::int AS ins FROM tenancy_console.restores WHERE id = $1', [r.id]);
    expect(j.rows[0]).toEqual({ status: 'verified', verified: true, ins: 10 });
  });

  it('restores one tenant to the backup and leaves every other tenant byte-identical', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    const expected2 = await live('b.org_id = 2');
    // Damage tenant 2 and also change other tenants after the backup (those changes must stay).
    await db.exec(`DELETE FROM ${ITEMS} WHERE org_id = 2 AND id % 3 = 0`);
    await db.exec(`UPDATE ${ITEMS} SET "Label; x" = 'broken' WHERE org_id = 2`);
    await db.exec(`INSERT INTO ${ITEMS} (org_id, "Label; x") VALUES (2, 'new in 2'), (3, 'new in 3')`);
    await db.exec(`UPDATE ${ITEMS} SET qty = -1 WHERE org_id = 4 AND id < 100`);
    const before = await otherTenants(2);
    const dry = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '2' }, strategy: 'replace', dryRun: true });
    expect(dry.status).toBe('dry-run');
    expect(dry.verified).toBe(true);
    expect(dry.counts.deleted).toBe(1);
    expect(dry.counts.inserted).toBeGreaterThan(100);
    expect(dry.statements.some((x) => x.startsWith('DELETE FROM'))).toBe(true);
    // The dry run changed nothing.
    expect((await live('b.org_id = 2')).checksum).not.toBe(expected2.checksum);
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '2' }, strategy: 'replace', dryRun: false });
    expect(r.status).toBe('verified');
    expect(r.counts).toEqual(dry.counts);
    expect(r.actual).toEqual(expected2);
    expect(await live('b.org_id = 2')).toEqual(expected2);
    expect(await otherTenants(2)).toEqual(before);
  });

  it('upserts chosen keys without deleting anything else', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    await db.exec(`UPDATE ${ITEMS} SET qty = 999 WHERE id IN (5, 6, 7)`);
    await db.exec(`DELETE FROM ${ITEMS} WHERE id = 8`);
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'keys', keys: [['5'], ['6'], ['8']] }, strategy: 'upsert', dryRun: false });
    expect(r.verified).toBe(true);
    expect(r.counts).toMatchObject({ deleted: 0, updated: 2, inserted: 1, scopeRowsAfter: 3 });
    const q = await db.exec(`SELECT id, qty::text FROM ${ITEMS} WHERE id IN (5, 6, 7, 8) ORDER BY id`);
    expect(q.rows.map((x) => x.qty)).toEqual(['7.5', '9.0', '999', '12.0']);
    await db.exec(`UPDATE ${ITEMS} SET qty = 10.5 WHERE id = 7`);
  });

  it('stops before a replace that would orphan child rows, naming the FK, and changes nothing', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    const added = await db.exec(`INSERT INTO ${ITEMS} (org_id, "Label; x") VALUES (3, 'after backup') RETURNING id`);
    await db.exec('INSERT INTO notes (item_id, body) VALUES ($1, \'points at a row the backup lacks\')', [added.rows[0].id]);
    await db.exec(`UPDATE ${ITEMS} SET qty = 1 WHERE org_id = 3`);
    const before = await live();
    await expect(restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '3' }, strategy: 'replace', dryRun: false }))
      .rejects.toThrow(/restore stopped before changing anything: FK "notes_item_id_fkey": 1 row of public\.notes \(item_id = \d+\) reference rows this restore would remove/);
    expect(await live()).toEqual(before);
    // Upsert deletes nothing, so it may go ahead.
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '3' }, strategy: 'upsert', dryRun: false });
    expect(r.verified).toBe(true);
    await db.exec('DELETE FROM notes');
    await db.exec(`DELETE FROM ${ITEMS} WHERE id = $1`, [added.rows[0].id]);
  });

  it('stops before restoring rows whose parent is gone, and changes nothing', async () => {
    await db.exec('INSERT INTO orgs VALUES (9, \'short-lived\')');
    await db.exec(`INSERT INTO ${ITEMS} (org_id, "Label; x") VALUES (9, 'of org 9')`);
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    await db.exec(`DELETE FROM ${ITEMS} WHERE org_id = 9`);
    await db.exec('DELETE FROM orgs WHERE id = 9');
    const before = await live();
    await expect(restoreBackup(s, { backupId: b.id, scope: { kind: 'table' }, strategy: 'replace', dryRun: false }))
      .rejects.toThrow(/FK "Items; "Ünïcode" Mixed_org_id_fkey": 1 restored row reference public\.orgs rows that no longer exist \(org_id = 9\)/);
    expect(await live()).toEqual(before);
    // A lost tenant leaves that FK to its INSERT (no pass before it): the same blocker, dry run or not.
    for (const dryRun of [true, false]) {
      await expect(restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '9' }, strategy: 'replace', dryRun }))
        .rejects.toThrow(/^restore stopped before changing anything: FK "Items; "Ünïcode" Mixed_org_id_fkey": 1 restored row reference public\.orgs rows that no longer exist \(org_id = 9\)/);
    }
    expect(await live()).toEqual(before);
    // Its clean twin: with the parent back the same restore verifies.
    await db.exec('INSERT INTO orgs VALUES (9, \'back\')');
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '9' }, strategy: 'replace', dryRun: false });
    expect(r.verified).toBe(true);
    expect(r.counts.inserted).toBe(1);
    await db.exec(`DELETE FROM ${ITEMS} WHERE org_id = 9`);
    await db.exec('DELETE FROM orgs WHERE id = 9');
  });

  it('leaves the live table exactly as it was when the restore\'s connection is killed half-way', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    await db.exec(`UPDATE ${ITEMS} SET "Label; x" = 'damaged' WHERE org_id = 1`);
    await db.exec(`DELETE FROM ${ITEMS} WHERE org_id = 1 AND id % 5 = 0`);
    await db.exec(`INSERT INTO ${ITEMS} (org_id, "Label; x") VALUES (1, 'live only: the restore deletes it first')`);
    const before = await live();
    // Another session holds a lock on one damaged row of tenant 1 (id 4), so the restore's UPDATE waits on it.
    const holder = await db.session();
    await holder.enableWrite();
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM ${ITEMS} WHERE id = 4 FOR UPDATE`);
    const victim = await db.session({ lockTimeoutMs: 0 });
    await victim.enableWrite();
    const restoring = restoreBackup(victim, { backupId: b.id, scope: { kind: 'tenant', tenant: '1' }, strategy: 'replace', dryRun: false });
    // Wait until the restore is blocked on the row lock, after its DELETE ran.
    await expect.poll(async () => (await db.exec(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock' AND query LIKE 'UPDATE%'", [victim.pid],
    )).rows[0].n, { timeout: 30_000 }).toBe(1);
    await db.exec('SELECT pg_terminate_backend($1)', [victim.pid]);
    await expect(restoring).rejects.toThrow(/terminat/);
    await holder.query('ROLLBACK');
    expect(await live()).toEqual(before);
    // The same restore afterwards goes through and verifies.
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '1' }, strategy: 'replace', dryRun: false });
    expect(r.verified).toBe(true);
  });

  it('restores a lost tenant with a plain INSERT; a row the application adds meanwhile fails it and nothing changes', async () => {
    await db.exec(`DELETE FROM notes WHERE item_id IN (SELECT id FROM ${ITEMS} WHERE org_id = 3)`);
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    const expected3 = await live('b.org_id = 3');
    const lostId = Number((await db.exec(`SELECT min(id) AS id FROM ${ITEMS} WHERE org_id = 3`)).rows[0].id);
    await db.exec(`DELETE FROM ${ITEMS} WHERE org_id = 3`);
    const dry = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '3' }, strategy: 'replace', dryRun: true });
    expect(dry.statements).toHaveLength(1);
    expect(dry.statements[0]).toMatch(/^WITH restored AS \(INSERT INTO .* RETURNING/s);
    expect(dry.statements[0]).not.toContain('ON CONFLICT');
    expect(dry.counts).toMatchObject({ inserted: expected3.rows, scopeRowsAfter: expected3.rows });
    expect(dry.actual).toEqual(expected3);
    // The application holds the table in SHARE mode: the restore's checks pass, its INSERT waits;
    // meanwhile the application inserts a row with a key the restore is about to insert.
    const untouched = await live();
    const app = await db.session();
    await app.enableWrite();
    await app.query('BEGIN');
    await app.query(`LOCK TABLE ${ITEMS} IN SHARE MODE`);
    const victim = await db.session();
    await victim.enableWrite();
    const restoring = restoreBackup(victim, { backupId: b.id, scope: { kind: 'tenant', tenant: '3' }, strategy: 'replace', dryRun: false });
    await expect.poll(async () => (await db.exec(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock' AND query LIKE 'WITH restored AS (INSERT%'", [victim.pid],
    )).rows[0].n, { timeout: 30_000 }).toBe(1);
    await app.query(`INSERT INTO ${ITEMS} (id, org_id, "Label; x") OVERRIDING SYSTEM VALUE VALUES ($1, 3, 'the application''s row')`, [lostId]);
    await app.query('COMMIT');
    await expect(restoring).rejects.toThrow(/nothing changed: unique constraint .* would be violated/);
    expect((await db.exec(`SELECT count(*)::int AS n FROM ${ITEMS} WHERE org_id = 3`)).rows[0].n).toBe(1);
    await db.exec(`DELETE FROM ${ITEMS} WHERE id = $1`, [lostId]);
    expect(await live()).toEqual(untouched);
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '3' }, strategy: 'replace', dryRun: false });
    expect(r.status).toBe('verified');
    expect(await live('b.org_id = 3')).toEqual(expected3);
    await app.close();
    await victim.close();
  });

  it('refuses a lost tenant whose backup row now belongs to another tenant, naming it; nothing changes', async () => {
    await db.exec(`DELETE FROM notes WHERE item_id IN (SELECT id FROM ${ITEMS} WHERE org_id = 4)`);
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    const moved = Number((await db.exec(`SELECT max(id) AS id FROM ${ITEMS} WHERE org_id = 4`)).rows[0].id);
    await db.exec(`UPDATE ${ITEMS} SET org_id = 2 WHERE id = $1`, [moved]);
    await db.exec(`DELETE FROM ${ITEMS} WHERE org_id = 4`);
    const before = await live();
    const backed4 = (await db.exec(`SELECT count(*)::int AS n FROM tenancy_console.${b.backupTable} WHERE org_id = 4`)).rows[0].n;
    await expect(restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '4' }, strategy: 'replace', dryRun: false }))
      .rejects.toThrow(new RegExp(`restore stopped before changing anything: 1 row changed tenant since the backup \\(e\\.g\\. ${moved} \\(backup 4, live 2\\)\\)`));
    expect(await live()).toEqual(before);
    // Its clean twin: with the row back in its tenant the same restore verifies.
    await db.exec(`UPDATE ${ITEMS} SET org_id = 4 WHERE id = $1`, [moved]);
    await db.exec(`DELETE FROM ${ITEMS} WHERE org_id = 4`);
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '4' }, strategy: 'replace', dryRun: false });
    expect(r.status).toBe('verified');
    expect(r.counts).toMatchObject({ inserted: backed4, scopeRowsAfter: backed4 });
  });

  it('rolls back a lost tenant whose rows a BEFORE INSERT trigger changes: the checksum is of the rows as stored', async () => {
    await db.exec(`DELETE FROM notes WHERE item_id IN (SELECT id FROM ${ITEMS} WHERE org_id = 1)`);
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    await db.exec(`DELETE FROM ${ITEMS} WHERE org_id = 1`);
    await db.exec(`CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.qty := NEW.qty + 1; RETURN NEW; END $$;
                   CREATE TRIGGER bump BEFORE INSERT ON ${ITEMS} FOR EACH ROW EXECUTE FUNCTION bump();`);
    const before = await live();
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '1' }, strategy: 'replace', dryRun: false });
    expect(r.status).toBe('mismatch-rolled-back');
    expect(r.actual.rows).toBe(r.expected.rows);
    expect(r.actual.checksum).not.toBe(r.expected.checksum);
    expect(await live()).toEqual(before);
    await db.exec(`DROP TRIGGER bump ON ${ITEMS}`);
    const ok = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '1' }, strategy: 'replace', dryRun: false });
    expect(ok.status).toBe('verified');
  });

  it('compares a one-tenant restore with the checksum recorded at backup time: a copy changed since does not verify', async () => {
    await db.exec(`DELETE FROM notes WHERE item_id IN (SELECT id FROM ${ITEMS} WHERE org_id = 2)`);
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    const recorded = (await db.exec('SELECT tenant_checksums AS t FROM tenancy_console.backups WHERE id = $1', [b.id])).rows[0].t;
    expect(recorded.column).toBe('org_id');
    expect(Object.values(recorded.tenants as Record<string, { rows: number }>).reduce((a, x) => a + x.rows, 0)).toBe(b.rowCount);
    expect(recorded.tenants['2']).toEqual(await live('b.org_id = 2'));
    await db.exec(`DELETE FROM ${ITEMS} WHERE org_id = 2`);
    await db.exec(`UPDATE tenancy_console.${b.backupTable} SET qty = qty + 1 WHERE id = (SELECT min(id) FROM tenancy_console.${b.backupTable} WHERE org_id = 2)`);
    const before = await live();
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '2' }, strategy: 'replace', dryRun: false });
    expect(r.status).toBe('mismatch-rolled-back');
    expect(r.expected).toEqual(recorded.tenants['2']);
    expect(await live()).toEqual(before);
    // Its clean twin: the copy put back as it was taken verifies.
    await db.exec(`UPDATE tenancy_console.${b.backupTable} SET qty = qty - 1 WHERE id = (SELECT min(id) FROM tenancy_console.${b.backupTable} WHERE org_id = 2)`);
    const ok = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '2' }, strategy: 'replace', dryRun: false });
    expect(ok.status).toBe('verified');
  });

  it('needs the table name typed on production, and write mode even for a dry run', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    const prod = await db.session({ environment: 'production' });
    await expect(restoreBackup(prod, { backupId: b.id, scope: { kind: 'table' }, strategy: 'replace', dryRun: true })).rejects.toThrow(/switch on write mode/);
    await prod.enableWrite(db.name);
    await expect(restoreBackup(prod, { backupId: b.id, scope: { kind: 'table' }, strategy: 'replace', dryRun: false, confirmTable: 'Items' }))
      .rejects.toThrow(/type the table name "public\.Items; "Ünïcode" Mixed"/);
    const dry = await restoreBackup(prod, { backupId: b.id, scope: { kind: 'table' }, strategy: 'replace', dryRun: true });
    expect(dry.verified).toBe(true);
    const r = await restoreBackup(prod, { backupId: b.id, scope: { kind: 'table' }, strategy: 'replace', dryRun: false, confirmTable: 'Items; "Ünïcode" Mixed' });
    expect(r.status).toBe('verified');
  });

  it('rolls back and says so when a trigger makes the restored rows differ from the backup', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'Items; "Ünïcode" Mixed' });
    await db.exec(`UPDATE ${ITEMS} SET qty = 0 WHERE id = 11`);
    await db.exec(`CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.qty := NEW.qty + 1; RETURN NEW; END $$;
                   CREATE TRIGGER stamp BEFORE UPDATE ON ${ITEMS} FOR EACH ROW EXECUTE FUNCTION stamp();`);
    const before = await live();
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'keys', keys: [['11']] }, strategy: 'upsert', dryRun: false });
    expect(r.status).toBe('mismatch-rolled-back');
    expect(r.verified).toBe(false);
    expect(await live()).toEqual(before);
    const j = await db.exec('SELECT status FROM tenancy_console.restores WHERE id = $1', [r.id]);
    expect(j.rows[0].status).toBe('mismatch-rolled-back');
    await db.exec(`DROP TRIGGER stamp ON ${ITEMS}`);
  });
});

describe('restore from a backup older than the tenant column', () => {
  let db2: TestDatabase;
  let s2: Session;
  beforeAll(async () => {
    db2 = await createTestDatabase(`
      CREATE TABLE organizations (id int PRIMARY KEY);
      INSERT INTO organizations VALUES (1), (2);
      CREATE TABLE "Credentials" (id bigint PRIMARY KEY, secret text);
      INSERT INTO "Credentials" SELECT g, 's' || g FROM generate_series(1, 100) g;`);
    s2 = await db2.session();
    await s2.enableWrite();
  });
  afterAll(async () => db2?.drop());

  it('maps the added tenant column from a chosen org and verifies one tenant', async () => {
    const b = await createBackup(s2, { schema: 'public', table: 'Credentials' });
    await db2.exec(`ALTER TABLE "Credentials" ADD COLUMN org_id int REFERENCES organizations(id);
      UPDATE "Credentials" SET org_id = CASE WHEN id <= 50 THEN 1 ELSE 2 END, secret = 'clobbered';
      ALTER TABLE "Credentials" ALTER COLUMN org_id SET NOT NULL;`);
    const other = (await db2.exec('SELECT md5(string_agg(id || secret || org_id, \',\' ORDER BY id)) AS h FROM "Credentials" WHERE org_id = 2')).rows[0].h;
    const r = await restoreBackup(s2, {
      backupId: b.id, scope: { kind: 'tenant', tenant: '1' }, strategy: 'replace', dryRun: false,
      setColumns: [{ column: 'org_id', value: '1' }],
    });
    expect(r.verified).toBe(true);
    expect(r.counts).toMatchObject({ updated: 50, inserted: 0, deleted: 0, scopeRowsAfter: 50 });
    const t1 = await db2.exec('SELECT count(*)::int AS n FROM "Credentials" WHERE org_id = 1 AND secret = \'s\' || id');
    expect(t1.rows[0].n).toBe(50);
    const after = (await db2.exec('SELECT md5(string_agg(id || secret || org_id, \',\' ORDER BY id)) AS h FROM "Credentials" WHERE org_id = 2')).rows[0].h;
    expect(after).toBe(other);
  });

  it('says which column needs --set-column when restored rows would have none', async () => {
    const b = await getLatest();
    await db2.exec('DELETE FROM "Credentials" WHERE id = 100');
    await expect(restoreBackup(s2, { backupId: b, scope: { kind: 'table' }, strategy: 'upsert', dryRun: false }))
      .rejects.toThrow(/column "org_id" of public.Credentials is NOT NULL and the backup has no value for it; give --set-column org_id=VALUE/);
    await expect(restoreBackup(s2, { backupId: b, scope: { kind: 'table' }, strategy: 'upsert', dryRun: false, setColumns: [{ column: 'secret', value: 'x' }] }))
      .rejects.toThrow(/--set-column secret: the backup has this column/);
  });

  async function getLatest(): Promise<number> {
    return Number((await db2.exec('SELECT max(id) AS id FROM tenancy_console.backups')).rows[0].id);
  }
});
