/**
 * What backup and restore need to know about one live table: columns (identity, generated,
 * defaults, owned sequences), primary key, and the foreign keys into and out of it.
 */
import { UserError } from '../errors.js';
import { sqlFile } from '../paths.js';
import type { Session } from '../session.js';

/** One live column. */
export interface LiveColumn {
  name: string;
  type: string;
  notNull: boolean;
  /** 'a' = GENERATED ALWAYS AS IDENTITY, 'd' = BY DEFAULT, '' = not an identity column. */
  identity: '' | 'a' | 'd';
  /** A stored generated column: never written, recomputed by the server. */
  generated: boolean;
  hasDefault: boolean;
  /** The sequence the column owns (serial or identity), already quoted and qualified. */
  sequence: string | null;
}

/** A foreign key touching the table. */
export interface TableForeignKey {
  name: string;
  childSchema: string;
  childTable: string;
  columns: string[];
  parentSchema: string;
  parentTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
  /**
   * Whether an INSERT into the child table checks this FK before its statement ends (not
   * deferrable, ordinary child table, RI triggers enabled and firing), failing with 23503.
   */
  checkedByInsert: boolean;
}

/** A live table as backup and restore see it. */
export interface LiveTable {
  oid: number;
  schema: string;
  table: string;
  columns: LiveColumn[];
  primaryKey: string[] | null;
  /** Whether the primary key is DEFERRABLE (its uniqueness may be checked only at commit). */
  primaryKeyDeferrable: boolean;
  /** FKs whose parent is this table (self-references included). */
  inbound: TableForeignKey[];
  /** FKs whose child is this table (self-references included). */
  outbound: TableForeignKey[];
}

/** The oid of schema.table (an ordinary or partitioned table), or null. */
export async function findTableOid(session: Session, schema: string, table: string): Promise<number | null> {
  const { rows } = await session.query<{ oid: string }>(
    `SELECT c.oid::int8 AS oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [schema, table],
  );
  return rows[0] ? Number(rows[0].oid) : null;
}

/** Read a live table; a missing table is a UserError naming it. */
export async function readLiveTable(session: Session, schema: string, table: string): Promise<LiveTable> {
  const oid = await findTableOid(session, schema, table);
  if (oid === null) throw new UserError(`table ${schema}.${table} not found in database ${session.fingerprint.database}; check the name (schema.table)`, 'usage');
  const cols = await session.query<{
    name: string; type: string; not_null: boolean; identity: string; generated: string; has_default: boolean; sequence: string | null;
  }>(sqlFile('backup/table-columns.sql'), [oid]);
  const pk = await session.query<{ columns: string[]; deferrable: boolean }>(
    `SELECT con.condeferrable AS deferrable, ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
     FROM pg_catalog.pg_constraint con WHERE con.conrelid = $1::oid AND con.contype = 'p'`,
    [oid],
  );
  const fks = await session.query<{
    name: string; direction: 'in' | 'out'; child_schema: string; child_table: string; parent_schema: string; parent_table: string;
    columns: string[]; ref_columns: string[]; on_delete: string; on_update: string; checked_by_insert: boolean;
  }>(sqlFile('backup/table-fks.sql'), [oid]);
  const all: TableForeignKey[] = fks.rows.map((r) => ({
    name: r.name, childSchema: r.child_schema, childTable: r.child_table, columns: r.columns,
    parentSchema: r.parent_schema, parentTable: r.parent_table, refColumns: r.ref_columns,
    onDelete: r.on_delete, onUpdate: r.on_update, checkedByInsert: r.checked_by_insert,
  }));
  const isSelf = (fk: TableForeignKey) => fk.childSchema === fk.parentSchema && fk.childTable === fk.parentTable;
  return {
    oid,
    schema,
    table,
    columns: cols.rows.map((c) => ({
      name: c.name, type: c.type, notNull: c.not_null, identity: (c.identity || '') as LiveColumn['identity'],
      generated: c.generated !== '', hasDefault: c.has_default, sequence: c.sequence,
    })),
    primaryKey: pk.rows[0]?.columns ?? null,
    primaryKeyDeferrable: pk.rows[0]?.deferrable ?? false,
    inbound: all.filter((fk, i) => fks.rows[i]!.direction === 'in' || isSelf(fk)),
    outbound: all.filter((fk, i) => fks.rows[i]!.direction === 'out'),
  };
}
