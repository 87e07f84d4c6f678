/**
 * A held password goes only to the target it was given for, and never in clear over plain TCP
 * without the profile's consent. A fake PostgreSQL server that asks for the password in clear
 * text must receive nothing; each refusal has a twin that shows the same path does connect (to
 * the real server) or does reach the fake (when the profile consents).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../main/engine/host/secret-store.js';
import { createHostContext, type HostContext } from '../../main/handlers/context.js';
import { dispatch } from '../../main/handlers/dispatch.js';
import { HANDLERS } from '../../main/handlers/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startFakePostgres, type FakePostgres } from '../support/fake-postgres.js';

let db: TestDatabase;
let ctx: HostContext;
let configDir: string;
let fake: FakePostgres;
let real: { host: string; port: number; database: string; user: string };
let password: string;

type Envelope = { ok: true; value: Record<string, unknown> } | { ok: false; error: { message: string; code: string } };
const call = (channel: string, payload: unknown) => dispatch(HANDLERS, ctx, channel, payload) as Promise<Envelope>;

function errorOf(e: Envelope): { message: string; code: string } {
  if (e.ok) throw new Error(`expected an error, got ${JSON.stringify(e.value)}`);
  return e.error;
}

/** A non-loopback address of this machine, so "local host" consent does not apply. */
function externalAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('this machine has no non-loopback IPv4 address to run the plain-TCP test on');
}

beforeAll(async () => {
  db = await createTestDatabase();
  const u = new URL(db.url);
  real = { host: u.hostname, port: Number(u.port), database: decodeURIComponent(u.pathname.slice(1)), user: decodeURIComponent(u.username) };
  password = decodeURIComponent(u.password);
  expect(password.length).toBeGreaterThan(3);
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(async () => {
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-bind-'));
  ctx = createHostContext({
    mode: 'browser',
    version: 'test',
    configDir,
    secrets: new MemorySecretStore({ persistent: false, backend: 'memory', note: 'test' }),
    emit: () => undefined,
    audit: () => undefined,
  });
  fake = await startFakePostgres();
  const saved = await call('profiles/save', { profile: { name: 'held', ...real, sslmode: 'disable' }, password: { value: password, remember: true } });
  expect(saved.ok).toBe(true);
});

afterEach(async () => {
  await ctx.connections.closeAll();
  await fake.close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

/** The message types in what a fake received after asking for the password ('X' is Terminate). */
function messageTypes(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i + 5 <= bytes.length; i += 1 + bytes.readInt32BE(i + 1)) out.push(String.fromCharCode(bytes[i]!));
  return out;
}

function gotNothing(server: FakePostgres, secret: string): void {
  expect(server.afterAuth().toString('latin1')).not.toContain(secret);
  expect(messageTypes(server.afterAuth())).not.toContain('p'); // no PasswordMessage at all
}

function fakeGotNothing(): void {
  gotNothing(fake, password);
}

describe('a held password is bound to its host, port, database and user', () => {
  it('is used for the target it was given for (the twin)', async () => {
    const r = await call('profiles/test', { profile: { name: 'held', ...real, sslmode: 'disable' } });
    expect(r.ok).toBe(true);
    const open = await call('connection/open', { profile: 'held' });
    expect(open.ok).toBe(true);
  });

  it.each([
    ['port', () => ({ port: fake.port })],
    ['host', () => ({ host: 'localhost', port: fake.port })],
    ['database', () => ({ port: fake.port, database: 'other' })],
    ['user', () => ({ port: fake.port, user: 'someone_else' })],
  ])('profiles/test with another %s is refused before connecting, naming both targets', async (_what, change) => {
    const r = errorOf(await call('profiles/test', { profile: { name: 'held', ...real, sslmode: 'disable', ...change() } }));
    expect(r.code).toBe('auth');
    expect(r.message).toContain('the password held for "held" was given for');
    expect(r.message).toContain('enter the password again');
    expect(fake.startups).toBe(0);
    fakeGotNothing();
  });

  it('profiles/save with a changed port forgets the password; connection/open then sends nothing', async () => {
    const saved = await call('profiles/save', { profile: { name: 'held', ...real, port: fake.port, sslmode: 'disable' } });
    if (!saved.ok) throw new Error(saved.error.message);
    expect(saved.value.note).toContain('forgotten');
    expect((saved.value.profile as { hasSavedPassword: boolean }).hasSavedPassword).toBe(false);
    const open = await call('connection/open', { profile: 'held' });
    expect(open.ok).toBe(false);
    fakeGotNothing();
  });

  it('a rename keeps the password when the target is unchanged, and forgets it when the host changes too', async () => {
    const renamed = await call('profiles/save', { profile: { name: 'renamed', ...real, sslmode: 'disable' }, previousName: 'held' });
    expect(renamed.ok).toBe(true);
    expect((await call('connection/open', { profile: 'renamed' })).ok).toBe(true);
    const moved = await call('profiles/save', { profile: { name: 'moved', ...real, host: '127.0.0.1', port: fake.port, sslmode: 'disable' }, previousName: 'renamed' });
    if (!moved.ok) throw new Error(moved.error.message);
    expect(moved.value.note).toContain('forgotten');
    expect((await call('connection/open', { profile: 'moved' })).ok).toBe(false);
    fakeGotNothing();
  });

  it('a password held from before binding (a bare entry) is bound to the profile as saved', async () => {
    await ctx.secrets.remove('held');
    await ctx.sessionPasswords.set('held', password);
    expect((await call('profiles/test', { profile: { name: 'held', ...real, sslmode: 'disable' } })).ok).toBe(true);
    const r = errorOf(await call('profiles/test', { profile: { name: 'held', ...real, port: fake.port, sslmode: 'disable' } }));
    expect(r.message).toContain('was given for');
    fakeGotNothing();
  });
});

describe('no password in clear over plain TCP without the profile saying so', () => {
  let remote: FakePostgres;
  beforeEach(async () => {
    remote = await startFakePostgres(externalAddress());
  });
  afterEach(async () => {
    await remote.close();
  });

  it.each(['prefer', undefined])('sslmode=%s to a non-local host: refused, saying why, and the server receives nothing', async (sslmode) => {
    const profile = { name: 'remote', host: remote.host, port: remote.port, database: 'app', user: 'app', ...(sslmode ? { sslmode } : {}) };
    const r = errorOf(await call('profiles/test', { profile, password: 'typed-secret-1' }));
    expect(r.code).toBe('auth');
    expect(r.message).toContain('refused to send the password');
    expect(r.message).toContain('in clear text over a connection without TLS');
    expect(r.message).toContain('sslmode=require');
    expect(remote.startups).toBe(1);
    gotNothing(remote, 'typed-secret-1');
  });

  it('sslmode=disable chosen explicitly: the password is sent (the twin: the fake does record it)', async () => {
    const profile = { name: 'remote', host: remote.host, port: remote.port, database: 'app', user: 'app', sslmode: 'disable' };
    const pending = call('profiles/test', { profile, password: 'typed-secret-2' });
    await expect.poll(() => remote.afterAuth().toString('latin1')).toContain('typed-secret-2');
    expect(messageTypes(remote.afterAuth())[0]).toBe('p');
    await remote.close();
    expect((await pending).ok).toBe(false);
  });
});
