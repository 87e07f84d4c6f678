/** Raw HTTP requests to browser mode, with full control of Host, Origin and Cookie. */
import http from 'node:http';

/** A response: status, headers, body text. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Send one request to 127.0.0.1:port. */
export function rawRequest(port: number, o: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: { host: `127.0.0.1:${port}`, ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

/** Exchange a single-use sign-in token for a session; returns the session secret. */
export async function signIn(port: number, token: string): Promise<string> {
  const res = await rawRequest(port, {
    method: 'POST',
    path: '/api/session',
    headers: { origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const session = res.status === 200 ? (JSON.parse(res.body) as { value?: { session?: string } }).value?.session : undefined;
  if (!session) throw new Error(`sign-in failed: ${res.status} ${res.body}`);
  return session;
}

/** POST a channel as the page would (same Origin, JSON, the session header). */
export function callChannel(port: number, session: string, channel: string, payload: unknown, extra: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(port, {
    method: 'POST',
    path: `/api/${channel}`,
    headers: { 'x-tenancy-session': session, origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json', ...extra },
    body: JSON.stringify(payload),
  });
}
