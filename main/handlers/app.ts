/** app/*: what the host is, and the demo offer. */
import type { appContract } from '../../shared/contract/app.js';
import { UserError } from '../engine/errors.js';
import type { DomainHandlers } from './types.js';

/** Handlers for the app domain. */
export const appHandlers: DomainHandlers<typeof appContract> = {
  async info(_req, ctx) {
    return { mode: ctx.mode, version: ctx.version, storage: ctx.secrets.storage, demoAvailable: ctx.demo !== null };
  },

  async startDemo(_req, ctx) {
    if (!ctx.demo) throw new UserError('the demo is not available in this build; add a profile instead', 'usage');
    const { profiles, note } = await ctx.demo();
    for (const p of profiles) {
      ctx.profiles.addEphemeral(p.profile);
      if (p.password) await ctx.sessionPasswords.set(p.profile.name, p.password);
    }
    ctx.emit('profiles/onChanged', {});
    return { profiles: profiles.map((p) => p.profile.name), note };
  },
};
