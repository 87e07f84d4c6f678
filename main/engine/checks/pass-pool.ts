/**
 * Serial passes on two sessions at once, when there are at least POOL_MIN_PASSES of them. A table smaller than the server's
 * `min_parallel_table_scan_size` is scanned by one backend, with no parallel workers; two such
 * passes at once then take no more backends than one query may take with one parallel worker,
 * which the server's own settings already allow. Large tables keep their passes one at a time on
 * the main session, each with the parallel workers PostgreSQL gives it. The profile's
 * `scanSessions` still caps the sessions a run opens (the second one is the sample lane's).
 */
import type { TableInfo } from '../../../shared/model.js';
import type { Session } from '../session.js';

/**
 * Serial passes below which a run keeps them on one session: opening the second session costs
 * about 25 ms (a login and the fingerprint read), which two passes at once can win back only over
 * many small tables. Before this threshold, `npm run bench -- checks --curve` (2 cores) took 102
 * and 65 ms pooled against 75 and 52 ms on one session for 8 and 10 small tables.
 */
export const POOL_MIN_PASSES = 100;

/** The server's parallel-query limits a run reads once. */
export interface ParallelLimits {
  /** min_parallel_table_scan_size in bytes: a smaller table is scanned without parallel workers. */
  minParallelTableScanBytes: number;
  /** least(max_parallel_workers_per_gather, max_parallel_workers): 0 means no query runs in parallel. */
  workersPerQuery: number;
}

/** Read the limits; null when they cannot be read (then nothing is pooled). */
export async function readParallelLimits(session: Session): Promise<ParallelLimits | null> {
  try {
    const { rows } = await session.query<{ min_bytes: string; workers: number }>(
      `SELECT pg_size_bytes(current_setting('min_parallel_table_scan_size'))::int8 AS min_bytes,
              least(current_setting('max_parallel_workers_per_gather')::int, current_setting('max_parallel_workers')::int) AS workers`,
    );
    return { minParallelTableScanBytes: Number(rows[0]!.min_bytes), workersPerQuery: Number(rows[0]!.workers) };
  } catch {
    return null;
  }
}

/**
 * Whether a pass over this table runs on one backend: analyzed (its size known), a plain table
 * (no partitions, not on Citus), under min_parallel_table_scan_size, on a server that would give
 * a larger one parallel workers.
 */
export function isSerialPass(t: TableInfo, limits: ParallelLimits | null): boolean {
  if (!limits || limits.workersPerQuery < 1) return false;
  if (t.partitioned || (t.citus ?? null) !== null || t.estimatedRows === null || t.estimatedRows < 0) return false;
  return t.sizeBytes < limits.minParallelTableScanBytes;
}

/**
 * Run `pass` over `items`, each session taking the next item when it is free. The first error
 * stops the sessions from taking more; every pass already started is awaited before it is thrown.
 */
export async function runPooled<T>(items: readonly T[], sessions: readonly Session[], pass: (item: T, session: Session) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async (session: Session) => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await pass(item, session);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(sessions.map(worker));
  if (failure) throw (failure as { err: unknown }).err;
}
