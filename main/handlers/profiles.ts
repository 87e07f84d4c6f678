/** profiles/*: thin calls into the host's profile list and password stores. */
import type { profilesContract } from '../../shared/contract/profiles.js';
import { parseDatabaseUrl } from '../engine/profiles.js';
import { Session } from '../engine/session.js';
import { requireDowngradeConfirmation } from '../engine/environment-guard.js';
import { targetOf } from '../engine/host/bound-password.js';
import { forgetIfRetargeted, forgetPassword, keepPassword, storedPassword } from './passwords.js';
import type { DomainHandlers } from './types.js';
import { profileView } from './views.js';

/** Handlers for the profiles domain. */
export const profilesHandlers: DomainHandlers<typeof profilesContract> = {
  async list(_req, ctx) {
    const all = await ctx.profiles.list();
    return { profiles: await Promise.all(all.map((hp) => profileView(ctx, hp))), storage: ctx.secrets.storage };
  },

  async save(req, ctx) {
    const previous = await ctx.profiles.get(req.previousName ?? req.profile.name).then((hp) => hp.profile, () => null);
    requireDowngradeConfirmation(previous, req.profile, req.confirmDatabase, 'type its database name to confirm');
    const saved = await ctx.profiles.save(req.profile, req.previousName);
    if (req.previousName && req.previousName !== saved.profile.name) {
      await ctx.secrets.rename(req.previousName, saved.profile.name);
      await ctx.sessionPasswords.rename(req.previousName, saved.profile.name);
    }
    let note: string | null = null;
    if (req.password && req.password.value !== '') {
      note = await keepPassword(ctx, saved.profile, req.password.value, req.password.remember, saved.ephemeral);
    } else if (await forgetIfRetargeted(ctx, saved.profile)) {
      note = 'the held password was for the old host, port, database or user, so it was forgotten: enter it again to connect';
    }
    ctx.emit('profiles/onChanged', {});
    return { profile: await profileView(ctx, saved), note };
  },

  async remove(req, ctx) {
    await ctx.profiles.remove(req.name);
    await forgetPassword(ctx, req.name);
    ctx.emit('profiles/onChanged', {});
    return {};
  },

  async parseUrl(req) {
    const { fields, password } = parseDatabaseUrl(req.url);
    return { ...fields, hasPassword: password !== undefined };
  },

  async test(req, ctx) {
    const profile = req.profile;
    const password = req.password || (await storedPassword(ctx, profile.name, targetOf(profile)));
    const session = await Session.open(profile, { password, connectTimeoutMs: 8_000 });
    try {
      return { fingerprint: session.fingerprint };
    } finally {
      await session.close();
    }
  },
};
