/**
 * The Citus checks and placement helpers as pure functions over a model, so they are exercised
 * everywhere (the cluster tests skip where there is no Citus): each check planted once on a
 * synthetic cluster model, and its clean twin yields nothing; on a model without a cluster, nothing.
 */
import { describe, expect, it } from 'vitest';
import type { CitusPlacement, TableInfo, TenancyModel } from '../../shared/model.js';
import { distributeExpectedMs, distributeFunction, distributeLocks } from '../../shared/distribute-step.js';
import { catalogFindings } from '../../main/engine/checks/catalog-checks.js';
import { tenantGroup } from '../../main/engine/checks/citus.js';
import { placementKind } from '../../main/engine/model/citus.js';
import { placementAnchor, skewRatio } from '../../main/engine/placement.js';
import { placedAsAsked } from '../../main/engine/runbook/distribute-step.js';

const dist = (column: string | null, group: number): CitusPlacement => ({ kind: 'distributed', distributionColumn: column, colocationId: group, shardCount: 4 });
const REF: CitusPlacement = { kind: 'reference', distributionColumn: null, colocationId: 1, shardCount: 1 };
const LOCAL: CitusPlacement = { kind: 'local', distributionColumn: null, colocationId: null, shardCount: 0 };

function table(name: string, role: TableInfo['role'], citus: CitusPlacement | null, fks: string[] = []): TableInfo {
  return {
    schema: 'public', table: name, oid: name.length, partitioned: false, partitions: 0, role, roleReason: '', estimatedRows: 10, sizeBytes: 8192,
    primaryKey: ['id'], columns: ['id', 'org_id'],
    tenantColumn: role === 'tenant' ? { name: 'org_id', type: 'bigint', nullable: false, default: null, nullFrac: 0 } : null,
    tenantPath: null, tenantForeignKey: role === 'tenant' ? `${name}_org_fk` : null,
    foreignKeys: fks.map((ref) => ({ name: `${name}_${ref}_fk`, columns: ['x'], refSchema: 'public', refTable: ref, refColumns: ['id'], validated: true })),
    uniqueKeys: [], indexes: [{ name: `${name}_org_idx`, leadingColumn: 'org_id', valid: true, unique: false, partial: false, definition: '' }],
    rlsEnabled: true, rlsForced: true, policies: [], readable: true, owner: 'app', readers: [], citus,
  };
}

function model(tables: TableInfo[], cluster = true): TenancyModel {
  return {
    schemas: ['public'], tenantTable: { schema: 'public', table: 'orgs', keyColumn: 'id', keyType: 'bigint', nameColumn: null },
    tenantColumn: 'org_id', tenantColumns: ['org_id'], globalTables: [], globalUniques: [],
    cluster: cluster ? { citusVersion: '13.2-1', workers: 2 } : null,
    detection: { schemas: 'given', tenantTable: 'given', tenantColumn: 'given', globalTables: 'given', notes: [], candidates: [], problem: null },
    tables, platform: null,
  };
}

const citusOnly = (m: TenancyModel) => catalogFindings(m).filter((f) => f.check.startsWith('citus-')).map((f) => `${f.check} ${f.table}${f.constraint ? ` ${f.constraint}` : ''}`).sort();

const CLEAN = () => [
  table('orgs', 'tenant-table', dist('id', 7)),
  table('projects', 'tenant', dist('org_id', 7), ['orgs', 'plans']),
  table('tasks', 'tenant', dist('org_id', 7), ['projects']),
  table('plans', 'global', REF),
];

