/**
 * A running backfill step's buttons: pause (after the batch in flight commits), resume, cancel
 * (the running batch is cancelled and rolled back; committed batches stay, and running the step
 * again resumes after them). The id is the one `runbooks/onBackfill` events carry.
 */
import { z } from 'zod';
import { request } from './channel.js';

/** A backfill id: bf_ and ten hex digits. */
export const BackfillIdSchema = z.string().regex(/^bf_[0-9a-f]{10}$/, 'a backfill id reads bf_ and ten hex digits');

export const backfillContract = {
  pause: request(z.object({ id: BackfillIdSchema }).strict(), z.object({ paused: z.boolean() })),
  resume: request(z.object({ id: BackfillIdSchema }).strict(), z.object({ paused: z.boolean() })),
  cancel: request(z.object({ id: BackfillIdSchema }).strict(), z.object({ cancelled: z.boolean() })),
};
