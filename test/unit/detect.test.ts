import { describe, expect, it } from 'vitest';
import type { CatalogTable } from '../../main/engine/model/catalog.js';
import {
  autoGlobalReason, closeNames, detectTenantColumn, detectTenantColumns, detectTenantTable, rankTenantTables, spellings, tableTenantColumn, tenantKey,
  tenantKeyColumn, tenantNameColumn, tenantStem, typedName,
} from '../../main/engine/model/detect.js';
import { uniqueIsScoped } from '../../main/engine/checks/catalog-checks.js';

function table(schema: string, name: string, columns: string[], extra: Partial<CatalogTable> = {}): CatalogTable {
  return {
    oid: 1, schema, table: name, partitioned: false, partitions: 0, estimatedRows: 0, sizeBytes: 0, rlsEnabled: false,
    rlsForced: false, readable: true, owner: 'app', readers: [], lockedBy: null, primaryKey: ['id'], foreignKeys: [], uniqueKeys: [], indexes: [], policies: [],
    columns: columns.map((c) => ({ name: c, type: 'bigint', notNull: false, default: null })),
    ...extra,
  };
}

const fk = (cols: string[], refSchema: string, refTable: string, refColumns = ['id'], name = 'f') => ({ name, columns: cols, refSchema, refTable, refColumns, validated: true });
/** `n` child tables in `schema` with `col` referencing `ref`. */
const children = (n: number, col: string, ref: [string, string], refCol = 'id', schema = 'public') =>
  Array.from({ length: n }, (_, i) => table(schema, `child_${ref[1]}_${i}`, ['id', col], { foreignKeys: [fk([col], ref[0], ref[1], [refCol])] }));

describe('detectTenantTable', () => {
  it.each([
    ['organizations'], ['organisations'], ['accounts'], ['Team'], ['workspaces'], ['companies'], ['tenants'], ['orgs'], ['organization'],
  ])('finds %s when tables reference it', (name) => {
    const tables = [table('public', name, ['id']), table('public', 'users', ['id']), ...children(3, 'x_id', ['public', name])];
    expect(detectTenantTable(tables)?.table).toBe(name);
  });

  it('finds nothing when no tenant-like table is referenced or has a matching column (a look-alike alone)', () => {
    expect(detectTenantTable([table('public', 'accounts', ['id']), table('public', 'users', ['id'])])).toBeNull();
    expect(detectTenantTable([table('public', 'users', ['id']), ...children(5, 'user_id', ['public', 'users'])])).toBeNull();
  });

  it('prefers the referenced table over an unreferenced look-alike in another schema', () => {
    const tables = [table('archive', 'organizations', ['id']), table('public', 'organizations', ['id']), ...children(2, 'org_id', ['public', 'organizations'])];
    const ranking = rankTenantTables(tables);
    expect(ranking.map((r) => `${r.table}:${r.eligible}`)).toEqual(['public.organizations:true', 'archive.organizations:false']);
    expect(ranking[1]!.reason).toBe('referenced by no table: a look-alike');
    expect(detectTenantTable(tables)).toMatchObject({ schema: 'public' });
  });

  it('prefers the unreferenced table with tenant-like columns over one with none (a half-done migration)', () => {
    const tables = [table('archive', 'orgs', ['id']), table('public', 'organizations', ['id']), table('public', 'x', ['id', 'organization_id'])];
    expect(detectTenantTable(tables)).toMatchObject({ schema: 'public', table: 'organizations' });
  });

  it('treats a tenant-like table that references another as its child (projects -> organizations)', () => {
    const projects = table('public', 'projects', ['id', 'org_id'], { foreignKeys: [fk(['org_id'], 'public', 'organizations')] });
    const tables = [table('public', 'organizations', ['id']), projects, ...children(5, 'project_id', ['public', 'projects']), ...children(2, 'org_id', ['public', 'organizations'])];
    const ranking = rankTenantTables(tables);
    expect(ranking[0]).toMatchObject({ table: 'public.organizations', eligible: true });
    expect(ranking.find((r) => r.table === 'public.projects')).toMatchObject({ eligible: false, childOf: 'public.organizations' });
  });

  it('lets the more referenced table win a mutual reference', () => {
    const orgs = table('public', 'organizations', ['id', 'default_team_id'], { foreignKeys: [fk(['default_team_id'], 'public', 'teams')] });
    const teams = table('public', 'teams', ['id', 'organization_id'], { foreignKeys: [fk(['organization_id'], 'public', 'organizations')] });
    const tables = [orgs, teams, ...children(4, 'organization_id', ['public', 'organizations'])];
    expect(detectTenantTable(tables)?.table).toBe('organizations');
  });
});

