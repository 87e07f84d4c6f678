/**
 * Read the catalogs for every table in the given schemas: five set-based queries in two round-trips,
 * whatever the number of tables, so the model of a 1,000-table database loads in well under a second.
 */
import type { ForeignKey, IndexInfo, UniqueKey } from '../../../shared/model.js';
import { qualified, quoteIdent, quoteList } from '../ident.js';
import { sqlFile } from '../paths.js';
import type { Session } from '../session.js';

/** One column as the catalogs describe it. */
export interface CatalogColumn {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
}

/** A policy before the tenant column is known. */
export interface CatalogPolicy {
  name: string;
  command: string;
  permissive: boolean;
  roles: string[];
  using: string | null;
  withCheck: string | null;
  referencedColumns: string[];
}

/** Everything the catalogs say about one table, before tenancy is decided. */
export interface CatalogTable {
  oid: number;
  schema: string;
  table: string;
  partitioned: boolean;
  partitions: number;
  estimatedRows: number | null;
  sizeBytes: number;
  rlsEnabled: boolean;
  rlsForced: boolean;
  readable: boolean;
  /** The table's owner, and the other roles granted SELECT on it ('PUBLIC' for everyone). */
  owner: string;
  readers: string[];
  /** pid of another session holding ACCESS EXCLUSIVE on the table when the model was read. */
  lockedBy: number | null;
  columns: CatalogColumn[];
  primaryKey: string[] | null;
  foreignKeys: ForeignKey[];
  uniqueKeys: UniqueKey[];
  indexes: IndexInfo[];
  policies: CatalogPolicy[];
}

/** What a model load needs to know first, in one round-trip. */
export interface ServerFacts {
  /** Every non-system schema of the connected database, public first. */
  schemas: string[];
  /** The citus extension's version in this database, or null. */
  citusVersion: string | null;
  /** auth.uid() and the authenticated role exist (Supabase). */
  supabase: boolean;
}

/** The schemas, the citus extension and the Supabase markers (auth.uid() and the authenticated role: the app reads as a JWT subject) in one statement. */
export async function readServerFacts(session: Session): Promise<ServerFacts> {
  const { rows: [r] } = await session.query<{ schemas: string[]; citus_version: string | null; supabase: boolean }>(
    `SELECT ARRAY(SELECT name::text FROM (\n${sqlFile('catalog/schemas.sql').trim().replace(/;$/, '')}\n) s) AS schemas,
       (SELECT extversion::text FROM pg_catalog.pg_extension WHERE extname = 'citus') AS citus_version,
       pg_catalog.to_regprocedure('auth.uid()') IS NOT NULL AND EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticated') AS supabase`);
  return { schemas: r!.schemas, citusVersion: r!.citus_version, supabase: r!.supabase };
}

type ColumnRow = { oid: number; attnum: number; name: string; type: string; not_null: boolean; default_expr: string | null };
type ConstraintRow = { oid: number; name: string; type: string; validated: boolean; ref_oid: number; ref_schema: string | null; ref_table: string | null; keys: number[]; ref_keys: number[] };
type IndexRow = { oid: number; name: string; is_unique: boolean; is_primary: boolean; is_valid: boolean; partial: boolean; predicate: string | null; method: string; constraint_name: string | null; constraint_type: string | null; keys: number[]; key_count: number; expressions: (string | null)[] | null };
type PolicyRow = { oid: number; name: string; command: string; permissive: boolean; roles: string[]; using_expr: string | null; check_expr: string | null; referenced_columns: string[] };

let perTable: string | null = null;

/**
 * columns.sql, constraints.sql, indexes.sql and policies.sql (each over $1, the table oids) as one
 * statement: each one's rows aggregated to a JSON array in its own order.
 */
function perTableSql(): string {
  if (perTable !== null) return perTable;
  const part = (file: string, name: string) =>
    `(SELECT coalesce(pg_catalog.json_agg(q), '[]') FROM (\n${sqlFile(`catalog/${file}`).trim().replace(/;$/, '')}\n) q) AS ${name}`;
  perTable = `SELECT ${part('columns.sql', 'columns')},\n${part('constraints.sql', 'constraints')},\n${part('indexes.sql', 'indexes')},\n${part('policies.sql', 'policies')}`;
  return perTable;
}

