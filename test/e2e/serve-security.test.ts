/**
 * Browser mode's guard, over real HTTP: no token, a foreign Origin or a foreign Host is refused;
 * invalid payloads are rejected before any handler runs; no response ever carries a password.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLERS } from '../../main/handlers/index.js';
import type { Handlers } from '../../main/handlers/types.js';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
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
let cookie: string;
const calls: string[] = [];

beforeAll(async () => {
  fixture = await createConsoleFixture();
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-sec-'));
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(configDir, 'outside.txt'), 'outside the renderer');
  host = await startBrowserHost({ configDir, rendererDir, handlers: recording(calls) });
  cookie = await signIn(host.port, host.token);
});

afterAll(async () => {
  await host?.close();
  await fixture?.drop();
  fs.rmSync(configDir, { recursive: true, force: true });
  fs.rmSync(rendererDir, { recursive: true, force: true });
});

describe('the token', () => {
  it('refuses the page and the API without it', async () => {
    expect((await rawRequest(host.port, { path: '/' })).status).toBe(401);
    const api = await rawRequest(host.port, { method: 'POST', path: '/api/app/info', headers: { origin: `http://127.0.0.1:${host.port}`, 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(401);
    expect((await rawRequest(host.port, { path: '/api/events' })).status).toBe(401);
  });

  it('refuses a wrong token and a wrong cookie', async () => {
    expect((await rawRequest(host.port, { path: '/?token=nope' })).status).toBe(401);
    const forged = `${cookie.split('=')[0]}=${'x'.repeat(host.token.length)}`;
    expect((await callChannel(host.port, forged, 'app/info', {})).status).toBe(401);
  });

  it('swaps the URL token for an HttpOnly SameSite=Strict cookie scoped by port', async () => {
    const res = await rawRequest(host.port, { path: `/?token=${host.token}` });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const set = res.headers['set-cookie']![0]!;
    expect(set).toContain(`tenancy_token_${host.port}=`);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    const page = await rawRequest(host.port, { path: '/', headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });
});

describe('Origin and Host', () => {
  it.each([
    ['a foreign origin', 'http://evil.example'],
    ['the same host on another port', 'http://127.0.0.1:1'],
    ['a null origin', 'null'],
    ['https on our port', 'https://127.0.0.1:PORT'],
  ])('refuses %s', async (_label, origin) => {
    const res = await callChannel(host.port, cookie, 'app/info', {}, { origin: origin.replace('PORT', String(host.port)) });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a POST with no Origin at all', async () => {
    const res = await rawRequest(host.port, { method: 'POST', path: '/api/app/info', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(403);
  });

  it.each(['evil.example', `evil.example:PORT`, '127.0.0.1', 'localhost.evil.example:PORT'])('refuses Host %s (DNS rebinding)', async (h) => {
    const res = await rawRequest(host.port, { path: '/', headers: { host: h.replace('PORT', String(host.port)), cookie } });
    expect(res.status).toBe(421);
  });

  it('answers CORS preflights with no CORS headers', async () => {
    const res = await rawRequest(host.port, { method: 'OPTIONS', path: '/api/app/info', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(403);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('serves the renderer only from inside its folder', async () => {
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/..%5coutside.txt']) {
      const res = await rawRequest(host.port, { path: p, headers: { cookie } });
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
    const res = await callChannel(host.port, cookie, channel, payload);
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as { ok: boolean; error: { message: string; code: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('invalid-request');
    expect(body.error.message).toContain(message);
    expect(calls).toEqual([]);
  });

  it('refuses unknown channels, non-JSON bodies and form posts without running anything', async () => {
    calls.length = 0;
    expect((await callChannel(host.port, cookie, 'app/__proto__', {})).status).toBe(404);
    expect((await callChannel(host.port, cookie, 'constructor/name', {})).status).toBe(404);
    const notJson = await rawRequest(host.port, { method: 'POST', path: '/api/app/info', headers: { cookie, origin: `http://127.0.0.1:${host.port}`, 'content-type': 'application/json' }, body: '{nope' });
    expect(notJson.status).toBe(400);
    const form = await rawRequest(host.port, { method: 'POST', path: '/api/profiles/remove', headers: { cookie, origin: `http://127.0.0.1:${host.port}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=x' });
    expect(form.status).toBe(415);
    expect(calls).toEqual([]);
  });
});

describe('passwords', () => {
  it('are never sent back: save, list, test, connect, and the profile file', async () => {
    const parsed = JSON.parse((await callChannel(host.port, cookie, 'profiles/parseUrl', { url: fixture.url })).body) as { value: Record<string, unknown> };
    expect(parsed.value.hasPassword).toBe(true);
    const profile = { name: 'secret-test', host: parsed.value.host, port: parsed.value.port, database: parsed.value.database, user: parsed.value.user, sslmode: 'disable' };
    const bodies: string[] = [JSON.stringify(parsed)];
    const save = await callChannel(host.port, cookie, 'profiles/save', { profile, password: { value: fixture.password, remember: true } });
    bodies.push(save.body);
    expect(JSON.parse(save.body).value.profile.hasSavedPassword).toBe(true);
    bodies.push((await callChannel(host.port, cookie, 'profiles/list', {})).body);
    const test = await callChannel(host.port, cookie, 'profiles/test', { profile });
    bodies.push(test.body);
    expect(JSON.parse(test.body).ok).toBe(true);
    const open = await callChannel(host.port, cookie, 'connection/open', { profile: 'secret-test' });
    bodies.push(open.body);
    const conn = JSON.parse(open.body) as { ok: boolean; value: { id: string } };
    expect(conn.ok).toBe(true);
    bodies.push((await callChannel(host.port, cookie, 'connection/list', {})).body);
    bodies.push((await callChannel(host.port, cookie, 'app/info', {})).body);
    for (const b of bodies) {
      expect(b).not.toContain(fixture.password);
      expect(b).not.toContain(encodeURIComponent(fixture.password));
    }
    expect(fs.readFileSync(path.join(configDir, 'profiles.json'), 'utf8')).not.toContain(fixture.password);
    await callChannel(host.port, cookie, 'connection/close', { id: conn.value.id });
  });

  it('a wrong password is a one-line error, not a crash', async () => {
    const parsed = JSON.parse((await callChannel(host.port, cookie, 'profiles/parseUrl', { url: fixture.url })).body) as { value: Record<string, unknown> };
    const res = await callChannel(host.port, cookie, 'profiles/test', {
      profile: { name: 'wrong', host: parsed.value.host, port: parsed.value.port, database: parsed.value.database, user: parsed.value.user, sslmode: 'disable' },
      password: 'not-the-password',
    });
    const body = JSON.parse(res.body) as { ok: boolean; error: { message: string; code: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('auth');
    expect(body.error.message).not.toContain('\n');
  });
});