describe('Citus checks over a model', () => {
  it('the clean twin (reference table, tenant table, co-located tenant tables) yields none', () => {
    expect(citusOnly(model(CLEAN()))).toEqual([]);
  });

  it.each([
    ['a tenant table still local', (t: TableInfo[]) => { t[2]!.citus = LOCAL; }, ['citus-local-tenant-table tasks']],
    ['the tenant table still local', (t: TableInfo[]) => { t[0]!.citus = LOCAL; }, ['citus-local-tenant-table orgs']],
    ['a tenant table distributed by id', (t: TableInfo[]) => { t[2]!.citus = dist('id', 9); }, ['citus-distributed-by-other-column tasks']],
    ['a single-shard tenant table', (t: TableInfo[]) => { t[2]!.citus = dist(null, 9); }, ['citus-distributed-by-other-column tasks']],
    ['a tenant table in another group', (t: TableInfo[]) => { t[2]!.citus = dist('org_id', 8); }, ['citus-not-colocated tasks']],
    ['a global table left local and referenced', (t: TableInfo[]) => { t[3]!.citus = LOCAL; }, ['citus-global-not-reference plans']],
    ['a global table hash-distributed', (t: TableInfo[]) => { t[3]!.citus = dist('id', 5); }, ['citus-global-not-reference plans']],
    // A referenced tenant table of another group: its own finding, and none on the table referencing it.
    ['a tenant table referencing a scoped table distributed in another group', (t: TableInfo[]) => {
      t.push(table('lines', 'scoped', dist('id', 9)));
      t[2]!.foreignKeys.push({ name: 'tasks_line_fk', columns: ['line_id'], refSchema: 'public', refTable: 'lines', refColumns: ['id'], validated: true });
    }, ['citus-not-colocated tasks tasks_line_fk']],
    ['a referenced tenant table in another group', (t: TableInfo[]) => { t[1]!.citus = dist('org_id', 8); }, ['citus-not-colocated projects']],
  ])('%s: found once', (_what, plant, want) => {
    const tables = CLEAN();
    plant(tables);
    expect(citusOnly(model(tables))).toEqual(want);
  });

  it('without a cluster nothing is a Citus finding, whatever the placements say', () => {
    const tables = CLEAN();
    tables[2]!.citus = LOCAL;
    expect(citusOnly(model(tables, false))).toEqual([]);
  });

  it('the tenant group is the tenant table\'s, else the one most tenant tables share', () => {
    expect(tenantGroup(model(CLEAN()))).toBe(7);
    const t = CLEAN();
    t[0]!.citus = REF;
    t[1]!.citus = dist('org_id', 3);
    t[2]!.citus = dist('org_id', 3);
    expect(tenantGroup(model(t))).toBe(3);
    expect(placementAnchor(model(t))?.table).toBe('projects');
  });
});

describe('placement and distribute helpers', () => {
  it.each([
    ['h', 's', 5, 'distributed'], ['n', 't', 1, 'reference'], ['n', 's', 0, 'citus-local'], ['n', 's', 4, 'distributed'],
  ] as const)('pg_dist_partition partmethod %s repmodel %s colocationid %i is %s', (m, r, g, kind) => {
    expect(placementKind(m, r, g)).toBe(kind);
  });

  it.each([[[], 0], [[10, 10, 10], 1], [[30, 10, 10, 10], 2], [[0, 0], 0]] as const)('skew of %j is %d', (values, want) => {
    expect(skewRatio([...values])).toBe(want);
  });

  it('names the function and its lock for each form', () => {
    expect(distributeFunction({ as: 'reference', concurrently: false })).toBe('create_reference_table');
    expect(distributeFunction({ as: 'distributed', concurrently: true })).toBe('create_distributed_table_concurrently');
    expect(distributeLocks({ as: 'distributed', concurrently: false, table: 't' })).toMatch(/^ExclusiveLock on t for the whole copy/);
    expect(distributeLocks({ as: 'distributed', concurrently: true, table: 't' })).toMatch(/^AccessExclusiveLock on t for a moment at the start .* then ShareUpdateExclusiveLock for the copy/);
    expect(distributeExpectedMs(0)).toBe(1000);
    expect(distributeExpectedMs(200 * 1024 * 1024)).toBe(10_000);
  });

  it('a placement is as asked only with the same kind, column and group', () => {
    const step = { id: 'd', title: 'd', kind: 'distribute' as const, table: 't', as: 'distributed' as const, column: 'org_id', concurrently: false };
    expect(placedAsAsked(step, dist('org_id', 7), 7)).toBe(true);
    expect(placedAsAsked(step, dist('org_id', 8), 7)).toBe(false);
    expect(placedAsAsked(step, dist('id', 7), null)).toBe(false);
    expect(placedAsAsked({ ...step, as: 'reference', column: undefined }, REF, null)).toBe(true);
    expect(placedAsAsked({ ...step, as: 'reference', column: undefined }, LOCAL, null)).toBe(false);
  });
});
