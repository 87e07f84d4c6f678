/**
 * Browser mode's request guard: pure predicates on Host and Origin, and the two secrets. A local
 * web page (DNS rebinding, a malicious site POSTing to 127.0.0.1) fails a predicate; another local
 * listener never sees a secret, because none travels in a cookie (cookies are not port-scoped).
 *
 * - The sign-in token (in the printed URL) is single-use: the page exchanges it once for a session.
 * - The session secret lives only in the page (sessionStorage) and is sent in the
 *   `X-Tenancy-Session` header, which a browser adds to no request the page did not make itself.
 */
import crypto from 'node:crypto';

/** The request header that carries the session secret. */
export const SESSION_HEADER = 'x-tenancy-session';

/** The hosts a request may name: 127.0.0.1 and localhost on our port. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** Whether the Host header is ours (DNS-rebinding defence). */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

/**
 * Whether the Origin header is acceptable: absent only on safe requests (GET navigations),
 * otherwise exactly our own origin. `null` origins (sandboxed frames, file://) are refused.
 */
export function originAllowed(origin: string | undefined, port: number, method: string): boolean {
  if (origin === undefined) return method === 'GET' || method === 'HEAD';
  return allowedHosts(port).some((h) => origin.toLowerCase() === `http://${h}`);
}

/** Constant-time comparison of a presented secret with a known one. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** A new secret: 32 random bytes, URL-safe. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** What exchanging a sign-in token gave. */
export type ExchangeResult = { ok: true; session: string } | { ok: false; reason: 'used' | 'unknown' };

/** The sign-in tokens (single-use) and the sessions they were exchanged for. */
export class SessionKeys {
  private readonly pending = new Set<string>();
  private readonly spent = new Set<string>();
  private readonly sessions = new Set<string>();

  /** Mint a sign-in token, valid for one exchange. */
  issueSignIn(): string {
    const t = newToken();
    this.pending.add(t);
    return t;
  }

  /** Exchange a sign-in token for a new session secret; a token works once. */
  exchange(token: unknown): ExchangeResult {
    if (typeof token !== 'string' || token === '') return { ok: false, reason: 'unknown' };
    for (const t of this.pending) {
      if (tokenMatches(token, t)) {
        this.pending.delete(t);
        this.spent.add(t);
        const session = newToken();
        this.sessions.add(session);
        return { ok: true, session };
      }
    }
    for (const t of this.spent) if (tokenMatches(token, t)) return { ok: false, reason: 'used' };
    return { ok: false, reason: 'unknown' };
  }

  /** Whether a presented session secret is one we issued. */
  sessionValid(presented: string | string[] | undefined): boolean {
    if (typeof presented !== 'string') return false;
    for (const s of this.sessions) if (tokenMatches(presented, s)) return true;
    return false;
  }
}
