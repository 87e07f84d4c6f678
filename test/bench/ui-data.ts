/**
 * Synthetic console data for the UI benchmark: a model of N tenant tables, a check run over them,
 * and a distribution over T tenants, shaped exactly like the engine's output (parsed by the contract).
 */
import type { CheckRun, Distribution, Finding, Fingerprint } from '../../shared/findings.js';
import type { TableInfo, TenancyModel } from '../../shared/model.js';
import type { TenantFootprint, TenantRowsPage } from '../../shared/tenant.js';
import type { Profile } from '../../shared/profile.js';

/** The fingerprint of the imaginary server. */
export const FINGERPRINT: Fingerprint = {
  serverVersion: '18.0', serverVersionNum: 180000, database: 'bench', user: 'bench', serverAddress: '127.0.0.1',
  serverPort: 5432, systemIdentifier: '7000000000000000000', superuser: false, readOnly: true,
};

/** The imaginary profile. */
export const PROFILE: Profile = {
  name: 'bench', host: '127.0.0.1', port: 5432, database: 'bench', user: 'bench', sslmode: 'disable', environment: 'staging',
  tenancy: {}, statementTimeoutMs: 30_000, lockTimeoutMs: 3_000, passwordSource: 'none', scanSessions: 2,
};

function table(i: number): TableInfo {
  const name = `table_${String(i).padStart(4, '0')}`;
  return {
    schema: 'app', table: name, oid: 10_000 + i, partitioned: false, partitions: 0, role: 'tenant', roleReason: 'has the tenant column',
    estimatedRows: 1_000 + ((i * 7919) % 100_000), sizeBytes: 8192 * (i + 1), primaryKey: ['id'], columns: ['id', 'org_id', 'body'],
    tenantColumn: { name: 'org_id', type: 'bigint', nullable: i % 3 === 0, default: i % 11 === 0 ? '1' : null, nullFrac: i % 3 === 0 ? 0.01 : 0 },
    tenantForeignKey: i % 5 === 0 ? null : `${name}_org_fk`, tenantPath: null, foreignKeys: [], uniqueKeys: [],
    indexes: i % 4 === 0 ? [] : [{ name: `${name}_org_idx`, leadingColumn: 'org_id', valid: true, unique: false, partial: false, definition: '' }],
    rlsEnabled: i % 2 === 0, rlsForced: i % 6 === 0,
    policies: i % 2 === 0 ? [{ name: 'tenant', command: 'ALL', permissive: true, roles: ['app'], using: "(org_id = current_setting('app.tenant_id')::bigint)", withCheck: null, referencesTenantColumn: i % 10 !== 0 }] : [],
    readable: true, owner: 'app', readers: [], citus: null,
  };
}

/** A model with `tables` tenant tables plus the tenant table. */
export function syntheticModel(tables: number): TenancyModel {
  return {
    schemas: ['app'],
    platform: null,
    tenantTable: { schema: 'app', table: 'orgs', keyColumn: 'id', keyType: 'bigint', nameColumn: 'name' },
    tenantColumn: 'org_id',
    tenantColumns: ['org_id'],
    globalTables: [], cluster: null,
    globalUniques: [],
    detection: { schemas: 'detected', tenantTable: 'detected', tenantColumn: 'detected', globalTables: 'detected', notes: [], candidates: [], problem: null },
    tables: Array.from({ length: tables }, (_, i) => table(i)),
  };
}

/** An exact-looking run with facts for every table and a finding for every third. */
export function syntheticRun(model: TenancyModel): CheckRun {
  const findings: Finding[] = [];
  const facts = model.tables.map((t, i) => {
    const rows = t.estimatedRows ?? 0;
    const nullTenant = i % 3 === 0 ? Math.round(rows * 0.01) : 0;
    if (nullTenant > 0) {
      findings.push({
        check: 'null-tenant-rows', severity: 'error', schema: t.schema, table: t.table, column: 'org_id', count: nullTenant,
        sample: [{ id: String(i * 10 + 1) }, { id: String(i * 10 + 2) }], message: `${t.table}: ${nullTenant} of ${rows} rows have NULL org_id`,
        sql: `SELECT count(*) FROM "app"."${t.table}" WHERE "org_id" IS NULL;`, remedy: `UPDATE "app"."${t.table}" SET "org_id" = ... WHERE "org_id" IS NULL;`,
      });
    }
    return { schema: t.schema, table: t.table, rows, nullTenant, orphanTenant: 0, estimate: false };
  });
  return {
    mode: 'exact', startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), database: FINGERPRINT,
    model: { schemas: ['app'], tenantTable: 'app.orgs', tenantColumn: 'org_id', tenantColumns: ['org_id'], globalTables: [], detection: model.detection, tables: model.tables.length, tenantTables: model.tables.length, scopedTables: 0, unscopedTables: 0, rlsTables: model.tables.filter((t) => t.rlsEnabled).length },
    findings, tables: facts, skipped: [], cancelled: false,
  };
}

/** A distribution over `tenants` tenants, each present in 5 of the model's tables. */
export function syntheticDistribution(model: TenancyModel, tenants: number): Distribution {
  const rows: Distribution['rows'] = [];
  for (let t = 0; t < tenants; t += 1) {
    for (let k = 0; k < 5; k += 1) {
      const tbl = model.tables[(t * 13 + k * 101) % model.tables.length]!;
      rows.push({ schema: tbl.schema, table: tbl.table, tenant: String(t + 1), tenantName: `Tenant ${t + 1}`, bucket: 'tenant', rows: 1 + ((t * 31 + k) % 500) });
    }
  }
  return {
    database: FINGERPRINT, tenantTable: 'app.orgs', tenantColumn: 'org_id',
    tenants: Array.from({ length: tenants }, (_, t) => ({ id: String(t + 1), name: `Tenant ${t + 1}` })),
    rows, noTenant: [{ schema: 'app', table: model.tables[0]!.table, rows: 12 }],
    missingTenant: [{ schema: 'app', table: model.tables[1 % model.tables.length]!.table, tenant: '999999', rows: 3 }], skipped: [],
  };
}

/** Tenant 77's footprint over every table of the model: rows in most, stray rows in a few. */
export function syntheticFootprint(model: TenancyModel): TenantFootprint {
  return {
    tenant: { id: '77', name: 'Tenant 77', slug: 'tenant-77' },
    tables: model.tables.map((t, i) => ({
      schema: t.schema, table: t.table, role: 'tenant' as const, via: 'org_id', rows: i % 7 === 0 ? 0 : 1 + ((i * 37) % 900), estimatedTotal: t.estimatedRows,
      concerning: i % 97 === 0 ? [{ constraint: `${t.table}_parent_fkey`, parentSchema: t.schema, parentTable: model.tables[0]!.table, noTenant: 3, missingTenant: 1 }] : [],
      strayRows: i % 97 === 0 ? 4 : 0,
    })),
    skipped: [],
  };
}

/** One page (50 rows) of a table's rows for tenant 77. */
export function syntheticRows(schema: string, table: string): TenantRowsPage {
  const columns = ['id', 'org_id', 'name', 'created_at'];
  return {
    schema, table, columns, key: ['id'],
    rows: Array.from({ length: 50 }, (_, i) => ({ id: String(i + 1), org_id: '77', name: `row ${i + 1}`, created_at: '2026-01-01 00:00:00+00' })),
    next: ['50'], sql: `SELECT ... FROM "${schema}"."${table}" c WHERE c.org_id = $1 ORDER BY c.id LIMIT $2`,
  };
}
