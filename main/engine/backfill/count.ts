/**
 * The backfill's counts of NULL rows. The one at the start only feeds the progress bar and the ETA,
 * so a fresh start takes the planner's estimate from the catalog (no scan: the first batch starts
 * at once, as gh-ost and pt-online-schema-change estimate by default); the full-table counts that
 * decide something (the sweep behind the cursor, the NULLs left at the end) stay exact and run on
 * the backfill's one backend: with parallel workers a count of a large table would take every core
 * for as long as the scan lasts and stall the application's queries, which is what the pacing
 * exists to prevent (measured: a 200 ms stall of every load query at a 2M-row start).
 */
import type { Session } from '../session.js';
import type { BackfillTarget } from './target.js';

/** Run a `SELECT count(*)::bigint AS n ...` without parallel workers and return n. */
export async function countOnOneBackend(session: Session, sql: string, params: unknown[] = []): Promise<number> {
  return session.transaction(async () => {
    await session.query('SET LOCAL max_parallel_workers_per_gather = 0');
    return Number((await session.query<{ n: string }>(sql, params)).rows[0]!.n);
  });
}

/**
 * The planner's estimate of the column's NULL rows: the table's row estimate (pg_class.reltuples,
 * from the last VACUUM or ANALYZE) times the column's NULL fraction (pg_stats.null_frac). A column
 * with no statistics yet counts as NULL in every row: a column added since the last ANALYZE was
 * NULL in each row that existed then. Null when the table has never been vacuumed or analyzed
 * (reltuples -1): then there is nothing to estimate from.
 */
export async function estimateNulls(session: Session, target: BackfillTarget): Promise<number | null> {
  const { rows } = await session.query<{ reltuples: number; null_frac: number | null }>(
    `SELECT c.reltuples::float8 AS reltuples, s.null_frac::float8 AS null_frac
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname
        AND s.attname = $3 AND s.inherited = (c.relkind = 'p')
      WHERE n.nspname = $1 AND c.relname = $2`,
    [target.schema, target.table, target.column],
  );
  const row = rows[0];
  if (!row || row.reltuples < 0) return null;
  return Math.round(row.reltuples * (row.null_frac ?? 1));
}
