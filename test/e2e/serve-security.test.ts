/**
 * Browser mode's guard, over real HTTP and in Chromium: the sign-in token works once, the session
 * never leaves the page (another local listener receives nothing), a foreign Origin or Host is
 * refused; invalid payloads are rejected before any handler runs; no response carries a password.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLERS } from '../../main/handlers/index.js';
import type { Handlers } from '../../main/handlers/types.js';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
import { ensureRendererBuilt, launchChromium } from './support/browser.js';
import { createConsoleFixture, type ConsoleFixture } from './support/fixture.js';
import { callChannel, rawRequest, signIn } from './support/http.js';

/** The real handlers, each call recorded by channel name. */
function recording(calls: string[]): Handlers {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [domain, actions] of Object.entries(HANDLERS) as [string, Record<string, (req: unknown, ctx: unknown) => Promise<unknown>>][]) {
    out[domain] = {};
    for (const [action, fn] of Object.entries(actions)) {
      out[domain][action] = (req: unknown, ctx: unknown) => {
        calls.push(`${domain}/${action}`);
        return fn(req, ctx);
      };
    }
  }
  return out as unknown as Handlers;
}

let host: BrowserHost;
let fixture: ConsoleFixture;
let configDir: string;
let rendererDir: string;
let session: string;
const calls: string[] = [];

beforeAll(async () => {
  fixture = await createConsoleFixture();
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-sec-'));
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(configDir, 'outside.txt'), 'outside the renderer');
  host = await startBrowserHost({ configDir, rendererDir, handlers: recording(calls) });
  session = await signIn(host.port, host.token);
});

afterAll(async () => {
  await host?.close();
  await fixture?.drop();
  fs.rmSync(configDir, { recursive: true, force: true });
  fs.rmSync(rendererDir, { recursive: true, force: true });
});

