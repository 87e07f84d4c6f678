/**
 * The `distribute` runbook step's facts that every door shows before it runs: which Citus function
 * it calls, what it locks, and how long it is expected to take for the table's size.
 */
import type { RunbookStep } from './runbook.js';

type DistributeStep = Extract<RunbookStep, { kind: 'distribute' }>;

/**
 * Bytes per second a distribute step is planned at: the copy rate measured on the test cluster
 * (docs/scale-out.md), halved for a loaded production machine. The expected duration is an estimate.
 */
export const DISTRIBUTE_BYTES_PER_SECOND = 20 * 1024 * 1024;

/** The Citus function the step calls. */
export function distributeFunction(step: Pick<DistributeStep, 'as' | 'concurrently'>): string {
  if (step.as === 'reference') return 'create_reference_table';
  return step.concurrently ? 'create_distributed_table_concurrently' : 'create_distributed_table';
}

/** What the step locks, and so what waits while it runs (as observed in pg_locks on Citus 13.2). */
export function distributeLocks(step: Pick<DistributeStep, 'as' | 'concurrently' | 'table'>): string {
  if (step.as === 'distributed' && step.concurrently) {
    return `AccessExclusiveLock on ${step.table} for a moment at the start (it is added to Citus's metadata: waits for open transactions on it, and queries queue behind it), ` +
      'then ShareUpdateExclusiveLock for the copy: reads and writes continue, DDL waits; needs wal_level=logical, a primary key and no foreign keys; cannot run inside a transaction';
  }
  return `ExclusiveLock on ${step.table} for the whole copy: reads continue, INSERT/UPDATE/DELETE wait until it commits`;
}

/** The expected duration in milliseconds for a table of `bytes` (an estimate at DISTRIBUTE_BYTES_PER_SECOND, at least 1 s). */
export function distributeExpectedMs(bytes: number): number {
  return Math.max(1000, Math.round((bytes / DISTRIBUTE_BYTES_PER_SECOND) * 1000));
}

/** The step in one line, e.g. "create_distributed_table public.projects by org_id, co-located with public.orgs". */
export function distributeSummary(step: DistributeStep): string {
  const how = step.as === 'reference' ? 'a copy on every node' : `by ${step.column}${step.colocateWith ? `, co-located with ${step.colocateWith}` : ''}${step.shardCount ? `, ${step.shardCount} shards` : ''}`;
  return `${distributeFunction(step)} ${step.table} (${how}); locks: ${distributeLocks(step)}`;
}
