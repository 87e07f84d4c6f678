/** model/load: the tenancy model of a connection, cached on the connection until refreshed. */
import type { modelContract } from '../../shared/contract/model.js';
import type { TenancyModel } from '../../shared/model.js';
import type { OpenConnection } from '../engine/host/connections.js';
import { loadModel, summarizeModel } from '../engine/model/load.js';
import { profileTenancy } from '../engine/target.js';
import type { DomainHandlers } from './types.js';

const inFlight = new WeakMap<OpenConnection, Promise<{ model: TenancyModel; loadedAt: string }>>();

/**
 * The connection's model, loaded on first use (or again when `refresh`). Calls that arrive while a
 * load is running share it (the console asks for the model and the estimate at once on connect):
 * the catalogs are read once.
 */
export async function ensureModel(conn: OpenConnection, refresh = false): Promise<{ model: TenancyModel; loadedAt: string }> {
  if (conn.model && !refresh) return conn.model;
  const running = inFlight.get(conn);
  if (running && !refresh) return running;
  const load = (async () => {
    const model = await loadModel(conn.session, profileTenancy(conn.profile));
    conn.model = { model, loadedAt: new Date().toISOString() };
    return conn.model;
  })();
  inFlight.set(conn, load);
  try {
    return await load;
  } finally {
    if (inFlight.get(conn) === load) inFlight.delete(conn);
  }
}

/** Handlers for the model domain. */
export const modelHandlers: DomainHandlers<typeof modelContract> = {
  async load(req, ctx) {
    const { model, loadedAt } = await ensureModel(ctx.connections.get(req.connectionId), req.refresh);
    return { model, summary: summarizeModel(model), loadedAt };
  },
};
