/**
 * Browser mode: the renderer and the contract over HTTP on 127.0.0.1 only. A request target that
 * is not a plain path is refused first (400); then every request must name our Host and carry our
 * Origin (or none, for a GET). The renderer's static files need nothing more: they hold no secret.
 * The API needs the session secret in the `X-Tenancy-Session` header; the page gets it by
 * exchanging the printed URL's single-use token at `POST /api/session`. No cookie is ever set, so
 * no other listener on this machine receives a credential; no CORS headers, so no other origin can
 * send the header.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { dispatch } from '../handlers/dispatch.js';
import type { HostContext } from '../handlers/context.js';
import type { Handlers } from '../handlers/types.js';
import { containedPath, contentType } from './contained-path.js';
import { SECURITY_HEADERS } from './csp.js';
import type { EventHub } from './events.js';
import { hostAllowed, originAllowed, SESSION_HEADER, type SessionKeys } from './guard.js';

/** What the server needs. */
export interface ServeOptions {
  port: number;
  keys: SessionKeys;
  ctx: HostContext;
  handlers: Handlers;
  hub: EventHub;
  /** The built renderer (vite's dist/renderer). */
  rendererDir: string;
  /** Called after each successful sign-in (the opener file is removed then). */
  onSignedIn?: () => void;
}

/** A running browser-mode server. */
export interface RunningServer {
  port: number;
  /** The first sign-in URL (its token works once), printed once. */
  url: string;
  /** A new sign-in URL with a fresh single-use token (another tab, another browser). */
  signInUrl(): string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
/** How long a client may take to send its headers, and its whole request. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;

function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...extra });
  res.end(body);
}

function sendError(res: http.ServerResponse, status: number, message: string, code: string): void {
  send(res, status, JSON.stringify({ ok: false, error: { message, code } }), 'application/json');
}

/** Exactly `application/json`, optionally with parameters (`; charset=utf-8`). */
export function isJsonContentType(value: string | undefined): boolean {
  return /^application\/json\s*(;.*)?$/i.test(value ?? '');
}

/** The path of an origin-form request target (`/a/b?c`), or null when it is anything else. */
export function requestPath(target: string | undefined): URL | null {
  if (!target || !target.startsWith('/') || target.startsWith('//')) return null;
  try {
    return new URL(target, 'http://127.0.0.1');
  } catch {
    return null;
  }
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

/** Read a JSON body, answering the error itself when there is none; undefined then. */
async function jsonBody(req: http.IncomingMessage, res: http.ServerResponse, channel: string): Promise<unknown> {
  if (req.method !== 'POST') return send(res, 405, 'use POST', undefined, { Allow: 'POST' });
  if (!isJsonContentType(req.headers['content-type'])) return send(res, 415, 'send application/json');
  const text = await readBody(req);
  if (text === null) return send(res, 413, 'request body too large');
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    return sendError(res, 400, `${channel}: the body is not valid JSON`, 'invalid-request');
  }
}

async function handleSignIn(o: ServeOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = await jsonBody(req, res, 'session');
  if (body === undefined) return;
  const token = typeof body === 'object' && body !== null ? (body as { token?: unknown }).token : undefined;
  const r = o.keys.exchange(token);
  if (!r.ok) {
    const message =
      r.reason === 'used'
        ? 'this sign-in URL was already used (each works once): get a new one from the `tenancy serve` terminal (press Enter there, or restart it)'
        : 'wrong sign-in token: open the URL printed by `tenancy serve`';
    return sendError(res, 401, message, 'auth');
  }
  o.onSignedIn?.();
  send(res, 200, JSON.stringify({ ok: true, value: { session: r.session } }), 'application/json');
}

async function handleApi(o: ServeOptions, req: http.IncomingMessage, res: http.ServerResponse, channel: string): Promise<void> {
  const payload = await jsonBody(req, res, channel);
  if (payload === undefined) return;
  const envelope = await dispatch(o.handlers, o.ctx, channel, payload);
  const status = envelope.ok ? 200 : envelope.error.code === 'invalid-request' ? 400 : envelope.error.code === 'unknown-channel' ? 404 : 200;
  send(res, status, JSON.stringify(envelope), 'application/json');
}

/** The file for a URL path, with symlinks resolved and still inside the renderer folder. */
async function staticFile(rendererDir: string, pathname: string): Promise<string | null> {
  const file = containedPath(rendererDir, pathname);
  if (!file) return null;
  try {
    const [real, root] = await Promise.all([fs.realpath(file), fs.realpath(rendererDir)]);
    return real === root || real.startsWith(root + path.sep) ? real : null;
  } catch {
    return file; // missing: the caller answers 404 (or 503 for an unbuilt renderer)
  }
}

async function handleStatic(o: ServeOptions, res: http.ServerResponse, pathname: string): Promise<void> {
  const file = await staticFile(o.rendererDir, pathname);
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
  const url = requestPath(req.url);
  if (!url) return send(res, 400, 'malformed request target');
  if (!hostAllowed(req.headers.host, port)) return send(res, 421, 'wrong Host: open the URL printed by `tenancy serve`');
  const method = req.method ?? 'GET';
  if (!originAllowed(req.headers.origin, port, method)) return send(res, 403, 'cross-origin requests are refused');
  if (url.pathname === '/api/session') return handleSignIn(o, req, res);
  if (url.pathname.startsWith('/api/')) {
    if (!o.keys.sessionValid(req.headers[SESSION_HEADER])) {
      return sendError(res, 401, 'not signed in: open the sign-in URL printed by `tenancy serve`', 'auth');
    }
    if (url.pathname === '/api/events') {
      if (method !== 'GET') return send(res, 405, 'use GET');
      return o.hub.attach(res, SECURITY_HEADERS);
    }
    return handleApi(o, req, res, url.pathname.slice('/api/'.length));
  }
  if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'method not allowed');
  return handleStatic(o, res, url.pathname);
}

/** Start the server on 127.0.0.1 (port 0 picks a free one). */
export async function startServer(o: ServeOptions): Promise<RunningServer> {
  let port = o.port;
  // Check the header and request deadlines every second (Node's default is every 30 s).
  const server = http.createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    route(o, port, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.end();
    });
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const signInUrl = () => `http://127.0.0.1:${port}/?token=${o.keys.issueSignIn()}`;
  return {
    port,
    url: signInUrl(),
    signInUrl,
    async close() {
      o.hub.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
