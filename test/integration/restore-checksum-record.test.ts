/**
 * The hash_record_extended scheme hashes most values as they are, not as text. It must still tell
 * apart every change the text hash tells apart: values equal by their type but printed differently
 * (a case-insensitive collation, numeric scale, NaN and Infinity, -0, jsonb numbers, bpchar blanks,
 * intervals), values swapped between rows (the record hash alone is linear in its fields), and a
 * column whose type changed since the backup (its hash depends on the type: the text hash is used).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../main/engine/backup/create.js';
import { restoreBackup } from '../../main/engine/backup/restore.js';
import type { Session } from '../../main/engine/session.js';
import type { ChecksumScheme } from '../../shared/backup.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { checksumIn } from '../support/checksums.js';

const FIXTURE = `
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE odd (id int PRIMARY KEY, name text COLLATE ci, amount numeric, ratio float8, doc jsonb, code bpchar,
                  at timestamptz, span interval, tags int[], note varchar(20));
INSERT INTO odd VALUES
  (1, 'Acme', 2.5, 0, '{"a": 1.0}', 'ab', '2024-01-01 00:00:00+00', '1 day', '{1,2}', 'x'),
  (2, 'Beta', 'NaN', 1.5, '{"a": 2}', 'cd', '2024-01-02 00:00:00+00', '2 hours', '{3}', 'y'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE orgs (id int PRIMARY KEY);
INSERT INTO orgs VALUES (1), (2);
CREATE TABLE items (id bigint PRIMARY KEY, org_id int NOT NULL REFERENCES orgs(id), label text, qty numeric, at timestamptz);
INSERT INTO items SELECT g, 1 + g % 2, 'item ' || g, g * 0.25, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour'
FROM generate_series(1, 200) g;
`;
const ODD = ['id', 'name', 'amount', 'ratio', 'doc', 'code', 'at', 'span', 'tags', 'note'];

let db: TestDatabase;
let s: Session;
beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
  s = await db.session();
  await s.enableWrite();
});
afterAll(async () => db?.drop());

async function sum(table: string, cols: string[], scheme: ChecksumScheme = 'hash_record_extended', where = 'true') {
  const reader = await db.session();
  try {
    return await checksumIn(reader, `public.${table}`, cols, { fromWhere: `FROM public.${table} b WHERE ${where}`, scheme });
  } finally {
    await reader.close();
  }
}

describe('hash_record_extended checksums', () => {
  it.each([
    ['a case change under a case-insensitive collation', "UPDATE odd SET name = 'ACME' WHERE id = 1", "UPDATE odd SET name = 'Acme' WHERE id = 1"],
    ['numeric 2.5 -> 2.50 (equal numbers)', 'UPDATE odd SET amount = 2.50 WHERE id = 1', 'UPDATE odd SET amount = 2.5 WHERE id = 1'],
    ['numeric NaN -> Infinity (neither has a scale)', "UPDATE odd SET amount = 'Infinity' WHERE id = 2", "UPDATE odd SET amount = 'NaN' WHERE id = 2"],
    ['float 0 -> -0 (equal numbers)', "UPDATE odd SET ratio = '-0' WHERE id = 1", 'UPDATE odd SET ratio = 0 WHERE id = 1'],
    ['jsonb 1.0 -> 1.00 (equal jsonb)', `UPDATE odd SET doc = '{"a": 1.00}' WHERE id = 1`, `UPDATE odd SET doc = '{"a": 1.0}' WHERE id = 1`],
    ["bpchar 'ab' -> 'ab ' (equal bpchar)", "UPDATE odd SET code = 'ab '::varchar WHERE id = 1", "UPDATE odd SET code = 'ab'::varchar WHERE id = 1"],
    ["interval '1 day' -> '24 hours' (equal intervals)", "UPDATE odd SET span = '24 hours' WHERE id = 1", "UPDATE odd SET span = '1 day' WHERE id = 1"],
    ['timestamps swapped between two rows', 'UPDATE odd SET at = CASE id WHEN 1 THEN timestamptz \'2024-01-02 00:00:00+00\' ELSE timestamptz \'2024-01-01 00:00:00+00\' END WHERE id IN (1, 2)',
      'UPDATE odd SET at = CASE id WHEN 1 THEN timestamptz \'2024-01-01 00:00:00+00\' ELSE timestamptz \'2024-01-02 00:00:00+00\' END WHERE id IN (1, 2)'],
    ['names swapped between two rows', "UPDATE odd SET name = CASE id WHEN 1 THEN 'Beta' ELSE 'Acme' END WHERE id IN (1, 2)", "UPDATE odd SET name = CASE id WHEN 1 THEN 'Acme' ELSE 'Beta' END WHERE id IN (1, 2)"],
    ['a timestamp one microsecond later', "UPDATE odd SET at = at + interval '1 microsecond' WHERE id = 1", "UPDATE odd SET at = at - interval '1 microsecond' WHERE id = 1"],
    ['a NULL where a value was', 'UPDATE odd SET note = NULL WHERE id = 1', "UPDATE odd SET note = 'x' WHERE id = 1"],
    ['an array element', "UPDATE odd SET tags = '{1,3}' WHERE id = 1", "UPDATE odd SET tags = '{1,2}' WHERE id = 1"],
  ])('%s changes the checksum; undone, it is back', async (_what, change, undo) => {
    const before = await sum('odd', ODD);
    expect(before.rows).toBe(3);
    await db.exec(change);
    expect((await sum('odd', ODD)).checksum).not.toBe(before.checksum);
    await db.exec(undo);
    expect(await sum('odd', ODD)).toEqual(before);
  });

  it('backs up and restores the odd table with it, verified', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'odd' });
    expect(b.checksumScheme).toBe('hash_record_extended');
    const before = await sum('odd', ODD);
    expect({ rows: b.rowCount, checksum: b.checksum }).toEqual(before);
    await db.exec('DELETE FROM odd');
    const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'table' }, strategy: 'replace', dryRun: false });
    expect(r.status).toBe('verified');
    expect(r.checksumScheme).toBe('hash_record_extended');
    expect(await sum('odd', ODD)).toEqual(before);
  });

  it('a column whose type changed since the backup: both sides hashed as text, the backup side from the copy; a changed row is still caught', async () => {
    const b = await createBackup(s, { schema: 'public', table: 'items' });
    expect(b.checksumScheme).toBe('hash_record_extended');
    const cols = ['id', 'org_id', 'label', 'qty', 'at'];
    const expected = await sum('items', cols, 'hashtextextended', 'b.org_id = 2');
    await db.exec('ALTER TABLE items ALTER COLUMN org_id TYPE bigint');
    try {
      await db.exec('DELETE FROM items WHERE org_id = 2');
      // The planted defect: a trigger changes the rows as they are inserted.
      await db.exec(`CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.qty := NEW.qty + 1; RETURN NEW; END $$;
                     CREATE TRIGGER bump BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION bump();`);
      const bad = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '2' }, strategy: 'replace', dryRun: false });
      expect(bad.status).toBe('mismatch-rolled-back');
      expect(bad.checksumScheme).toBe('hashtextextended');
      expect(bad.expected).toEqual(expected);
      await db.exec('DROP TRIGGER bump ON items');
      // Its clean twin verifies: the same rows, compared as text across the type change.
      const r = await restoreBackup(s, { backupId: b.id, scope: { kind: 'tenant', tenant: '2' }, strategy: 'replace', dryRun: false });
      expect(r.status).toBe('verified');
      expect(r.checksumScheme).toBe('hashtextextended');
      expect(r.copy.status).toBe('unchecked'); // the recorded total is of the other hash
      expect(r.statements.some((q) => q.includes('hashtextextended((ROW('))).toBe(true);
      expect(r.expected).toEqual(expected);
      expect(r.actual).toEqual(expected);
    } finally {
      await db.exec('ALTER TABLE items ALTER COLUMN org_id TYPE int');
    }
  });
});
