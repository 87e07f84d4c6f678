/**
 * A held password is bound to the target it was given for: host, port, database and user. The
 * stores keep `{password, target}` as one string; the host hands the password only to a session
 * whose profile names that same target, so a changed host, port, database or user (in a test,
 * a save or a rename) needs the password again.
 */
import type { Profile } from '../../../shared/profile.js';

/** Where a password may be sent. */
export interface PasswordTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** A held password and its target (null for an entry written before binding existed). */
export interface HeldPassword {
  password: string;
  target: PasswordTarget | null;
}

/** The target of a profile. */
export function targetOf(p: Pick<Profile, 'host' | 'port' | 'database' | 'user'>): PasswordTarget {
  return { host: p.host, port: p.port, database: p.database, user: p.user };
}

/** Whether two targets are the same (host compared case-insensitively). */
export function sameTarget(a: PasswordTarget, b: PasswordTarget): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.database === b.database && a.user === b.user;
}

/** "user@host:port/db" for messages. */
export function describePasswordTarget(t: PasswordTarget): string {
  return `${t.user}@${t.host}:${t.port}/${t.database}`;
}

const PREFIX = 'bound:v1:';

/** The stored form of a password bound to a target. */
export function encodeHeld(password: string, target: PasswordTarget): string {
  return PREFIX + JSON.stringify({ password, target });
}

/** Read a stored entry; an old bare password comes back with no target. */
export function decodeHeld(raw: string): HeldPassword {
  if (!raw.startsWith(PREFIX)) return { password: raw, target: null };
  try {
    const v = JSON.parse(raw.slice(PREFIX.length)) as { password?: unknown; target?: Partial<PasswordTarget> };
    const t = v.target ?? {};
    if (typeof v.password === 'string' && typeof t.host === 'string' && typeof t.port === 'number' && typeof t.database === 'string' && typeof t.user === 'string') {
      return { password: v.password, target: { host: t.host, port: t.port, database: t.database, user: t.user } };
    }
  } catch {
    // fall through: an unreadable entry binds to nothing
  }
  return { password: '', target: { host: '', port: 0, database: '', user: '' } };
}
