/**
 * Checks: run the suite (estimate: catalogs only, instant; exact: one scan per table with
 * progress), cancel a run, and the progress events of running runs.
 */
import { z } from 'zod';
import { CheckRunSchema, ProgressEventSchema } from '../findings.js';
import { event, request } from './channel.js';
import { ConnectionIdSchema } from './connection.js';

/** Chosen by the caller so it can follow progress and cancel before the run returns. */
export const RunIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'run ids use letters, digits, "_" and "-"');

export const checksContract = {
  run: request(
    z.object({
      connectionId: ConnectionIdSchema,
      runId: RunIdSchema,
      mode: z.enum(['estimate', 'exact']),
      rlsRole: z.string().min(1).max(128).optional(),
      rlsSetting: z.string().min(1).max(128).optional(),
      rlsTenant: z.string().min(1).max(256).optional(),
    }).strict(),
    CheckRunSchema,
  ),
  cancel: request(z.object({ runId: RunIdSchema }).strict(), z.object({ cancelled: z.boolean() })),
  onProgress: event(z.object({ runId: RunIdSchema, progress: ProgressEventSchema })),
};
