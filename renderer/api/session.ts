/**
 * Browser mode's sign-in: the printed URL's `?token=` is exchanged once (POST /api/session) for a
 * session secret that only this page holds (sessionStorage: this tab, this origin; survives a
 * reload) and sends in the `X-Tenancy-Session` header. No cookie exists, so no other listener on
 * this machine ever receives it.
 */

const STORAGE_KEY = 'tenancy-session';
/** The header the server reads the session secret from. */
export const SESSION_HEADER = 'X-Tenancy-Session';

/** The session secret, or an error line saying how to sign in. */
export type SessionState = { ok: true; session: string } | { ok: false; message: string };

function stored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * Sign in once at startup: exchange the URL's token (removing it from the address bar and
 * history first), else reuse the session this tab already holds.
 */
export async function signIn(): Promise<SessionState> {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) {
    const s = stored();
    return s ? { ok: true, session: s } : { ok: false, message: 'not signed in: open the sign-in URL printed by `tenancy serve`' };
  }
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  let res: Response;
  try {
    res = await fetch('./api/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
      credentials: 'omit',
    });
  } catch {
    return { ok: false, message: 'the console host is not reachable; is `tenancy serve` still running?' };
  }
  const body = (await res.json().catch(() => null)) as { ok?: boolean; value?: { session?: string }; error?: { message?: string } } | null;
  if (body?.ok && typeof body.value?.session === 'string') {
    try {
      sessionStorage.setItem(STORAGE_KEY, body.value.session);
    } catch {
      // storage refused (private mode quotas): the session lives in memory until the tab closes
    }
    return { ok: true, session: body.value.session };
  }
  const s = stored();
  if (s) return { ok: true, session: s };
  return { ok: false, message: body?.error?.message ?? `sign-in failed (${res.status})` };
}
