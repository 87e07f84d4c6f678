/**
 * Browser mode: the renderer and the contract over HTTP on 127.0.0.1 only. Every request must name
 * our Host, carry our Origin (or none, for a GET), and the launch token's cookie; the token arrives
 * once in the printed URL and is swapped for an HttpOnly SameSite=Strict cookie. No CORS headers.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dispatch } from '../handlers/dispatch.js';
import type { HostContext } from '../handlers/context.js';
import type { Handlers } from '../handlers/types.js';
import { containedPath, contentType } from './contained-path.js';
import { SECURITY_HEADERS } from './csp.js';
import type { EventHub } from './events.js';
import { cookieName, hostAllowed, originAllowed, parseCookies, tokenMatches } from './guard.js';

/** What the server needs. */
export interface ServeOptions {
  port: number;
  token: string;
  ctx: HostContext;
  handlers: Handlers;
  hub: EventHub;
  /** The built renderer (vite's dist/renderer). */
  rendererDir: string;
}

/** A running browser-mode server. */
export interface RunningServer {
  port: number;
  /** The URL with the token, printed once. */
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...extra });
  res.end(body);
}

async function readBody(req: http.IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function handleApi(o: ServeOptions, req: http.IncomingMessage, res: http.ServerResponse, channel: string): Promise<void> {
  if (req.method !== 'POST') return send(res, 405, 'use POST', undefined, { Allow: 'POST' });
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return send(res, 415, 'send application/json');
  const text = await readBody(req);
  if (text === null) return send(res, 413, 'request body too large');
  let payload: unknown;
  try {
    payload = text === '' ? {} : JSON.parse(text);
  } catch {
    return send(res, 400, JSON.stringify({ ok: false, error: { message: `${channel}: the body is not valid JSON`, code: 'invalid-request' } }), 'application/json');
  }
  const envelope = await dispatch(o.handlers, o.ctx, channel, payload);
  const status = envelope.ok ? 200 : envelope.error.code === 'invalid-request' ? 400 : envelope.error.code === 'unknown-channel' ? 404 : 200;
  send(res, status, JSON.stringify(envelope), 'application/json');
}

async function handleStatic(o: ServeOptions, res: http.ServerResponse, pathname: string): Promise<void> {
  const file = containedPath(o.rendererDir, pathname);
  if (!file) return send(res, 404, 'not found');
  try {
    const body = await fs.readFile(file);
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': contentType(file) });
    res.end(body);
  } catch {
    if (pathname === '/' || pathname === '/index.html') {
      return send(res, 503, 'the renderer is not built: run `npm run build` (vite build writes dist/renderer)');
    }
    send(res, 404, 'not found');
  }
}

async function route(o: ServeOptions, port: number, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (!hostAllowed(req.headers.host, port)) return send(res, 421, 'wrong Host: open the URL printed by `tenancy serve`');
  const method = req.method ?? 'GET';
  if (!originAllowed(req.headers.origin, port, method)) return send(res, 403, 'cross-origin requests are refused');
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  const name = cookieName(port);
  const queryToken = url.searchParams.get('token');
  if (queryToken !== null && method === 'GET' && url.pathname === '/') {
    if (!tokenMatches(queryToken, o.token)) return send(res, 401, 'wrong token: open the URL printed by `tenancy serve`');
    return send(res, 303, 'signed in', undefined, {
      'Set-Cookie': `${name}=${o.token}; HttpOnly; SameSite=Strict; Path=/`,
      Location: '/',
    });
  }
  if (!tokenMatches(parseCookies(req.headers.cookie).get(name), o.token)) {
    return send(res, 401, 'not signed in: open the URL printed by `tenancy serve` (it carries the launch token)');
  }
  if (url.pathname === '/api/events') {
    if (method !== 'GET') return send(res, 405, 'use GET');
    return o.hub.attach(res, SECURITY_HEADERS);
  }
  if (url.pathname.startsWith('/api/')) return handleApi(o, req, res, url.pathname.slice('/api/'.length));
  if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'method not allowed');
  return handleStatic(o, res, url.pathname);
}

/** Start the server on 127.0.0.1 (port 0 picks a free one). */
export async function startServer(o: ServeOptions): Promise<RunningServer> {
  let port = o.port;
  const server = http.createServer((req, res) => {
    route(o, port, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, `internal error: ${(err as Error).message}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${o.token}`,
    async close() {
      o.hub.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
