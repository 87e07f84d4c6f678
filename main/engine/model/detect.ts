/**
 * Auto-detection of the tenancy settings: which table holds the tenants, which column names the
 * tenant, which tables are global. Pure functions over catalog data, tested exhaustively.
 */
import type { CatalogTable } from './catalog.js';

/** Tenant table names tried in order when none is given. */
export const TENANT_TABLE_CANDIDATES = ['organizations', 'organization', 'orgs', 'tenants', 'tenant'];

/** Tenant column names tried when none is given; the one on the most tables wins. */
export const TENANT_COLUMN_CANDIDATES = ['organization_id', 'org_id', 'tenant_id', 'organizationId', 'orgId', 'tenantId'];

/** Columns used to label tenants, in order of preference. */
export const TENANT_NAME_CANDIDATES = ['name', 'display_name', 'title', 'slug'];

/**
 * Migration ledgers of common tools: shared by all tenants by nature, so global without asking.
 */
export const LEDGER_TABLES = new Set([
  '__drizzle_migrations', '_prisma_migrations', 'schema_migrations', 'knex_migrations',
  'knex_migrations_lock', 'flyway_schema_history', '__EFMigrationsHistory', 'goose_db_version',
  'ar_internal_metadata', 'typeorm_migrations', 'migrations', 'pgmigrations', 'tenancy_migrations',
]);

/**
 * Schemas managed by a platform rather than the application (Supabase, pg_cron, ...): left out of
 * the default scope, and named in the detection notes so the operator can add them back.
 */
export const PLATFORM_SCHEMAS = new Set([
  'auth', 'storage', 'realtime', '_realtime', 'extensions', 'graphql', 'graphql_public', 'vault',
  'pgsodium', 'pgsodium_masks', 'supabase_functions', 'supabase_migrations', 'net', 'cron',
  'pgbouncer', '_analytics', 'drizzle', 'tenancy_console',
]);

/** Pick the tenant table among the catalog's tables: candidates by name, most-referenced first. */
export function detectTenantTable(tables: CatalogTable[]): CatalogTable | null {
  const refCount = new Map<string, number>();
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      const key = `${fk.refSchema}.${fk.refTable}`;
      refCount.set(key, (refCount.get(key) ?? 0) + 1);
    }
  }
  for (const name of TENANT_TABLE_CANDIDATES) {
    const found = tables.filter((t) => t.table === name);
    if (found.length > 0) {
      found.sort((a, b) => (refCount.get(`${b.schema}.${b.table}`) ?? 0) - (refCount.get(`${a.schema}.${a.table}`) ?? 0));
      return found[0]!;
    }
  }
  return null;
}

/** Pick the tenant column: the candidate name present on the most tables (ties: list order). */
export function detectTenantColumn(tables: CatalogTable[], tenantTable: CatalogTable | null): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const name of TENANT_COLUMN_CANDIDATES) {
    const count = tables.filter((t) => t !== tenantTable && t.columns.some((c) => c.name === name)).length;
    if (count > bestCount) {
      best = name;
      bestCount = count;
    }
  }
  return best;
}

/** The tenant table's key column: its single-column primary key, else "id". */
export function tenantKeyColumn(table: CatalogTable): string {
  if (table.primaryKey && table.primaryKey.length === 1) return table.primaryKey[0]!;
  return 'id';
}

/** The column used to label tenants, if the tenant table has one. */
export function tenantNameColumn(table: CatalogTable): string | null {
  for (const name of TENANT_NAME_CANDIDATES) {
    if (table.columns.some((c) => c.name === name)) return name;
  }
  return null;
}

/** Why a table without the tenant column is global without being declared so, or null. */
export function autoGlobalReason(table: CatalogTable): string | null {
  if (LEDGER_TABLES.has(table.table)) return 'migration ledger';
  return null;
}
