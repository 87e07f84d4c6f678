/**
 * Resolve what the operator pointed at (--profile NAME or --url URL) into a Profile and the
 * password that came with it, if any. Passwords stay in memory.
 */
import { ProfileSchema, type Profile, type ProfileInput } from '../../shared/profile.js';
import type { ModelSettings } from '../../shared/model.js';
import { urlEnvironment } from './environment-guard.js';
import { UserError } from './errors.js';
import { getProfile, parseDatabaseUrl } from './profiles.js';

/** What a command was told to connect to. */
export interface TargetSpec {
  profile?: string;
  url?: string;
  /** Tenancy settings given on the command line; they override the profile's. */
  tenancy?: ModelSettings;
  /** Other profile fields given on the command line (timeouts, RLS role). */
  overrides?: Partial<ProfileInput>;
  /** `--env` for a URL target (default TENANCY_ENV, else production); refused with a profile. */
  env?: string;
}

/** A resolved target: the profile to connect with and a password from the URL, if it had one. */
export interface ResolvedTarget {
  profile: Profile;
  urlPassword: string | undefined;
}

/** Build an unsaved profile from a URL (name "(url)" unless given). */
export function profileFromUrl(url: string, extra: Partial<ProfileInput> = {}): ResolvedTarget {
  const { fields, password } = parseDatabaseUrl(url);
  const profile = ProfileSchema.parse({
    name: 'url',
    sslmode: fields.sslmode ?? (isLocal(fields.host) ? 'disable' : 'prefer'),
    ...fields,
    ...extra,
  });
  return { profile, urlPassword: password };
}

function isLocal(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host.startsWith('/');
}

/** A profile's tenancy settings, saying that its global uniques are the profile's (accepted findings name who declared them). */
export function profileTenancy(profile: { name: string; tenancy: ModelSettings }): ModelSettings {
  const base = profile.tenancy;
  return { ...base, ...(base.globalUniques?.length && !base.globalUniquesDeclaredBy ? { globalUniquesDeclaredBy: `profile "${profile.name}"` } : {}) };
}

function mergeTenancy(base: ModelSettings, given: ModelSettings | undefined, profileName: string): ModelSettings {
  // Global uniques from the profile say so in accepted findings; given ones are the flag's.
  const out: ModelSettings = profileTenancy({ name: profileName, tenancy: base });
  if (!given) return out;
  for (const [k, v] of Object.entries(given) as [keyof ModelSettings, unknown][]) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  if (given.globalUniques !== undefined) out.globalUniquesDeclaredBy = '--global-uniques';
  return out;
}

/** Resolve --profile or --url (exactly one) into a profile with command-line overrides applied. */
export async function resolveTarget(spec: TargetSpec, configDir?: string): Promise<ResolvedTarget> {
  if (spec.profile && spec.url) throw new UserError('give --profile or --url, not both', 'usage');
  let resolved: ResolvedTarget;
  if (spec.profile && spec.env !== undefined) {
    throw new UserError(`--env is for --url targets; profile "${spec.profile}" has its own environment (change it with tenancy profile add)`, 'usage');
  }
  if (spec.url) {
    resolved = profileFromUrl(spec.url, { environment: urlEnvironment(spec.env) });
  } else if (spec.profile) {
    resolved = { profile: await getProfile(spec.profile, configDir), urlPassword: undefined };
  } else if (process.env.DATABASE_URL) {
    resolved = profileFromUrl(process.env.DATABASE_URL, { name: 'DATABASE_URL', environment: urlEnvironment(spec.env) });
  } else {
    throw new UserError('no database given: use --profile NAME or --url postgres://user@host/db (or set DATABASE_URL)', 'usage');
  }
  const merged = ProfileSchema.parse({
    ...resolved.profile,
    ...spec.overrides,
    tenancy: mergeTenancy(resolved.profile.tenancy, spec.tenancy, resolved.profile.name),
  });
  return { profile: merged, urlPassword: resolved.urlPassword };
}
