/**
 * The profile store: profiles.json in the config directory, written atomically, mode 0600.
 * It never holds a password (the schema has no field for one).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse as parseConnectionString } from 'pg-connection-string';
import { ProfileFileSchema, ProfileSchema, SslModeSchema, type Profile, type ProfileFile, type ProfileInput } from '../../shared/profile.js';
import { configDir } from './config.js';
import { UserError } from './errors.js';
import { writeFileAtomic } from './fs-util.js';

/** Path of the profile file inside `dir`. */
export function profilesPath(dir = configDir()): string {
  return path.join(dir, 'profiles.json');
}

/** Read every profile; a missing file is an empty list, a corrupt one a UserError naming it. */
export async function listProfiles(dir = configDir()): Promise<Profile[]> {
  const file = profilesPath(dir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UserError(`cannot read ${file}: ${(err as Error).message}`, 'config');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(`${file} is not valid JSON; fix or move it aside`, 'config');
  }
  const parsed = ProfileFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}; fix or move it aside`, 'config');
  }
  return parsed.data.profiles;
}

/** One profile by name, or a UserError listing the names that exist. */
export async function getProfile(name: string, dir = configDir()): Promise<Profile> {
  const profiles = await listProfiles(dir);
  const found = profiles.find((p) => p.name === name);
  if (!found) {
    const names = profiles.map((p) => p.name).join(', ') || 'none yet; add one with `tenancy profile add`';
    throw new UserError(`unknown profile "${name}" (profiles: ${names})`, 'config');
  }
  return found;
}

async function writeProfiles(profiles: Profile[], dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = profilesPath(dir);
  const body: ProfileFile = { version: 1, profiles };
  await writeFileAtomic(file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
}

/** Add or replace a profile (validated); returns the stored form. */
export async function saveProfile(input: ProfileInput, dir = configDir()): Promise<Profile> {
  const parsed = ProfileSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`invalid profile: ${issue?.path.join('.') || 'profile'}: ${issue?.message ?? 'invalid'}`, 'usage');
  }
  const profiles = await listProfiles(dir);
  const next = profiles.filter((p) => p.name !== parsed.data.name);
  next.push(parsed.data);
  next.sort((a, b) => a.name.localeCompare(b.name));
  await writeProfiles(next, dir);
  return parsed.data;
}

/** Remove a profile by name; a UserError when it does not exist. */
export async function removeProfile(name: string, dir = configDir()): Promise<void> {
  const profiles = await listProfiles(dir);
  if (!profiles.some((p) => p.name === name)) await getProfile(name, dir);
  await writeProfiles(profiles.filter((p) => p.name !== name), dir);
}

/** A connection URL split into profile fields and the password it carried (kept in memory only). */
export interface ParsedUrl {
  fields: Pick<Profile, 'host' | 'port' | 'database' | 'user'> & { sslmode?: Profile['sslmode'] };
  password: string | undefined;
}

/** Parse a postgres:// URL, with a one-line error naming what is wrong. */
export function parseDatabaseUrl(url: string): ParsedUrl {
  if (!/^postgres(ql)?:\/\//i.test(url.trim())) {
    throw new UserError(`not a PostgreSQL URL: "${redactUrl(url)}"; expected postgres://user@host:5432/database`, 'usage');
  }
  const portText = /^postgres(?:ql)?:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?]*):(\d+)/i.exec(url.trim())?.[1];
  if (portText !== undefined && (Number(portText) < 1 || Number(portText) > 65535)) {
    throw new UserError(`bad port ${portText} in URL "${redactUrl(url)}"; ports are 1 to 65535`, 'usage');
  }
  let cfg: ReturnType<typeof parseConnectionString>;
  try {
    cfg = parseConnectionString(url.trim());
  } catch (err) {
    throw new UserError(`cannot parse the URL "${redactUrl(url)}": ${(err as Error).message}`, 'usage');
  }
  const port = cfg.port ? Number(cfg.port) : 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UserError(`bad port in URL "${redactUrl(url)}"`, 'usage');
  }
  const sslRaw = new URL(url.trim().replace(/^postgres(ql)?:/i, 'http:')).searchParams.get('sslmode');
  const ssl = sslRaw ? SslModeSchema.safeParse(sslRaw) : undefined;
  if (ssl && !ssl.success) throw new UserError(`unknown sslmode "${sslRaw}" in URL; use disable, prefer, require, verify-ca or verify-full`, 'usage');
  return {
    fields: {
      host: cfg.host || 'localhost',
      port,
      database: cfg.database || cfg.user || 'postgres',
      user: cfg.user || process.env.PGUSER || 'postgres',
      ...(ssl?.success ? { sslmode: ssl.data } : {}),
    },
    password: cfg.password || undefined,
  };
}

/** The URL with any password replaced by "***", for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
