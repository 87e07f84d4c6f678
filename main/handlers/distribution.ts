/**
 * distribution/get: rows per tenant per table on a connection; distribution/summary and
 * distribution/tenantRows: the page's compact answers, cut from one count kept per connection and
 * model; distribution/orphanRows: the orphan rows, paged; distribution/placement: tenants' shards on Citus.
 */
import type { distributionContract } from '../../shared/contract/distribution.js';
import { indexDistribution, tenantRowsOf, type IndexedDistribution } from '../../shared/distribution-summary.js';
import type { TenancyModel } from '../../shared/model.js';
import { computeDistribution, distributionTables } from '../engine/distribution.js';
import type { OpenConnection } from '../engine/host/connections.js';
import { browseOrphanRows } from '../engine/orphan-rows.js';
import { computePlacement } from '../engine/placement.js';
import { ensureModel } from './model.js';
import type { DomainHandlers } from './types.js';

/** The last count of each connection, for the model it was counted with (a refreshed model counts again). */
const counted = new WeakMap<OpenConnection, { model: TenancyModel; result: Promise<IndexedDistribution> }>();

/**
 * The connection's indexed distribution: counted on first use, again when `recount` or when the
 * model changed since. Calls that arrive during a count share it; a failed count is not kept.
 */
export async function ensureCounted(conn: OpenConnection, recount = false): Promise<IndexedDistribution> {
  const { model } = await ensureModel(conn);
  const kept = counted.get(conn);
  if (kept && kept.model === model && !recount) return kept.result;
  const result = (async () => {
    const d = await computeDistribution(conn.session, model);
    const tables = distributionTables(model).length - d.skipped.length;
    return indexDistribution(d, tables, new Date().toISOString());
  })();
  const entry = { model, result };
  counted.set(conn, entry);
  result.catch(() => { if (counted.get(conn) === entry) counted.delete(conn); });
  return result;
}

/** Handlers for the distribution domain. */
export const distributionHandlers: DomainHandlers<typeof distributionContract> = {
  async get(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const { model } = await ensureModel(conn);
    return computeDistribution(conn.session, model, { tenant: req.tenant });
  },
  async summary(req, ctx) {
    return (await ensureCounted(ctx.connections.get(req.connectionId), req.recount)).summary;
  },
  async tenantRows(req, ctx) {
    return tenantRowsOf(await ensureCounted(ctx.connections.get(req.connectionId)), req.tenants);
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