/** Read every table of `schemas` with columns, keys, indexes and policies. */
export async function readCatalog(session: Session, schemas: string[]): Promise<CatalogTable[]> {
  const tablesRes = await session.query<{
    oid: string; schema: string; table: string; partitioned: boolean; rls_enabled: boolean;
    rls_forced: boolean; readable: boolean; owner: string; readers: string[]; locked_by: number | null; partitions: number; estimated_rows: number | null; size_bytes: string;
  }>(sqlFile('catalog/tables.sql'), [schemas]);
  const tables = new Map<number, CatalogTable>();
  for (const r of tablesRes.rows) {
    tables.set(Number(r.oid), {
      oid: Number(r.oid), schema: r.schema, table: r.table, partitioned: r.partitioned,
      partitions: r.partitions, estimatedRows: r.estimated_rows === null ? null : Math.round(r.estimated_rows),
      sizeBytes: Number(r.size_bytes), rlsEnabled: r.rls_enabled, rlsForced: r.rls_forced, readable: r.readable, owner: r.owner, readers: r.readers, lockedBy: r.locked_by,
      columns: [], primaryKey: null, foreignKeys: [], uniqueKeys: [], indexes: [], policies: [],
    });
  }
  const oids = [...tables.keys()];
  if (oids.length === 0) return [];
  // One round-trip for the four per-table reads (one connection runs one statement at a time, and
  // on a busy server each round-trip waits for a core): each file's rows as one JSON array.
  const { rows: [parts] } = await session.query<{ columns: ColumnRow[]; constraints: ConstraintRow[]; indexes: IndexRow[]; policies: PolicyRow[] }>(perTableSql(), [oids]);
  const cols = { rows: parts!.columns };
  const cons = { rows: parts!.constraints };
  const idx = { rows: parts!.indexes };
  const pols = { rows: parts!.policies };
  // Column names by attnum: constraints and indexes come as attnums (no pg_attribute join in their SQL).
  const names = new Map<number, Map<number, string>>();
  const nameMap = (oid: number) => names.get(oid) ?? names.set(oid, new Map()).get(oid)!;
  for (const c of cols.rows) {
    tables.get(Number(c.oid))?.columns.push({ name: c.name, type: c.type, notNull: c.not_null, default: c.default_expr });
    nameMap(Number(c.oid)).set(c.attnum, c.name);
  }
  // Tables out of scope that foreign keys reference: their column names in one more query, only when there are any.
  const outside = [...new Set(cons.rows.filter((c) => c.type === 'f' && !names.has(Number(c.ref_oid))).map((c) => Number(c.ref_oid)))];
  if (outside.length > 0) {
    const { rows } = await session.query<{ oid: string; attnum: number; name: string }>(
      'SELECT attrelid::int8 AS oid, attnum::int AS attnum, attname AS name FROM pg_catalog.pg_attribute WHERE attrelid = ANY($1::oid[]) AND attnum > 0', [outside]);
    for (const r of rows) nameMap(Number(r.oid)).set(r.attnum, r.name);
  }
  const named = (oid: number, attnums: number[]) => attnums.map((n) => names.get(oid)?.get(n) ?? `#${n}`);
  for (const c of cons.rows) {
    const t = tables.get(Number(c.oid));
    if (!t) continue;
    const columns = named(t.oid, c.keys);
    if (c.type === 'p') t.primaryKey = columns;
    else t.foreignKeys.push({ name: c.name, columns, refSchema: c.ref_schema ?? '', refTable: c.ref_table ?? '', refColumns: named(Number(c.ref_oid), c.ref_keys), validated: c.validated });
  }
  for (const i of idx.rows) {
    const t = tables.get(Number(i.oid));
    if (!t) continue;
    const keyNums = i.keys.slice(0, i.key_count);
    const keyColumns = keyNums.map((n) => (n === 0 ? null : names.get(t.oid)?.get(n) ?? `#${n}`));
    const keyTexts = keyColumns.map((c, n) => c ?? i.expressions?.[n] ?? '?');
    const include = named(t.oid, i.keys.slice(i.key_count));
    const definition = indexDefinition(t, i.name, i.is_unique, i.method, keyColumns, keyTexts, include, i.predicate);
    t.indexes.push({ name: i.name, leadingColumn: keyColumns[0] ?? null, valid: i.is_valid, unique: i.is_unique, partial: i.partial, definition });
    if (i.is_unique) {
      t.uniqueKeys.push({
        name: i.constraint_name ?? i.name,
        kind: i.constraint_type === 'u' || i.constraint_type === 'p' ? 'constraint' : 'index',
        keys: keyTexts,
        keyIsColumn: keyColumns.map((k) => k !== null),
        include,
        predicate: i.predicate,
        definition,
        primary: i.is_primary,
        valid: i.is_valid,
      });
    }
  }
  for (const p of pols.rows) {
    tables.get(Number(p.oid))?.policies.push({
      name: p.name, command: p.command, permissive: p.permissive, roles: p.roles,
      using: p.using_expr, withCheck: p.check_expr, referencedColumns: p.referenced_columns,
    });
  }
  return [...tables.values()];
}

/**
 * An index's definition rebuilt from its parts (pg_get_indexdef would open every index): the
 * statement that creates it, without operator classes or sort options.
 */
export function indexDefinition(
  t: { schema: string; table: string }, name: string, unique: boolean, method: string,
  keyColumns: (string | null)[], keyTexts: string[], include: string[], predicate: string | null,
): string {
  const keys = keyColumns.map((c, n) => (c !== null ? quoteIdent(c) : `(${keyTexts[n] ?? '?'})`)).join(', ');
  return `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name)} ON ${qualified(t.schema, t.table)} USING ${method} (${keys})` +
    `${include.length > 0 ? ` INCLUDE (${quoteList(include)})` : ''}${predicate ? ` WHERE ${predicate}` : ''}`;
}

/** pg_stats.null_frac of each of `columns` per "schema.table.column" (parents use inherited statistics). */
export async function readNullFractions(session: Session, schemas: string[], columns: string[], partitioned: Set<string>): Promise<Map<string, number>> {
  const { rows } = await session.query<{ schema: string; table: string; column: string; inherited: boolean; null_frac: number }>(sqlFile('catalog/null-frac.sql'), [schemas, columns]);
  const out = new Map<string, number>();
  for (const r of rows) {
    if (r.inherited === partitioned.has(`${r.schema}.${r.table}`)) out.set(`${r.schema}.${r.table}.${r.column}`, r.null_frac);
  }
  return out;
}
