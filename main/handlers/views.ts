/** Convert host state into what the renderer may see (ids, profiles, fingerprints; no passwords). */
import type { ConnectionView } from '../../shared/contract/connection.js';
import type { ProfileView } from '../../shared/contract/profiles.js';
import type { OpenConnection } from '../engine/host/connections.js';
import type { HostProfile } from '../engine/host/host-profiles.js';
import type { HostContext } from './context.js';
import { hasStoredPassword } from './passwords.js';

/** A profile as the renderer sees it. */
export async function profileView(ctx: HostContext, hp: HostProfile): Promise<ProfileView> {
  return { ...hp.profile, hasSavedPassword: await hasStoredPassword(ctx, hp.profile.name), ephemeral: hp.ephemeral };
}

/** An open connection as the renderer sees it. */
export async function connectionView(ctx: HostContext, c: OpenConnection): Promise<ConnectionView> {
  return {
    id: c.id,
    profile: await profileView(ctx, { profile: c.profile, ephemeral: c.ephemeral }),
    fingerprint: c.session.fingerprint,
    writable: c.session.isWritable,
    openedAt: c.openedAt,
  };
}
