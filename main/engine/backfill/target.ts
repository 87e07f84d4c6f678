/**
 * What a backfill needs to know about its table: the primary key, the column's type, and (for a
 * parent source) the foreign key's columns; read from the catalogs, names bound as parameters.
 */
import type { BackfillSource } from '../../../shared/backfill.js';
import { UserError } from '../errors.js';
import { parseQualifiedName, qualified, quoteIdent } from '../ident.js';
import type { Session } from '../session.js';

/** A resolved backfill target. */
export interface BackfillTarget {
  schema: string;
  table: string;
  column: string;
  /** format_type of the column, e.g. "uuid", "text", "bigint". */
  columnType: string;
  keyColumns: string[];
  /**
   * The primary key's type when it is one column of a built-in integer type: then a batch may walk
   * a range of key values instead of counting keys off the index (walk.ts). Absent otherwise.
   */
  integerKey?: IntegerKeyType;
  /** For a parent source: child columns, parent table, parent columns. */
  parent?: { columns: string[]; schema: string; table: string; refColumns: string[] };
  /** For a map source: the map table, split, and the target column matched against it. */
  map?: { schema: string; table: string; keyColumn: string };
}

/** The integer types a key-value range walk handles, with their largest value (for the range's clamp). */
export const INTEGER_KEY_MAX = { smallint: '32767', integer: '2147483647', bigint: '9223372036854775807' } as const;
/** One of INTEGER_KEY_MAX's types. */
export type IntegerKeyType = keyof typeof INTEGER_KEY_MAX;

async function tableOid(session: Session, schema: string, table: string): Promise<number> {
  const { rows } = await session.query<{ oid: number }>(
    `SELECT c.oid::int AS oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`, [schema, table]);
  if (!rows[0]) throw new UserError(`table ${schema}.${table} not found; check --table (schema.table, quote mixed case)`, 'usage');
  return rows[0].oid;
}

async function columnsOf(session: Session, oid: number): Promise<Map<string, string>> {
  const { rows } = await session.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_catalog.pg_attribute
     WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [oid]);
  return new Map(rows.map((r) => [r.name, r.type]));
}

async function primaryKeyOf(session: Session, oid: number): Promise<string[]> {
  const { rows } = await session.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_catalog.pg_index i
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`, [oid]);
  return rows.map((r) => r.name);
}

/** Resolve --table/--tenant-column and the source against the catalogs; a UserError naming what is wrong. */
export async function resolveBackfillTarget(session: Session, tableText: string, column: string, source: BackfillSource): Promise<BackfillTarget> {
  let name: { schema: string; table: string };
  try {
    name = parseQualifiedName(tableText);
  } catch (err) {
    throw new UserError(`--table: ${(err as Error).message}`, 'usage');
  }
  const oid = await tableOid(session, name.schema, name.table);
  const cols = await columnsOf(session, oid);
  const columnType = cols.get(column);
  if (!columnType) throw new UserError(`column ${column} not found in ${name.schema}.${name.table}; add it first (ALTER TABLE ... ADD COLUMN)`, 'usage');
  const keyColumns = await primaryKeyOf(session, oid);
  if (keyColumns.length === 0) throw new UserError(`${name.schema}.${name.table} has no primary key; a batched backfill walks the primary key`, 'usage');
  if (keyColumns.includes(column)) throw new UserError(`${column} is part of the primary key of ${name.schema}.${name.table}; cannot backfill it`, 'usage');
  const target: BackfillTarget = { schema: name.schema, table: name.table, column, columnType, keyColumns };
  const keyType = keyColumns.length === 1 ? cols.get(keyColumns[0]!) : undefined;
  if (keyType && keyType in INTEGER_KEY_MAX) target.integerKey = keyType as IntegerKeyType;

  if (source.kind === 'parent') {
    const { rows } = await session.query<{ cols: string[]; ref_schema: string; ref_table: string; ref_cols: string[] }>(
      `SELECT ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS cols,
              rn.nspname AS ref_schema, rc.relname AS ref_table,
              ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_cols
       FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_class rc ON rc.oid = c.confrelid JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
       WHERE c.conrelid = $1 AND c.contype = 'f' AND c.conname = $2`, [oid, source.foreignKey]);
    const fk = rows[0];
    if (!fk) throw new UserError(`foreign key ${source.foreignKey} not found on ${name.schema}.${name.table}; see tenancy model for its FKs`, 'usage');
    const parentCols = await columnsOf(session, await tableOid(session, fk.ref_schema, fk.ref_table));
    if (!parentCols.has(column)) throw new UserError(`the parent ${fk.ref_schema}.${fk.ref_table} has no column ${column} to copy`, 'usage');
    target.parent = { columns: fk.cols, schema: fk.ref_schema, table: fk.ref_table, refColumns: fk.ref_cols };
  }
  if (source.kind === 'map') {
    let mapName: { schema: string; table: string };
    try {
      mapName = parseQualifiedName(source.table, name.schema);
    } catch (err) {
      throw new UserError(`--map: ${(err as Error).message}`, 'usage');
    }
    const mapCols = await columnsOf(session, await tableOid(session, mapName.schema, mapName.table));
    for (const c of [source.fromColumn, source.toColumn]) {
      if (!mapCols.has(c)) throw new UserError(`the mapping table ${mapName.schema}.${mapName.table} has no column ${c}`, 'usage');
    }
    const keyColumn = source.keyColumn ?? (cols.has(source.fromColumn) ? source.fromColumn : keyColumns.length === 1 ? keyColumns[0]! : null);
    if (!keyColumn || !cols.has(keyColumn)) {
      throw new UserError(`say which column of ${name.schema}.${name.table} matches ${source.fromColumn} (--map-key COLUMN)`, 'usage');
    }
    target.map = { schema: mapName.schema, table: mapName.table, keyColumn };
    await refuseDuplicateMapKeys(session, mapName, source.fromColumn);
  }
  return target;
}

/**
 * A map with one source key on two rows would fill with whichever row the server finds first:
 * refused, naming some of the keys and how many there are.
 */
async function refuseDuplicateMapKeys(session: Session, map: { schema: string; table: string }, fromColumn: string): Promise<void> {
  const from = quoteIdent(fromColumn);
  const { rows } = await session.query<{ k: string | null; n: number; keys: number }>(
    `SELECT k, n, count(*) OVER ()::int AS keys FROM (
       SELECT ${from}::text AS k, count(*)::int AS n FROM ${qualified(map.schema, map.table)} WHERE ${from} IS NOT NULL GROUP BY ${from} HAVING count(*) > 1
     ) d ORDER BY n DESC, k LIMIT 5`);
  if (!rows.length) return;
  const some = rows.map((r) => `${JSON.stringify(r.k)} (${r.n} rows)`).join(', ');
  throw new UserError(`--map: ${rows[0]!.keys} key${rows[0]!.keys === 1 ? '' : 's'} of ${map.schema}.${map.table}.${fromColumn} appear on more than one row, e.g. ${some}; a key must map to one value: remove the duplicates (or add a unique index on ${fromColumn})`, 'usage');
}
