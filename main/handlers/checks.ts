/**
 * checks/*: run the suite on a connection's model. Exact runs get their own session so that
 * cancelling one (a protocol cancel of the running scan) never disturbs the browsing session.
 */
import type { checksContract } from '../../shared/contract/checks.js';
import type { ProgressEvent } from '../../shared/findings.js';
import { runChecks } from '../engine/checks/run.js';
import { ensureModel } from './model.js';
import type { DomainHandlers } from './types.js';

/** Handlers for the checks domain. */
export const checksHandlers: DomainHandlers<typeof checksContract> = {
  async run(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const controller = ctx.runs.start(req.runId);
    try {
      const { model } = await ensureModel(conn);
      const rlsRole = req.rlsRole ?? conn.profile.rlsRole;
      const rlsSetting = req.rlsSetting ?? conn.profile.rlsSetting;
      // On Supabase the probe needs no setting: --rls-role authenticated probes as a member.
      const probe: { rlsRole?: string; rlsSetting?: string; rlsTenant?: string } =
        rlsRole && (rlsSetting || model.platform === 'supabase') ? { rlsRole, ...(rlsSetting ? { rlsSetting } : {}), rlsTenant: req.rlsTenant } : {};
      const options = {
        mode: req.mode,
        ...probe,
        signal: controller.signal,
        onProgress: (progress: ProgressEvent) =>
          ctx.emit('checks/onProgress', { runId: req.runId, progress }),
      };
      if (req.mode === 'estimate' && !probe.rlsRole) {
        ctx.runs.attach(req.runId, conn.session);
        return await runChecks(conn.session, model, options);
      }
      return await ctx.connections.withDedicatedSession(conn.id, (session) => {
        ctx.runs.attach(req.runId, session);
        return runChecks(session, model, options);
      });
    } finally {
      ctx.runs.finish(req.runId);
    }
  },

  async cancel(req, ctx) {
    return { cancelled: await ctx.runs.cancel(req.runId) };
  },
};
