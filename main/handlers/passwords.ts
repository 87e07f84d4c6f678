/** Password lookup and storage for handlers: the host's stores, never the renderer. */
import type { HostContext } from './context.js';

/** The password the host holds for a profile: this session's first, then the remembered one. */
export async function storedPassword(ctx: HostContext, profile: string): Promise<string | undefined> {
  return (await ctx.sessionPasswords.get(profile)) ?? (await ctx.secrets.get(profile));
}

/** Whether the host holds a password for a profile. */
export async function hasStoredPassword(ctx: HostContext, profile: string): Promise<boolean> {
  return (await ctx.sessionPasswords.has(profile)) || (await ctx.secrets.has(profile));
}

/**
 * Keep a password the operator gave: remembered when asked and the store can keep it safely,
 * otherwise for this process only. Returns a note for the operator when it was not remembered.
 */
export async function keepPassword(ctx: HostContext, profile: string, password: string, remember: boolean, ephemeral: boolean): Promise<string | null> {
  if (remember && !ephemeral && ctx.secrets.storage.persistent && (await ctx.secrets.set(profile, password))) {
    await ctx.sessionPasswords.remove(profile);
    return null;
  }
  await ctx.sessionPasswords.set(profile, password);
  if (!remember) return 'password not saved: it is kept only until the console quits';
  return `password not saved (${ctx.secrets.storage.note ?? 'no safe place to store it'}): it is kept only until the console quits`;
}

/** Forget every password held for a profile. */
export async function forgetPassword(ctx: HostContext, profile: string): Promise<void> {
  await ctx.sessionPasswords.remove(profile);
  await ctx.secrets.remove(profile);
}
