/**
 * backfill/*: Pause, Resume and Cancel for the backfill a runbook step is running in this host.
 */
import type { backfillContract } from '../../shared/contract/backfill.js';
import { activeStepsOf } from '../engine/host/active-steps.js';
import type { DomainHandlers } from './types.js';

/** Handlers for the backfill domain. */
export const backfillHandlers: DomainHandlers<typeof backfillContract> = {
  async pause(req, ctx) {
    const a = activeStepsOf(ctx).byBackfill(req.id);
    a.pause.pause();
    return { paused: a.pause.paused };
  },

  async resume(req, ctx) {
    const a = activeStepsOf(ctx).byBackfill(req.id);
    a.pause.resume();
    return { paused: a.pause.paused };
  },

  async cancel(req, ctx) {
    const a = activeStepsOf(ctx).byBackfill(req.id);
    return { cancelled: await ctx.runs.cancel(`runbook:${a.run}`) };
  },
};
