/**
 * The SQL of one backfill batch: walk the next N primary keys after the last committed one, and
 * fill the column only where it is still NULL and the source resolves a value. Every identifier
 * quoted, every value a parameter.
 */
import type { BackfillSource } from '../../../shared/backfill.js';
import { qualified, quoteIdent } from '../ident.js';
import { INTEGER_KEY_MAX, type BackfillTarget } from './target.js';

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
 * One whole batch as one statement (one round-trip, no key list sent back and forth): take the next
 * N primary keys after the last committed one on the primary-key index (`batch`, an index-only
 * range scan), and fill the rows of the key range (lastKey, highest of them] whose column is still
 * NULL and for which the source gives a value. The UPDATE is bounded by the key range on both sides
 * (the upper bound an InitPlan parameter), so it is an index range scan of about one batch of rows
 * whatever the size of the table. A constant source updates the range directly; a map or parent
 * source first reads the range's values (`todo`) to count the rows it leaves NULL (unresolved).
 * With `advanceState` (a backfill id), the same statement moves that backfill's state row to the
 * batch's highest key and counts the batch, only while the state row still says `lastKey` (another
 * process that moved it makes `advanced` 0 and the caller rolls back).
 * With `walk` 'range' (a single integer key, walk.ts, and a last key), the batch is instead the
 * key values (lastKey, next + N - 1], next being the first key after lastKey (one index descent):
 * the UPDATE's own range scan is then the only walk of the batch's rows, as a hand-written
 * `UPDATE ... WHERE id BETWEEN` loop does, and it still holds at most N rows (N distinct integers).
 * Returns scanned (keys found, <= N; with 'range', N: the key values covered, 0 when no key was
 * left), last_key (text[] of the highest, null when none was left), updated, unresolved and advanced.
 */
export function batchSql(
  target: BackfillTarget, source: BackfillSource, lastKey: readonly string[] | null, batchSize: number, advanceState?: string,
  walk: 'keys' | 'range' = 'keys',
): BoundSql {
  const tbl = qualified(target.schema, target.table);
  const col = quoteIdent(target.column);
  const keys = target.keyColumns;
  const params: unknown[] = [batchSize, ...(lastKey ?? [])];
  const cols = keys.map((k) => `t.${quoteIdent(k)}`).join(', ');
  const after = (alias: string) => afterKey(alias, keys, lastKey, 2);
  // The highest key of the batch: its last row (a top-1 pass over the batch, not a full sort). Not
  // max(): uuid and other key types have no max aggregate.
  const hi = `SELECT ${keys.map((k) => quoteIdent(k)).join(', ')}, (SELECT count(*) FROM batch)::int AS scanned FROM batch ORDER BY ${keys.map((k) => `${quoteIdent(k)} DESC`).join(', ')} LIMIT 1`;
  const upTo = (alias: string) => {
    const bound = keys.map((k) => `(SELECT ${quoteIdent(k)} FROM hi)`);
    const c = keys.map((k) => `${alias}.${quoteIdent(k)}`);
    return keys.length === 1 ? `${c[0]} <= ${bound[0]}` : `(${c.join(', ')}) <= (${bound.join(', ')})`;
  };
  const range = (alias: string) => `${after(alias)} AND ${upTo(alias)}`;
  const value = valueExpr(target, source, params);
  let fill: string;
  let unresolved: string;
  if (source.kind === 'constant') {
    fill = `upd AS (
  UPDATE ${tbl} t SET ${col} = ${value} WHERE ${range('t')} AND t.${col} IS NULL RETURNING 1
)`;
    unresolved = '0';
  } else {
    const joinOn = keys.map((k) => `t.${quoteIdent(k)} = todo.${quoteIdent(k)}`).join(' AND ');
    fill = `todo AS MATERIALIZED (
  SELECT ${cols}, ${value} AS v FROM ${tbl} t WHERE ${range('t')} AND t.${col} IS NULL
), upd AS (
  UPDATE ${tbl} t SET ${col} = todo.v FROM todo WHERE ${range('t')} AND ${joinOn} AND t.${col} IS NULL AND todo.v IS NOT NULL RETURNING 1
)`;
    unresolved = '(SELECT count(*) FROM todo WHERE v IS NULL)::int';
  }
  const lastKeyArray = `(SELECT ARRAY[${keys.map((k) => `${quoteIdent(k)}::text`).join(', ')}] FROM hi WHERE scanned > 0)`;
  let advanced = '';
  if (advanceState !== undefined) {
    params.push(advanceState, lastKey === null ? null : [...lastKey]);
    advanced = `, advanced AS (
  UPDATE tenancy_console.backfills SET last_key = ${lastKeyArray}, rows_done = rows_done + (SELECT count(*) FROM upd),
    batches = batches + 1, status = 'running', error = NULL, updated_at = now()
  WHERE id = $${params.length - 1} AND last_key IS NOT DISTINCT FROM $${params.length}::text[] AND (SELECT scanned FROM hi) > 0 RETURNING 1
)`;
  }
  const sql = `WITH ${walk === 'range' ? rangeHi(target, tbl, lastKey) : `batch AS MATERIALIZED (
  SELECT ${cols} FROM ${tbl} t WHERE ${after('t')} ORDER BY ${cols} LIMIT $1
), hi AS MATERIALIZED (
  ${hi}
)`}, ${fill}${advanced}
SELECT coalesce((SELECT scanned FROM hi), 0) AS scanned, ${lastKeyArray} AS last_key,
       (SELECT count(*) FROM upd)::int AS updated, ${unresolved} AS unresolved${advanced ? ',\n       (SELECT count(*) FROM advanced)::int AS advanced' : ''}`;
  return { sql, params };
}

/**
 * The range walk's `hi` (the batch's highest key value and the values it covers, `scanned`): the
 * first key after the last one ($2), plus N - 1 ($1), clamped to the type's largest value.
 */
function rangeHi(target: BackfillTarget, tbl: string, lastKey: readonly string[] | null): string {
  const type = target.integerKey;
  const key = target.keyColumns[0]!;
  if (!type || target.keyColumns.length !== 1 || !lastKey) throw new Error('a range walk needs a single integer key and a last key');
  const k = quoteIdent(key);
  return `next AS MATERIALIZED (
  SELECT t.${k} AS k FROM ${tbl} t WHERE t.${k} > $2 ORDER BY t.${k} LIMIT 1
), hi AS MATERIALIZED (
  SELECT CAST(LEAST(CAST(k AS numeric) + (CAST($1 AS int) - 1), ${INTEGER_KEY_MAX[type]}) AS ${type}) AS ${k}, CAST($1 AS int) AS scanned FROM next
)`;
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

/** What the operator sees before it runs: one batch's statement (of the walk given), with placeholders. */
export function describeBatch(target: BackfillTarget, source: BackfillSource, batchSize: number, walk: 'keys' | 'range' = 'keys'): string {
  return `${batchSql(target, source, target.keyColumns.map(() => '<last key>'), batchSize, undefined, walk).sql};`;
}
