/**
 * Auto-detection of the tenancy settings: which table holds the tenants (ranked by the foreign
 * keys that point at it), which column names the tenant on each table, which tables are global.
 * Pure functions over catalog data, tested exhaustively.
 */
import type { TenantCandidate } from '../../../shared/model.js';
import type { CatalogColumn, CatalogTable } from './catalog.js';

/**
 * Singular, lower-case names a tenant table goes by, in order of preference on a tie. A table
 * matches when its name, lower-cased and singularised, is one of these (`Team`, `organisations`).
 */
export const TENANT_TABLE_STEMS = ['tenant', 'organization', 'organisation', 'org', 'account', 'team', 'workspace', 'company', 'project'];

/** Tenant column names tried when nothing references the tenant table (a half-done migration). */
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
  // Citus's own metadata and columnar storage.
  'citus', 'citus_internal', 'columnar', 'columnar_internal',
]);

const key = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;

/** A table name as the operator would type it: parts quoted only where case or characters need it. */
export function typedName(schema: string, table: string): string {
  const part = (p: string) => (/^[a-z_][a-z0-9_$]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`);
  return `${part(schema)}.${part(table)}`;
}

/** The tenant stem a table name matches (`Organisations` -> organisation), or null. */
export function tenantStem(table: string): string | null {
  let s = table.toLowerCase();
  if (s.endsWith('ies')) s = `${s.slice(0, -3)}y`;
  else if (s.endsWith('s') && !s.endsWith('ss')) s = s.slice(0, -1);
  return TENANT_TABLE_STEMS.includes(s) ? s : null;
}

/** The snake_case, camelCase and PascalCase forms of a column name (the name itself first). */
export function spellings(name: string): string[] {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split('_').filter(Boolean);
  if (words.length === 0) return [name];
  const camel = words[0]! + words.slice(1).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  const pascal = camel[0]!.toUpperCase() + camel.slice(1);
  return [...new Set([name, words.join('_'), camel, pascal])];
}

/** Column names a tenant table's stem suggests (organization -> organization_id, organizationId, org_id, ...). */
export function stemColumns(stem: string): string[] {
  const bases = stem === 'organization' || stem === 'organisation' ? [stem, 'org'] : [stem];
  return bases.flatMap((b) => spellings(`${b}_id`));
}

/** The column a tenant table is referenced by: what its FKs point at, else its single-column PK or UNIQUE key. */
export function tenantKey(t: CatalogTable, all: CatalogTable[]): CatalogColumn | null {
  const counts = new Map<string, number>();
  for (const o of all) {
    for (const fk of o.foreignKeys) {
      if (fk.refSchema === t.schema && fk.refTable === t.table && fk.refColumns.length === 1) {
        counts.set(fk.refColumns[0]!, (counts.get(fk.refColumns[0]!) ?? 0) + 1);
      }
    }
  }
  const referenced = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  const col = (name: string | undefined) => (name === undefined ? null : t.columns.find((c) => c.name === name) ?? null);
  if (referenced) return col(referenced);
  if (t.primaryKey?.length === 1) return col(t.primaryKey[0]);
  const unique = t.uniqueKeys.find((u) => u.valid && !u.predicate && u.keys.length === 1 && u.keyIsColumn[0]);
  return col(unique?.keys[0]);
}

/** Every table some FK points at, ranked by how many distinct tables reference it (for "did you mean"). */
export function mostReferenced(tables: CatalogTable[]): { table: CatalogTable; referencedBy: number }[] {
  const refs = referencingTables(tables);
  return tables
    .map((t) => ({ table: t, referencedBy: refs.get(key(t))?.size ?? 0 }))
    .filter((x) => x.referencedBy > 0)
    .sort((a, b) => b.referencedBy - a.referencedBy || key(a.table).localeCompare(key(b.table)));
}

function referencingTables(tables: CatalogTable[]): Map<string, Set<string>> {
  const refs = new Map<string, Set<string>>();
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      const to = `${fk.refSchema}.${fk.refTable}`;
      if (to === key(t)) continue;
      if (!refs.has(to)) refs.set(to, new Set());
      refs.get(to)!.add(key(t));
    }
  }
  return refs;
}

/**
 * Rank the tables whose name looks like a tenant table by structure: the ones most tables reference
 * by FK first, then the ones most tables carry a matching column for; a table that itself
 * references another referenced tenant-like table (teams -> organizations) is its child, not the
 * tenant. Only the first candidate with `eligible` may be chosen.
 */
export function rankTenantTables(tables: CatalogTable[]): (TenantCandidate & { eligible: boolean; catalog: CatalogTable })[] {
  const refs = referencingTables(tables);
  const stems = tables.map((t) => ({ t, stem: tenantStem(t.table) })).filter((x) => x.stem !== null);
  const referencedStem = new Set(stems.filter((x) => (refs.get(key(x.t))?.size ?? 0) > 0).map((x) => key(x.t)));
  const out = stems.map(({ t, stem }) => {
    const referencedBy = refs.get(key(t))?.size ?? 0;
    const names = new Set(stemColumns(stem!));
    // A matching column counts only where no FK already says it points at another table.
    const pointsElsewhere = (o: CatalogTable, col: string) => o.foreignKeys.some((fk) => fk.columns.includes(col) && `${fk.refSchema}.${fk.refTable}` !== key(t));
    const columnTables = tables.filter((o) => o !== t && !refs.get(key(t))?.has(key(o)) && o.columns.some((c) => names.has(c.name) && !pointsElsewhere(o, c.name))).length;
    // A mutual reference (organizations.default_team_id, teams.organization_id): the more referenced one is the root.
    const refsOf = (k: string) => refs.get(k)?.size ?? 0;
    const parent = t.foreignKeys.map((fk) => `${fk.refSchema}.${fk.refTable}`)
      .find((to) => to !== key(t) && referencedStem.has(to) && !(refs.get(key(t))?.has(to) && refsOf(key(t)) > refsOf(to)));
    const k = tenantKey(t, tables);
    const eligible = parent === undefined && k !== null && (referencedBy > 0 || columnTables > 0);
    let reason: string;
    if (parent !== undefined) reason = `references ${parent}: a child of it, not the tenant`;
    else if (k === null) reason = 'no single-column primary key or unique key to reference';
    else if (referencedBy > 0) reason = `referenced by ${referencedBy} table${referencedBy === 1 ? '' : 's'}${columnTables > 0 ? `; a column like ${stemColumns(stem!)[0]} but no FK on ${columnTables} more` : ''}`;
    else if (columnTables > 0) reason = `referenced by no foreign key; a column like ${[...names].slice(0, 2).join('/')} but no FK on ${columnTables} table${columnTables === 1 ? '' : 's'}`;
    else reason = 'referenced by no table: a look-alike';
    return {
      table: key(t), typed: typedName(t.schema, t.table), referencedBy, columnTables, keyColumn: k?.name ?? null,
      childOf: parent ?? null, reason, chosen: false, eligible, catalog: t,
    };
  });
  const order = (x: { catalog: CatalogTable }) => TENANT_TABLE_STEMS.indexOf(tenantStem(x.catalog.table)!);
  out.sort((a, b) => Number(b.eligible) - Number(a.eligible) || b.referencedBy - a.referencedBy || b.columnTables - a.columnTables ||
    order(a) - order(b) || Number(b.catalog.schema === 'public') - Number(a.catalog.schema === 'public') || a.table.localeCompare(b.table));
  return out;
}

/** Pick the tenant table: the first eligible candidate of the ranking, or null. */
export function detectTenantTable(tables: CatalogTable[]): CatalogTable | null {
  const first = rankTenantTables(tables)[0];
  return first?.eligible ? first.catalog : null;
}

/** What the tenant column detection found: the names in use, most tables first, and their counts. */
export interface ColumnDetection {
  /** Names in use, most tables first. */
  names: string[];
  counts: Map<string, number>;
  /** How the names were found, for the notes. */
  how: string;
}

/**
 * The tenant column names of a schema: the names of the columns that reference the tenant key
 * by FK (every spelling), with the snake/camel forms of each and the names the tenant table's name
 * suggests; with no such FK, the common candidate names. Counted per table, most used first.
 */
export function detectTenantColumns(tables: CatalogTable[], tenantTable: CatalogTable | null, keyColumn: string | null): ColumnDetection {
  const fkNames = new Set<string>();
  if (tenantTable) {
    for (const t of tables) {
      if (t === tenantTable) continue;
      for (const fk of t.foreignKeys) {
        if (fk.refSchema === tenantTable.schema && fk.refTable === tenantTable.table && fk.columns.length === 1 && fk.refColumns[0] === keyColumn) fkNames.add(fk.columns[0]!);
      }
    }
  }
  const stem = tenantTable ? tenantStem(tenantTable.table) : null;
  let wanted: string[];
  let how: string;
  if (fkNames.size > 0) {
    wanted = [...fkNames].flatMap(spellings);
    if (stem) wanted.push(...stemColumns(stem));
    how = `from the foreign keys to ${tenantTable!.schema}.${tenantTable!.table}`;
  } else {
    wanted = stem ? [...stemColumns(stem), ...TENANT_COLUMN_CANDIDATES] : [...TENANT_COLUMN_CANDIDATES];
    if (tenantTable) wanted.push(...spellings(`${tenantTable.table.toLowerCase()}_id`));
    how = tenantTable ? `by name (no foreign key references ${tenantTable.schema}.${tenantTable.table})` : 'by name';
  }
  return countNames(tables, tenantTable, [...new Set(wanted)], how);
}

/** Count the tables (other than the tenant table) that have each of `names`; keep the ones in use. */
export function countNames(tables: CatalogTable[], tenantTable: CatalogTable | null, names: string[], how: string): ColumnDetection {
  const counts = new Map<string, number>();
  for (const name of names) {
    const n = tables.filter((t) => t !== tenantTable && t.columns.some((c) => c.name === name)).length;
    if (n > 0) counts.set(name, n);
  }
  const order = new Map(names.map((n, i) => [n, i]));
  const used = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || order.get(a)! - order.get(b)!);
  return { names: used, counts, how };
}

/** Compatibility: the single most used tenant column name, or null. */
export function detectTenantColumn(tables: CatalogTable[], tenantTable: CatalogTable | null): string | null {
  const key = tenantTable ? tenantKey(tenantTable, tables)?.name ?? null : null;
  return detectTenantColumns(tables, tenantTable, key).names[0] ?? null;
}

/**
 * A table's own tenant column among `names`: a column with an FK to the tenant key first, then
 * the most used name it has. Null when it has none.
 */
export function tableTenantColumn(t: CatalogTable, names: string[], tenantTable: CatalogTable | null, keyColumn: string | null): CatalogColumn | null {
  const has = (n: string) => t.columns.find((c) => c.name === n);
  if (tenantTable) {
    const fkCols = t.foreignKeys
      .filter((fk) => fk.refSchema === tenantTable.schema && fk.refTable === tenantTable.table && fk.columns.length === 1 && fk.refColumns[0] === keyColumn)
      .map((fk) => fk.columns[0]!);
    const named = names.find((n) => fkCols.includes(n));
    if (named) return has(named) ?? null;
  }
  for (const n of names) {
    const c = has(n);
    if (c) return c;
  }
  return null;
}

/** The tenant table's key column: its single-column primary key, else "id" (kept for callers). */
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

/** Levenshtein distance, case-insensitive, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const row = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i += 1) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= y.length; j += 1) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (x[i - 1] === y[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[y.length]!;
}

/** The names among `known` close to `given` (case, underscores and a few typos apart), closest first. */
export function closeNames(given: string, known: string[]): string[] {
  const norm = (s: string) => s.toLowerCase().replace(/[_\s"]/g, '');
  const g = norm(given);
  const limit = Math.max(2, Math.floor(g.length / 3));
  return [...new Set(known)]
    .map((k) => ({ k, d: norm(k) === g ? 0 : editDistance(norm(k), g) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .map((x) => x.k);
}