describe('the sign-in token and the session', () => {
  it('serves the page (no secret in it) but refuses the API and events without a session', async () => {
    const page = await rawRequest(host.port, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['set-cookie']).toBeUndefined();
    const api = await rawRequest(host.port, { method: 'POST', path: '/api/app/info', headers: { origin: `http://127.0.0.1:${host.port}`, 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(401);
    expect((await rawRequest(host.port, { path: '/api/events' })).status).toBe(401);
    expect((await callChannel(host.port, 'x'.repeat(session.length), 'app/info', {})).status).toBe(401);
    expect((await callChannel(host.port, session, 'app/info', {})).status).toBe(200);
  });

  it('works once: a second exchange of the same token is refused, saying so', async () => {
    const token = new URL(host.signInUrl()).searchParams.get('token')!;
    const s2 = await signIn(host.port, token);
    expect((await callChannel(host.port, s2, 'app/info', {})).status).toBe(200);
    await expect(signIn(host.port, token)).rejects.toThrow(/401.*already used/);
    await expect(signIn(host.port, host.token)).rejects.toThrow(/401.*already used/);
    await expect(signIn(host.port, 'nope')).rejects.toThrow(/401.*wrong sign-in token/);
  });

  it('is exchanged only by a same-origin JSON POST', async () => {
    const token = new URL(host.signInUrl()).searchParams.get('token')!;
    const body = JSON.stringify({ token });
    const foreign = await rawRequest(host.port, { method: 'POST', path: '/api/session', headers: { origin: 'http://127.0.0.1:1', 'content-type': 'application/json' }, body });
    expect(foreign.status).toBe(403);
    const get = await rawRequest(host.port, { path: `/api/session?token=${token}` });
    expect(get.status).toBe(405);
    const form = await rawRequest(host.port, { method: 'POST', path: '/api/session', headers: { origin: `http://127.0.0.1:${host.port}`, 'content-type': 'text/plain' }, body });
    expect(form.status).toBe(415);
    expect(await signIn(host.port, token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('Origin and Host', () => {
  it.each([
    ['a foreign origin', 'http://evil.example'],
    ['the same host on another port', 'http://127.0.0.1:1'],
    ['a null origin', 'null'],
    ['https on our port', 'https://127.0.0.1:PORT'],
  ])('refuses %s', async (_label, origin) => {
    const res = await callChannel(host.port, session, 'app/info', {}, { origin: origin.replace('PORT', String(host.port)) });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a POST with no Origin at all', async () => {
    const res = await rawRequest(host.port, { method: 'POST', path: '/api/app/info', headers: { 'x-tenancy-session': session, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(403);
  });

  it.each(['evil.example', `evil.example:PORT`, '127.0.0.1', 'localhost.evil.example:PORT'])('refuses Host %s (DNS rebinding)', async (h) => {
    const res = await rawRequest(host.port, { path: '/', headers: { host: h.replace('PORT', String(host.port)) } });
    expect(res.status).toBe(421);
  });

  it('answers CORS preflights with no CORS headers', async () => {
    const res = await rawRequest(host.port, { method: 'OPTIONS', path: '/api/app/info', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(403);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('refuses a malformed request target with 400 before anything else', async () => {
    for (const target of ['*', 'http://evil.example/', '//evil.example/x']) {
      const res = await rawRequest(host.port, { path: target, headers: { host: 'evil.example' } });
      expect(res.status, target).toBe(400);
    }
  });

  it('accepts exactly application/json', async () => {
    const res = await callChannel(host.port, session, 'app/info', {}, { 'content-type': 'application/jsonfoo' });
    expect(res.status).toBe(415);
    expect((await callChannel(host.port, session, 'app/info', {}, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('does not follow a symlink out of the renderer folder', async () => {
    fs.symlinkSync(path.join(configDir, 'outside.txt'), path.join(rendererDir, 'link.txt'));
    fs.symlinkSync(configDir, path.join(rendererDir, 'linked-dir'));
    for (const p of ['/link.txt', '/linked-dir/outside.txt']) {
      const res = await rawRequest(host.port, { path: p });
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('outside the renderer');
    }
    expect((await rawRequest(host.port, { path: '/index.html' })).status).toBe(200);
  });

  it('serves the renderer only from inside its folder', async () => {
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/..%5coutside.txt']) {
      const res = await rawRequest(host.port, { path: p });
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('outside the renderer');
    }
  });
});

describe('invalid payloads', () => {
  it.each([
    ['profiles/save', { profile: { name: '' } }, 'profiles/save: profile.name'],
    ['profiles/save', { profile: { name: 'x; DROP', host: 'h', port: 99999, database: 'd', user: 'u' } }, 'profiles/save: profile'],
    ['connection/open', { profile: 'p', extra: 'field' }, 'connection/open'],
    ['checks/run', { connectionId: 'c', runId: '../x', mode: 'exact' }, 'checks/run: runId'],
    ['checks/run', { connectionId: 'c', runId: 'r', mode: 'everything' }, 'checks/run: mode'],
    ['distribution/get', [], 'distribution/get: payload'],
  ])('%s with a bad payload is rejected before any handler runs', async (channel, payload, message) => {
    calls.length = 0;
    const res = await callChannel(host.port, session, channel, payload);
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as { ok: boolean; error: { message: string; code: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('invalid-request');
    expect(body.error.message).toContain(message);
    expect(calls).toEqual([]);
  });

  it('refuses unknown channels, non-JSON bodies and form posts without running anything', async () => {
    calls.length = 0;
    expect((await callChannel(host.port, session, 'app/__proto__', {})).status).toBe(404);
    expect((await callChannel(host.port, session, 'constructor/name', {})).status).toBe(404);
    const notJson = await rawRequest(host.port, { method: 'POST', path: '/api/app/info', headers: { 'x-tenancy-session': session, origin: `http://127.0.0.1:${host.port}`, 'content-type': 'application/json' }, body: '{nope' });
    expect(notJson.status).toBe(400);
    const form = await rawRequest(host.port, { method: 'POST', path: '/api/profiles/remove', headers: { 'x-tenancy-session': session, origin: `http://127.0.0.1:${host.port}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=x' });
    expect(form.status).toBe(415);
    expect(calls).toEqual([]);
  });
});

describe('passwords', () => {
  it('are never sent back: save, list, test, connect, and the profile file', async () => {
    const parsed = JSON.parse((await callChannel(host.port, session, 'profiles/parseUrl', { url: fixture.url })).body) as { value: Record<string, unknown> };
    expect(parsed.value.hasPassword).toBe(true);
    const profile = { name: 'secret-test', host: parsed.value.host, port: parsed.value.port, database: parsed.value.database, user: parsed.value.user, sslmode: 'disable' };
    const bodies: string[] = [JSON.stringify(parsed)];
    const save = await callChannel(host.port, session, 'profiles/save', { profile, password: { value: fixture.password, remember: true } });
    bodies.push(save.body);
    expect(JSON.parse(save.body).value.profile.hasSavedPassword).toBe(true);
    bodies.push((await callChannel(host.port, session, 'profiles/list', {})).body);
    const test = await callChannel(host.port, session, 'profiles/test', { profile });
    bodies.push(test.body);
    expect(JSON.parse(test.body).ok).toBe(true);
    const open = await callChannel(host.port, session, 'connection/open', { profile: 'secret-test' });
    bodies.push(open.body);
    const conn = JSON.parse(open.body) as { ok: boolean; value: { id: string } };
    expect(conn.ok).toBe(true);
    bodies.push((await callChannel(host.port, session, 'connection/list', {})).body);
    bodies.push((await callChannel(host.port, session, 'app/info', {})).body);
    for (const b of bodies) {
      expect(b).not.toContain(fixture.password);
      expect(b).not.toContain(encodeURIComponent(fixture.password));
    }
    expect(fs.readFileSync(path.join(configDir, 'profiles.json'), 'utf8')).not.toContain(fixture.password);
    await callChannel(host.port, session, 'connection/close', { id: conn.value.id });
  });

  it('a wrong password is a one-line error, not a crash', async () => {
    const parsed = JSON.parse((await callChannel(host.port, session, 'profiles/parseUrl', { url: fixture.url })).body) as { value: Record<string, unknown> };
    const res = await callChannel(host.port, session, 'profiles/test', {
      profile: { name: 'wrong', host: parsed.value.host, port: parsed.value.port, database: parsed.value.database, user: parsed.value.user, sslmode: 'disable' },
      password: 'not-the-password',
    });
    const body = JSON.parse(res.body) as { ok: boolean; error: { message: string; code: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('auth');
    expect(body.error.message).not.toContain('\n');
  });
});

/** The page's storage as the test sees it (this file is compiled without DOM types). */
interface PageStorage {
  sessionStorage: { getItem(key: string): string | null };
}

describe('in Chromium: the credential stays with the page', () => {
  let browser: Browser;
  let real: BrowserHost;
  let other: http.Server;
  let otherPort: number;
  const seen: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    const dir = await ensureRendererBuilt();
    browser = await launchChromium();
    real = await startBrowserHost({ configDir, rendererDir: dir });
    other = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>another local listener</title><img src="/pixel.png">');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherPort = (other.address() as AddressInfo).port;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await real?.close();
    await new Promise<void>((resolve) => (other ? other.close(() => resolve()) : resolve()));
  });

  it('signs in, then another local listener receives no credential', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(real.url);
    await page.locator('[data-app-state="loaded"]').waitFor();
    expect(new URL(page.url()).search).toBe('');
    const held = await page.evaluate(() => (globalThis as unknown as PageStorage).sessionStorage.getItem('tenancy-session'));
    expect(held).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await context.cookies()).toEqual([]);
    for (const h of ['127.0.0.1', 'localhost']) {
      await page.goto(`http://${h}:${otherPort}/`);
      await page.waitForLoadState('load');
    }
    expect(seen.length).toBeGreaterThanOrEqual(2);
    const everything = JSON.stringify(seen);
    expect(everything).not.toContain(held!);
    expect(everything).not.toContain(real.token);
    expect(seen.every((h) => h.cookie === undefined && h['x-tenancy-session'] === undefined)).toBe(true);
    // back on the console in the same tab: the session held by the page still works
    await page.goto(`http://127.0.0.1:${real.port}/`);
    await page.locator('[data-app-state="loaded"]').waitFor();
    await context.close();
  });

  it('the sign-in URL works once: a second browser opening it is not signed in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(real.url);
    await page.locator('[data-app-state="error"]').waitFor();
    expect(await page.locator('.app').textContent()).toContain('already used');
    expect(await page.evaluate(() => (globalThis as unknown as PageStorage).sessionStorage.getItem('tenancy-session'))).toBeNull();
    await context.close();
  });
});
