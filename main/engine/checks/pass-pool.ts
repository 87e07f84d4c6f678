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

/**
 * Large passes run two at once, each on one backend (max_parallel_workers_per_gather 0 on both
 * sessions), when together they read at least this many times min_parallel_table_scan_size (at
 * least this many 8 kB blocks). Two backends are fewer than one query with the server's parallel
 * workers takes, and spend no time on a parallel plan's coordination: on 2 cores, the passes of
 * `npm run bench -- checks` (5M rows) took 0.83x as long two at a time on one backend each as one
 * at a time with 2 workers, against 1.01x with 1 worker each and 1.13x with 2 each. Below the
 * threshold the second session's login (about 25 ms) would cost more than pairing saves.
 */
export const PAIR_MIN_SCAN_MULTIPLE = 16;

/**
 * What a pass reads, in bytes, for ordering and pairing: the table, and for each FK joined its
 * parent hashed and the table probed against it (measured about twice a plain read of both).
 */
export function passBytes(t: TableInfo, parents: readonly TableInfo[]): number {
  return t.sizeBytes + parents.reduce((sum, p) => sum + 2 * (p.sizeBytes + t.sizeBytes), 0);
}

/**
 * Split the large passes of a phase into those run one at a time with the server's parallel
 * workers (`alone`, in the order given) and those run two at once on one backend each
 * (`paired`, largest first, so that the two sessions finish close together). Nothing is paired
 * on a server that runs no query in parallel, under the PAIR_MIN_SCAN_MULTIPLE threshold, or for
 * fewer than two passes. A pass that reads more than all the other paired ones together runs
 * alone: paired, it would keep one backend busy long after the other is done.
 */
export function pairLargePasses<T>(items: readonly T[], bytes: (x: T) => number, limits: ParallelLimits | null, pairable: (x: T) => boolean): { alone: T[]; paired: T[] } {
  const candidates = items.filter(pairable).sort((a, b) => bytes(b) - bytes(a));
  let total = candidates.reduce((sum, x) => sum + bytes(x), 0);
  const threshold = PAIR_MIN_SCAN_MULTIPLE * Math.max(8192, limits?.minParallelTableScanBytes ?? 0);
  if (!limits || limits.workersPerQuery < 1 || total < threshold) return { alone: [...items], paired: [] };
  while (candidates.length >= 2 && bytes(candidates[0]!) > total - bytes(candidates[0]!)) total -= bytes(candidates.shift()!);
  if (candidates.length < 2) return { alone: [...items], paired: [] };
  const paired = new Set(candidates);
  return { alone: items.filter((x) => !paired.has(x)), paired: candidates };
}

/**
 * Run `fn` with max_parallel_workers_per_gather 0 on each of `sessions`, then give each session
 * back the value it had (its own, a role's or the database's), whether `fn` succeeded or not.
 */
export async function withoutParallelWorkers<T>(sessions: readonly Session[], fn: () => Promise<T>): Promise<T> {
  const GUC = "'max_parallel_workers_per_gather'";
  const set: { s: Session; before: string }[] = [];
  try {
    for (const s of sessions) {
      // The value is read in a subquery, before set_config changes it.
      const { rows } = await s.query<{ v: string }>(`SELECT b.v, pg_catalog.set_config(${GUC}, '0', false) AS now FROM (SELECT pg_catalog.current_setting(${GUC}) AS v OFFSET 0) b`);
      set.push({ s, before: rows[0]!.v });
    }
    return await fn();
  } finally {
    await Promise.all(set.map(({ s, before }) => s.query(`SELECT pg_catalog.set_config(${GUC}, $1, false)`, [before]).catch(() => undefined)));
  }
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
