/**
 * Password lookup and storage for handlers: the host's stores, never the renderer. Every held
 * password is bound to its target (engine/host/bound-password.ts): it is handed out only for the
 * host, port, database and user it was given for.
 */
import type { Profile } from '../../shared/profile.js';
import { UserError } from '../engine/errors.js';
import { decodeHeld, describePasswordTarget, encodeHeld, sameTarget, targetOf, type HeldPassword, type PasswordTarget } from '../engine/host/bound-password.js';
import type { HostContext } from './context.js';

async function held(ctx: HostContext, name: string): Promise<HeldPassword | undefined> {
  const raw = (await ctx.sessionPasswords.get(name)) ?? (await ctx.secrets.get(name));
  if (raw === undefined) return undefined;
  const h = decodeHeld(raw);
  if (h.target) return h;
  // Written before binding: it was given for the profile as saved.
  try {
    return { password: h.password, target: targetOf((await ctx.profiles.get(name)).profile) };
  } catch {
    return undefined;
  }
}

/**
 * The password the host holds for profile `name`, for a connection to `target`; undefined when
 * none is held, a UserError naming both targets when the held one was given for another.
 */
export async function storedPassword(ctx: HostContext, name: string, target: PasswordTarget): Promise<string | undefined> {
  const h = await held(ctx, name);
  if (!h) return undefined;
  if (!sameTarget(h.target!, target)) {
    throw new UserError(
      `the password held for "${name}" was given for ${describePasswordTarget(h.target!)}, not ${describePasswordTarget(target)}; enter the password again`,
      'auth',
    );
  }
  return h.password;
}

/** Whether the host holds a password for a profile. */
export async function hasStoredPassword(ctx: HostContext, profile: string): Promise<boolean> {
  return (await ctx.sessionPasswords.has(profile)) || (await ctx.secrets.has(profile));
}

/**
 * Forget the held password of `profile` when it was given for another target than the profile
 * now names (a save that changed host, port, database or user). True when one was forgotten.
 */
export async function forgetIfRetargeted(ctx: HostContext, profile: Profile): Promise<boolean> {
  const h = await held(ctx, profile.name);
  if (!h || sameTarget(h.target!, targetOf(profile))) return false;
  await forgetPassword(ctx, profile.name);
  return true;
}

/**
 * Keep a password the operator gave for `profile`'s target: remembered when asked and the store
 * can keep it safely, otherwise for this process only. Returns a note when it was not remembered.
 */
export async function keepPassword(ctx: HostContext, profile: Profile, password: string, remember: boolean, ephemeral: boolean): Promise<string | null> {
  const value = encodeHeld(password, targetOf(profile));
  if (remember && !ephemeral && ctx.secrets.storage.persistent && (await ctx.secrets.set(profile.name, value))) {
    await ctx.sessionPasswords.remove(profile.name);
    return null;
  }
  await ctx.sessionPasswords.set(profile.name, value);
  if (!remember) return 'password not saved: it is kept only until the console quits';
  return `password not saved (${ctx.secrets.storage.note ?? 'no safe place to store it'}): it is kept only until the console quits`;
}

/** Forget every password held for a profile. */
export async function forgetPassword(ctx: HostContext, profile: string): Promise<void> {
  await ctx.sessionPasswords.remove(profile);
  await ctx.secrets.remove(profile);
}
