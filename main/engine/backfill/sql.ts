/**
 * The SQL of one backfill batch: walk the next N primary keys after the last committed one, and
 * fill the column only where it is still NULL and the source resolves a value. Every identifier
 * quoted, every value a parameter.
 */
import type { BackfillSource } from '../../../shared/backfill.js';
import { qualified, quoteIdent } from '../ident.js';
import type { BackfillTarget } from './target.js';

/** A statement and its parameters. */
export interface BoundSql {
  sql: string;
  params: unknown[];
}

/** "(t.a, t.b) > ($2, $3)" or "t.a > $2" starting at parameter `first`; empty without a last key. */
function afterKey(alias: string, keys: readonly string[], lastKey: readonly string[] | null, first: number): string {
  if (!lastKey) return 'true';
  const cols = keys.map((k) => `${alias}.${quoteIdent(k)}`);
  const params = keys.map((_, i) => `$${first + i}`);
  return keys.length === 1 ? `${cols[0]} > ${params[0]}` : `(${cols.join(', ')}) > (${params.join(', ')})`;
}

/** The expression giving the new value for the row aliased `t`. Adds its parameters to `params`. */
function valueExpr(target: BackfillTarget, source: BackfillSource, params: unknown[]): string {
  const type = target.columnType;
  const bind = (v: unknown) => {
    params.push(v);
    return `CAST($${params.length} AS ${type})`;
  };
  switch (source.kind) {
    case 'constant':
      return bind(source.value);
    case 'map': {
      const m = target.map!;
      const lookup = `(SELECT CAST(m.${quoteIdent(source.toColumn)} AS ${type}) FROM ${qualified(m.schema, m.table)} m
        WHERE m.${quoteIdent(source.fromColumn)} = t.${quoteIdent(m.keyColumn)} LIMIT 1)`;
      return source.default == null ? lookup : `coalesce(${lookup}, ${bind(source.default)})`;
    }
    case 'parent': {
      const p = target.parent!;
      const join = p.columns.map((c, i) => `p.${quoteIdent(p.refColumns[i]!)} = t.${quoteIdent(c)}`).join(' AND ');
      const lookup = `(SELECT p.${quoteIdent(target.column)} FROM ${qualified(p.schema, p.table)} p WHERE ${join})`;
      return source.default == null ? lookup : `coalesce(${lookup}, ${bind(source.default)})`;
    }
  }
}

/**
 * The first half of a batch: the next N primary keys after the last one, walked on the primary-key
 * index (an index-only range scan). Returns scanned (keys found, <= N) and last_key (text[] of the
 * highest of them, null when nothing was left): the inclusive upper bound of the batch's range.
 */
export function batchRangeSql(target: BackfillTarget, lastKey: readonly string[] | null, batchSize: number): BoundSql {
  const tbl = qualified(target.schema, target.table);
  const keys = target.keyColumns;
  const cols = keys.map((k) => `t.${quoteIdent(k)}`).join(', ');
  const desc = keys.map((k) => `${quoteIdent(k)} DESC`).join(', ');
  const lastKeyArray = `ARRAY[${keys.map((k) => `${quoteIdent(k)}::text`).join(', ')}]`;
  const sql = `WITH batch AS MATERIALIZED (
  SELECT ${cols} FROM ${tbl} t WHERE ${afterKey('t', keys, lastKey, 2)} ORDER BY ${cols} LIMIT $1
)
SELECT (SELECT count(*) FROM batch)::int AS scanned,
       (SELECT ${lastKeyArray} FROM batch ORDER BY ${desc} LIMIT 1) AS last_key`;
  return { sql, params: [batchSize, ...(lastKey ?? [])] };
}

/** "(t.a, t.b) <= ($4, $5)" or "t.a <= $4" starting at parameter `first`. */
function upToKey(alias: string, keys: readonly string[], first: number): string {
  const cols = keys.map((k) => `${alias}.${quoteIdent(k)}`);
  const params = keys.map((_, i) => `$${first + i}`);
  return keys.length === 1 ? `${cols[0]} <= ${params[0]}` : `(${cols.join(', ')}) <= (${params.join(', ')})`;
}