describe('tenantKey', () => {
  it('takes the referenced column, else the single-column PK, else a single-column unique key, any type', () => {
    const byCode = table('public', 'teams', ['id', 'code'], { primaryKey: ['id'] });
    expect(tenantKey(byCode, [byCode, ...children(2, 'team_code', ['public', 'teams'], 'code')])?.name).toBe('code');
    expect(tenantKey(byCode, [byCode])?.name).toBe('id');
    const unique = table('public', 'teams', ['slug'], {
      primaryKey: null,
      uniqueKeys: [{ name: 'u', kind: 'constraint', keys: ['slug'], keyIsColumn: [true], include: [], predicate: null, definition: '', primary: false, valid: true }],
    });
    expect(tenantKey(unique, [unique])?.name).toBe('slug');
    expect(tenantKey(table('public', 'teams', ['a', 'b'], { primaryKey: ['a', 'b'] }), [])).toBeNull();
  });
});

describe('detectTenantColumns', () => {
  it('takes every spelling the FKs to the tenant table use, most tables first', () => {
    const orgs = table('public', 'organizations', ['id']);
    const tables = [orgs, ...children(4, 'organizationId', ['public', 'organizations']), ...children(2, 'organization_id', ['public', 'organizations'], 'id', 'app')];
    const d = detectTenantColumns(tables, orgs, 'id');
    expect(d.names).toEqual(['organizationId', 'organization_id']);
    expect(d.counts.get('organization_id')).toBe(2);
  });

  it('picks the name on the most tables when nothing references the tenant table', () => {
    const orgs = table('public', 'organizations', ['id']);
    const tables = [orgs, table('public', 'a', ['org_id']), table('public', 'b', ['org_id']), table('public', 'c', ['tenant_id'])];
    expect(detectTenantColumns(tables, orgs, 'id').names).toEqual(['org_id', 'tenant_id']);
  });

  it.each([
    [[['org_id'], ['org_id'], ['tenant_id']], 'org_id'],
    [[['organization_id'], ['org_id']], 'organization_id'],
    [[['tenantId'], ['tenantId'], ['name']], 'tenantId'],
    [[['name']], null],
  ])('with no tenant table, for tables with columns %j picks %s', (cols, expected) => {
    expect(detectTenantColumn(cols.map((c, i) => table('public', `t${i}`, c)), null)).toBe(expected);
  });

  it('gives each table its own column: the one with the FK first', () => {
    const orgs = table('public', 'organizations', ['id']);
    const t = table('public', 't', ['org_id', 'organization_id'], { foreignKeys: [fk(['organization_id'], 'public', 'organizations')] });
    expect(tableTenantColumn(t, ['org_id', 'organization_id'], orgs, 'id')?.name).toBe('organization_id');
    expect(tableTenantColumn(table('public', 'u', ['org_id']), ['organization_id', 'org_id'], orgs, 'id')?.name).toBe('org_id');
  });
});

describe('names', () => {
  it.each([
    ['organization_id', ['organization_id', 'organizationId', 'OrganizationId']],
    ['teamId', ['teamId', 'team_id', 'TeamId']],
  ])('spellings of %s', (name, expected) => {
    expect(spellings(name)).toEqual(expected);
  });

  it('stems tenant table names in any case and number', () => {
    expect(['Team', 'organisations', 'companies', 'ACCOUNTS', 'users', 'address'].map(tenantStem)).toEqual(['team', 'organisation', 'company', 'account', null, null]);
  });

  it('types names as the operator would, and finds close ones', () => {
    expect(typedName('public', 'Team')).toBe('public."Team"');
    expect(typedName('public', 'team')).toBe('public.team');
    expect(closeNames('orgid', ['org_id', 'organization_id', 'name'])).toEqual(['org_id']);
    expect(closeNames('public.team', ['public.Team', 'public.users'])).toEqual(['public.Team']);
    expect(closeNames('tenant', ['users'])).toEqual([]);
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
