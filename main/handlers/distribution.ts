/** distribution/get: rows per tenant per table on a connection; distribution/orphanRows: the orphan rows, paged; distribution/placement: tenants' shards on Citus. */
import type { distributionContract } from '../../shared/contract/distribution.js';
import { computeDistribution } from '../engine/distribution.js';
import { browseOrphanRows } from '../engine/orphan-rows.js';
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
  async orphanRows({ connectionId, ...req }, ctx) {
    const conn = ctx.connections.get(connectionId);
    return browseOrphanRows(conn.session, (await ensureModel(conn)).model, req);
  },
  async placement(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const { model } = await ensureModel(conn);
    return computePlacement(conn.session, model);
  },
};
