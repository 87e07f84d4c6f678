/** tenant/*: one tenant for the support engineer; thin over main/engine/tenant. */
import type { tenantContract } from '../../shared/contract/tenant.js';
import { UserError } from '../engine/errors.js';
import { findTenants } from '../engine/tenant/find.js';
import { tenantFootprint } from '../engine/tenant/footprint.js';
import { browseTenantRows } from '../engine/tenant/rows.js';
import { explainVisibility } from '../engine/tenant/visibility.js';
import { ensureModel } from './model.js';
import type { DomainHandlers } from './types.js';

/** Handlers for the tenant domain. */
export const tenantHandlers: DomainHandlers<typeof tenantContract> = {
  async find(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    return findTenants(conn.session, (await ensureModel(conn)).model, req.query);
  },
  async footprint(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const { model } = await ensureModel(conn);
    if (!req.runId) return tenantFootprint(conn.session, model, req.tenant);
    const runId = req.runId;
    // As exact checks: a session of its own, so cancelling the count never disturbs the browsing session.
    const controller = ctx.runs.start(runId);
    try {
      return await ctx.connections.withDedicatedSession(conn.id, (session) => {
        ctx.runs.attach(runId, session);
        return tenantFootprint(session, model, req.tenant, {
          signal: controller.signal,
          onProgress: (p) => ctx.emit('tenant/onFootprintProgress', { runId, ...p }),
        });
      });
    } finally {
      ctx.runs.finish(runId);
    }
  },
  async cancelFootprint(req, ctx) {
    return { cancelled: await ctx.runs.cancel(req.runId) };
  },
  async rows({ connectionId, ...req }, ctx) {
    const conn = ctx.connections.get(connectionId);
    return browseTenantRows(conn.session, (await ensureModel(conn)).model, req);
  },
  async visibility(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const role = req.role ?? conn.profile.rlsRole;
    const setting = req.setting ?? conn.profile.rlsSetting;
    if (!role || !setting) throw new UserError('name the application role and the setting its policies read (the profile\'s RLS role and setting)', 'usage');
    const { model } = await ensureModel(conn);
    // A transaction of its own on its own session: the browsing session's queries never land inside it.
    return ctx.connections.withDedicatedSession(conn.id, (session) => explainVisibility(session, model, { tenant: req.tenant, role, setting, member: req.member }));
  },
};
