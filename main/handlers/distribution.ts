/** distribution/get: rows per tenant per table on a connection. */
import type { distributionContract } from '../../shared/contract/distribution.js';
import { computeDistribution } from '../engine/distribution.js';
import { ensureModel } from './model.js';
import type { DomainHandlers } from './types.js';

/** Handlers for the distribution domain. */
export const distributionHandlers: DomainHandlers<typeof distributionContract> = {
  async get(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const { model } = await ensureModel(conn);
    return computeDistribution(conn.session, model, { tenant: req.tenant });
  },
};
