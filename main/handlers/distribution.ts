/** distribution/get: rows per tenant per table on a connection; distribution/placement: tenants' shards on Citus. */
import type { distributionContract } from '../../shared/contract/distribution.js';
import { computeDistribution } from '../engine/distribution.js';
import { computePlacement } from '../engine/placement.js';
import { ensureModel } from './model.js';
import type { DomainHandlers } from './types.js';

/** Handlers for the distribution domain. */
export const distributionHandlers: DomainHandlers<typeof distributionContract> = {
  async get(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const { model } = await ensureModel(conn);
    return computeDistribution(conn.session, model, { tenant: req.tenant });
  },
  async placement(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const { model } = await ensureModel(conn);
    return computePlacement(conn.session, model);
  },
};
