/**
 * A pass brings its groups back as one row of JSON arrays (groups.ts). Tenant texts that JSON
 * must escape (quotes, backslashes, a newline, a tab, an emoji, a combining accent), NULL tenants
 * and stored values that are no key at all come back exactly as the row form (one row per group,
 * kept on Citus) reads them, with the same counts; and an empty table has no groups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanTable, scanTableSql, tallyGroups } from '../../main/engine/checks/scan.js';
import { groupsFromRows, type GroupRow } from '../../main/engine/checks/groups.js';
import type { Session } from '../../main/engine/session.js';
import type { TableInfo } from '../../shared/model.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const HOSTILE = ['a"b', 'back\\slash', 'line\nbreak', 'tab\there', 'emoji 🏳️‍🌈', 'e\u0301', '[1,2]', 'null', ''];

let db: TestDatabase;
let session: Session;
beforeAll(async () => {
  const values = HOSTILE.map((v) => `('${v.replace(/'/g, "''")}')`).join(', ');
  db = await createTestDatabase(`
    CREATE TABLE tenants (slug text PRIMARY KEY, name text);
    INSERT INTO tenants SELECT v, 'T' FROM (VALUES ${values}) x(v);
    CREATE TABLE notes (id serial PRIMARY KEY, tenant_slug text REFERENCES tenants, body text);
    INSERT INTO notes (tenant_slug) SELECT v FROM (VALUES ${values}) x(v), generate_series(1, 3);
    INSERT INTO notes (tenant_slug) VALUES (NULL), (NULL);
    ALTER TABLE notes DROP CONSTRAINT notes_tenant_slug_fkey;
    INSERT INTO notes (tenant_slug) VALUES ('gone "tenant"');
    CREATE TABLE orgs (id uuid PRIMARY KEY);
    INSERT INTO orgs VALUES ('6f1c2a4e-0000-4000-8000-000000000001');
    CREATE TABLE events (id serial PRIMARY KEY, org_id text);
    INSERT INTO events (org_id) VALUES ('6F1C2A4E-0000-4000-8000-000000000001'), ('6f1c2a4e-0000-4000-8000-000000000001'), ('not a "uuid"'), (NULL);
    CREATE TABLE empty_notes (id serial PRIMARY KEY, tenant_slug text);
    ANALYZE;`);
  session = await db.session();
});
afterAll(async () => {
  await session?.close();
  await db?.drop();
});

const table = (name: string, column: string): TableInfo => ({
  schema: 'public', table: name, tenantColumn: { name: column, type: 'text', nullable: true }, citus: null,
} as unknown as TableInfo);

/** The same pass read both ways: the one-row form, and the row form a Citus table gets. */
async function bothWays(t: TableInfo, keyType: string) {
  const cmp = { keyType, serverVersionNum: session.fingerprint.serverVersionNum };
  const dir = new Map((await session.query<{ id: string }>(keyType === 'uuid' ? 'SELECT id::text AS id FROM orgs' : 'SELECT slug AS id FROM tenants')).rows.map((r) => [r.id, null]));
  const oneRow = await scanTable(session, t, t.tenantColumn!.name, dir, cmp);
  const rowForm = tallyGroups(groupsFromRows((await session.query<GroupRow>(scanTableSql({ ...t, citus: { kind: 'distributed' } } as TableInfo, t.tenantColumn!.name, cmp))).rows), dir);
  return { oneRow, rowForm };
}

describe('groups as one row', () => {
  it('keeps every tenant text, NULL and orphan exactly as the row form reads them', async () => {
    const { oneRow, rowForm } = await bothWays(table('notes', 'tenant_slug'), 'text');
    expect(oneRow).toEqual(rowForm);
    expect(oneRow.rows).toBe(HOSTILE.length * 3 + 3);
    expect(oneRow.nullTenant).toBe(2);
    for (const v of HOSTILE) expect(oneRow.perTenant.get(v)).toBe(3);
    expect([...oneRow.orphans]).toEqual([['gone "tenant"', 1]]);
  });

  it('keeps converted values apart from their tenant (upper-case uuid text, a value that is no uuid)', async () => {
    const { oneRow, rowForm } = await bothWays(table('events', 'org_id'), 'uuid');
    expect(oneRow).toEqual(rowForm);
    expect(oneRow.perTenant.get('6f1c2a4e-0000-4000-8000-000000000001')).toBe(2);
    expect([...oneRow.invalid]).toEqual([['not a "uuid"', 1]]);
    expect(oneRow.nullTenant).toBe(1);
  });

  it('finds no groups in an empty table', async () => {
    const { oneRow } = await bothWays(table('empty_notes', 'tenant_slug'), 'text');
    expect(oneRow).toMatchObject({ rows: 0, nullTenant: 0, perTenant: new Map(), orphanValues: [] });
  });
});
