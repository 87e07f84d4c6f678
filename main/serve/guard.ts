/**
 * Browser mode's request guard: pure predicates on Host, Origin and the token cookie. A local web
 * page (DNS rebinding, a malicious site POSTing to 127.0.0.1) fails one of them.
 */
import crypto from 'node:crypto';

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

/** The name of the token cookie; per port, because cookies are not port-scoped. */
export function cookieName(port: number): string {
  return `tenancy_token_${port}`;
}

/** Cookie values by name from a Cookie header. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

/** Constant-time comparison of a presented token with the launch token. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** A new launch token: 32 random bytes, URL-safe. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}
