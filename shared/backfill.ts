/**
 * Backfill: fill a table's tenant column in primary-key batches, one transaction per batch, with
 * its progress kept in the target database (tenancy_console.backfills) so a killed run resumes.
 */
import { z } from 'zod';

export const BackfillSourceSchema = z.discriminatedUnion('kind', [
  /** Every row gets the same value (the default org). */
  z.object({ kind: z.literal('constant'), value: z.string() }),
  /** Look the value up in a mapping table; rows with no mapping get `default` (or stay NULL). */
  z.object({
    kind: z.literal('map'),
    table: z.string(),
    fromColumn: z.string(),
    toColumn: z.string(),
    /** The target table's column matched against `fromColumn` (default: same name, else the key). */
    keyColumn: z.string().optional(),
    default: z.string().nullable().optional(),
  }),
  /** Copy the parent row's tenant through this foreign key of the target table. */
  z.object({ kind: z.literal('parent'), foreignKey: z.string(), default: z.string().nullable().optional() }),
]);
export type BackfillSource = z.infer<typeof BackfillSourceSchema>;

/**
 * 'interrupted': recorded as running, but no process holds its advisory lock any more (the process
 * was killed or its connection lost mid-run); resume it.
 */
export const BackfillStatusSchema = z.enum(['running', 'paused', 'done', 'cancelled', 'failed', 'interrupted']);
export type BackfillStatus = z.infer<typeof BackfillStatusSchema>;

export const BackfillStateSchema = z.object({
  id: z.string(),
  schema: z.string(),
  table: z.string(),
  column: z.string(),
  source: BackfillSourceSchema,
  keyColumns: z.array(z.string()),
  /** The last primary key (as text, one per key column) of the last committed batch; null before the first. */
  lastKey: z.array(z.string()).nullable(),
  rowsDone: z.number(),
  batches: z.number(),
  status: BackfillStatusSchema,
  operator: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  error: z.string().nullable(),
});
/** A backfill's row in tenancy_console.backfills. */
export type BackfillState = z.infer<typeof BackfillStateSchema>;

export const BackfillProgressSchema = z.object({
  id: z.string(),
  phase: z.enum(['counting', 'batch', 'retry', 'paused', 'resumed', 'done', 'cancelled']),
  batch: z.number(),
  /** Rows filled, this run and earlier runs of the same backfill. */
  done: z.number(),
  /**
   * NULL rows left that the backfill will still visit: what the start counted or estimated, less
   * what the batches filled since; exact in the `done` event (the count at the end).
   */
  remaining: z.number(),
  /** True when `remaining` comes from the planner's estimate (a fresh start on an analyzed table), not a count. */
  remainingEstimated: z.boolean().optional(),
  /** Rows per second over this run. */
  rate: z.number(),
  /** Seconds left at this rate; null before the first batch. */
  etaSeconds: z.number().nullable(),
  lastKey: z.array(z.string()).nullable(),
  /** Rows in the last batch's key range that stayed NULL (no mapping, no parent tenant). */
  unresolved: z.number(),
  message: z.string().optional(),
});
/** A live progress event. */
export type BackfillProgress = z.infer<typeof BackfillProgressSchema>;

export const BackfillResultSchema = z.object({
  id: z.string(),
  status: BackfillStatusSchema,
  rowsDone: z.number(),
  batches: z.number(),
  /** NULL rows left in the table after the run (rows the source could not resolve). */
  nullsLeft: z.number(),
  durationMs: z.number(),
  rate: z.number(),
  /** With `--nice`: the backfill's server process, the nice asked for, whether it was applied, and why not. */
  serverNice: z.object({
    pid: z.number(),
    nice: z.number(),
    applied: z.boolean(),
    reason: z.string().optional(),
    previous: z.number().optional(),
  }).optional(),
});
export type BackfillResult = z.infer<typeof BackfillResultSchema>;
