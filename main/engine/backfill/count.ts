/**
 * The backfill's full-table counts (NULLs remaining at the start, behind the cursor, left at the
 * end), run on its one backend: with parallel workers off, a count of a large table would take
 * every core for as long as the scan lasts and stall the application's queries, which is what the
 * pacing exists to prevent (measured: a 200 ms stall of every load query at a 2M-row start).
 */
import type { Session } from '../session.js';

/** Run a `SELECT count(*)::bigint AS n ...` without parallel workers and return n. */
export async function countOnOneBackend(session: Session, sql: string, params: unknown[] = []): Promise<number> {
  return session.transaction(async () => {
    await session.query('SET LOCAL max_parallel_workers_per_gather = 0');
    return Number((await session.query<{ n: string }>(sql, params)).rows[0]!.n);
  });
}
