/** connection/*: open, list, close sessions and switch write mode, through the connection manager. */
import type { connectionContract } from '../../shared/contract/connection.js';
import { targetOf } from '../engine/host/bound-password.js';
import { keepPassword, storedPassword } from './passwords.js';
import type { DomainHandlers } from './types.js';
import { connectionView } from './views.js';

/** Handlers for the connection domain. */
export const connectionHandlers: DomainHandlers<typeof connectionContract> = {
  async open(req, ctx) {
    const hp = await ctx.profiles.get(req.profile);
    const password = req.password || (await storedPassword(ctx, hp.profile.name, targetOf(hp.profile)));
    const conn = await ctx.connections.connect(hp.profile, password, hp.ephemeral);
    if (req.password) await keepPassword(ctx, hp.profile, req.password, req.remember ?? false, hp.ephemeral);
    return connectionView(ctx, conn);
  },

  async close(req, ctx) {
    await ctx.connections.close(req.id);
    return {};
  },

  async list(_req, ctx) {
    return { connections: await Promise.all(ctx.connections.list().map((c) => connectionView(ctx, c))) };
  },

  async setWriteMode(req, ctx) {
    const conn = await ctx.connections.setWriteMode(req.id, req.enabled, req.confirmDatabase);
    return connectionView(ctx, conn);
  },
};