/**
 * The second half of a batch: fill the rows of the key range (lastKey, upTo] whose column is still
 * NULL and for which the source gives a value. Both the read and the UPDATE are bounded by the key
 * range on both sides, so each is an index range scan of about one batch of rows, whatever the size
 * of the table (a join against the batch's keys let the planner hash-join a sequential scan of the
 * whole table, twice per batch). Returns updated and unresolved (NULL rows the source left NULL).
 * With `advanceState` (a backfill id), the statement also moves that backfill's state row to
 * `upTo` and counts the batch (returning advanced = 1).
 */
export function batchFillSql(
  target: BackfillTarget, source: BackfillSource, lastKey: readonly string[] | null, upTo: readonly string[], advanceState?: string,
): BoundSql {
  const tbl = qualified(target.schema, target.table);
  const col = quoteIdent(target.column);
  const keys = target.keyColumns;
  const params: unknown[] = [...(lastKey ?? []), ...upTo];
  const range = (alias: string) => `${afterKey(alias, keys, lastKey, 1)} AND ${upToKey(alias, keys, 1 + (lastKey?.length ?? 0))}`;
  const value = valueExpr(target, source, params);
  const joinOn = keys.map((k) => `t.${quoteIdent(k)} = todo.${quoteIdent(k)}`).join(' AND ');
  // With advanceState the same statement moves the state row (one round-trip less per batch).
  let advanced = '';
  if (advanceState !== undefined) {
    params.push(advanceState, [...upTo]);
    advanced = `, advanced AS (
  UPDATE tenancy_console.backfills SET last_key = $${params.length}::text[], rows_done = rows_done + (SELECT count(*) FROM upd),
    batches = batches + 1, status = 'running', error = NULL, updated_at = now() WHERE id = $${params.length - 1} RETURNING 1
)`;
  }
  const sql = `WITH todo AS MATERIALIZED (
  SELECT ${keys.map((k) => `t.${quoteIdent(k)}`).join(', ')}, ${value} AS v FROM ${tbl} t WHERE ${range('t')} AND t.${col} IS NULL
), upd AS (
  UPDATE ${tbl} t SET ${col} = todo.v FROM todo WHERE ${range('t')} AND ${joinOn} AND t.${col} IS NULL AND todo.v IS NOT NULL RETURNING 1
)${advanced}
SELECT (SELECT count(*) FROM upd)::int AS updated,
       (SELECT count(*) FROM todo WHERE v IS NULL)::int AS unresolved${advanced ? ',\n       (SELECT count(*) FROM advanced)::int AS advanced' : ''}`;
  return { sql, params };
}

/** Count the NULL rows the backfill has still to visit (after the last committed key). */
export function remainingSql(target: BackfillTarget, lastKey: readonly string[] | null): BoundSql {
  return {
    sql: `SELECT count(*)::bigint AS n FROM ${qualified(target.schema, target.table)} t WHERE t.${quoteIdent(target.column)} IS NULL AND ${afterKey('t', target.keyColumns, lastKey, 1)}`,
    params: [...(lastKey ?? [])],
  };
}

/** Count every NULL row of the column. */
export function nullCountSql(target: BackfillTarget): string {
  return `SELECT count(*)::bigint AS n FROM ${qualified(target.schema, target.table)} WHERE ${quoteIdent(target.column)} IS NULL`;
}

/** What the operator sees before it runs: one batch's two statements, with placeholders. */
export function describeBatch(target: BackfillTarget, source: BackfillSource, batchSize: number): string {
  const last = target.keyColumns.map(() => '<last key>');
  return `${batchRangeSql(target, last, batchSize).sql};\n${batchFillSql(target, source, last, target.keyColumns.map(() => '<batch end>')).sql};`;
}
