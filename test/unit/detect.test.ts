import { describe, expect, it } from 'vitest';
import type { CatalogTable } from '../../main/engine/model/catalog.js';
import { autoGlobalReason, detectTenantColumn, detectTenantTable, tenantKeyColumn, tenantNameColumn } from '../../main/engine/model/detect.js';
import { uniqueIsScoped } from '../../main/engine/checks/catalog-checks.js';

function table(schema: string, name: string, columns: string[], extra: Partial<CatalogTable> = {}): CatalogTable {
  return {
    oid: 1, schema, table: name, partitioned: false, partitions: 0, estimatedRows: 0, sizeBytes: 0, rlsEnabled: false,
    rlsForced: false, readable: true, lockedBy: null, primaryKey: ['id'], foreignKeys: [], uniqueKeys: [], indexes: [], policies: [],
    columns: columns.map((c) => ({ name: c, type: 'bigint', notNull: false, default: null })),
    ...extra,
  };
}

describe('detectTenantTable', () => {
  it.each([
    [['organizations', 'users'], 'organizations'],
    [['organization', 'member'], 'organization'],
    [['orgs', 'tenants'], 'orgs'],
    [['tenants', 'users'], 'tenants'],
    [['accounts', 'users'], null],
  ])('among %j picks %s', (names, expected) => {
    expect(detectTenantTable(names.map((n) => table('public', n, ['id'])))?.table ?? null).toBe(expected);
  });

  it('prefers the candidate most foreign keys point at when several schemas have one', () => {
    const fk = { name: 'f', columns: ['org_id'], refSchema: 'app', refTable: 'organizations', refColumns: ['id'], validated: true };
    const tables = [table('public', 'organizations', ['id']), table('app', 'organizations', ['id']), table('app', 'x', ['org_id'], { foreignKeys: [fk] })];
    expect(detectTenantTable(tables)).toMatchObject({ schema: 'app' });
  });
});

describe('detectTenantColumn', () => {
  it.each([
    [[['org_id'], ['org_id'], ['tenant_id']], 'org_id'],
    [[['organization_id'], ['org_id']], 'organization_id'],
    [[['tenantId'], ['tenantId'], ['name']], 'tenantId'],
    [[['name']], null],
  ])('for tables with columns %j picks %s', (cols, expected) => {
    expect(detectTenantColumn(cols.map((c, i) => table('public', `t${i}`, c)), null)).toBe(expected);
  });
});

describe('tenant key and name columns', () => {
  it('uses a single-column primary key, else id; labels with name, display_name, title or slug', () => {
    expect(tenantKeyColumn(table('public', 'o', ['uuid'], { primaryKey: ['uuid'] }))).toBe('uuid');
    expect(tenantKeyColumn(table('public', 'o', ['a', 'b'], { primaryKey: ['a', 'b'] }))).toBe('id');
    expect(tenantNameColumn(table('public', 'o', ['id', 'slug', 'title']))).toBe('title');
    expect(tenantNameColumn(table('public', 'o', ['id']))).toBeNull();
  });
});

describe('autoGlobalReason', () => {
  it.each([
    ['__drizzle_migrations', 'migration ledger'],
    ['_prisma_migrations', 'migration ledger'],
    ['schema_migrations', 'migration ledger'],
    ['countries', null],
  ])('%s -> %s', (name, reason) => {
    expect(autoGlobalReason(table('public', name, ['id']))).toBe(reason);
  });
});

describe('uniqueIsScoped', () => {
  it.each([
    [['org_id', 'email'], [true, true], true],
    [['email', 'org_id'], [true, true], true],
    [['email'], [true], false],
    [['lower(email)'], [false], false],
    [['org_id'], [false], false],
  ])('keys %j (columns %j) scoped: %s', (keys, isCol, scoped) => {
    expect(uniqueIsScoped(keys, isCol, 'org_id')).toBe(scoped);
  });
});
