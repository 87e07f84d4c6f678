/**
 * The production guard is not a label: writing commands need --write; a session from a bare
 * --url is production (writes need --confirm-db) unless --env or TENANCY_ENV says otherwise; a
 * saved production profile moves to another environment only with its database name typed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../main/engine/host/secret-store.js';
import { createHostContext } from '../../main/handlers/context.js';
import { dispatch } from '../../main/handlers/dispatch.js';
import { HANDLERS } from '../../main/handlers/index.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let configDir: string;

beforeAll(async () => {
  db = await createTestDatabase(`CREATE TABLE orgs (id int PRIMARY KEY); INSERT INTO orgs VALUES (1), (2);`);
  configDir = tempConfigDir();
});

afterAll(async () => {
  await db?.drop();
  cleanCli();
  fs.rmSync(configDir, { recursive: true, force: true });
});

/** Run with no environment given at all (the default under test). */
const bare = (args: string[], extra: NodeJS.ProcessEnv = {}) => runTenancy(args, { TENANCY_CONFIG_DIR: configDir, TENANCY_ENV: '', ...extra });
const backups = async () => (await db.exec(`SELECT count(*)::int AS n FROM tenancy_console.backups`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n as number;

describe('writing commands need --write', () => {
  it.each([
    ['backup create', ['backup', 'create', '--table', 'public.orgs']],
    ['backup drop', ['backup', 'drop', '1']],
  ])('%s without --write is refused before connecting', async (what, args) => {
    const r = await bare([...args, '--url', db.url, '--confirm-db', db.name]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tenancy: ${what} writes to the database: pass --write (and --confirm-db DBNAME on production)\n`);
    expect(await backups()).toBe(0);
  });
});

describe('a bare --url is production', () => {
  it('backup create --write without --confirm-db is refused, naming the database to type', async () => {
    const r = await bare(['backup', 'create', '--table', 'public.orgs', '--write', '--url', db.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`write mode on production needs confirmation: type the database name "${db.name}"`);
    expect(await backups()).toBe(0);
  });

  it('migrate apply --url --write without --confirm is refused too', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-mig-'));
    fs.writeFileSync(path.join(dir, '0001_t.sql'), 'CREATE TABLE guard_t (id int);\n');
    const r = await bare(['migrate', 'apply', '--dir', dir, '--url', db.url, '--write']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('write mode on production needs confirmation');
    expect((await db.exec(`SELECT to_regclass('public.guard_t') AS t`)).rows[0].t).toBeNull();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the twins: --confirm-db, --env development or TENANCY_ENV=staging let the write through', async () => {
    const confirmed = await bare(['backup', 'create', '--table', 'public.orgs', '--write', '--confirm-db', db.name, '--url', db.url, '--format', 'json']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    const dev = await bare(['backup', 'create', '--table', 'public.orgs', '--write', '--env', 'development', '--url', db.url, '--format', 'json']);
    expect(dev.code, dev.stderr).toBe(0);
    const staging = await bare(['backup', 'create', '--table', 'public.orgs', '--write', '--url', db.url, '--format', 'json'], { TENANCY_ENV: 'staging' });
    expect(staging.code, staging.stderr).toBe(0);
    expect(await backups()).toBe(3);
    const id = (JSON.parse(staging.stdout) as { id: number }).id;
    const drop = await bare(['backup', 'drop', String(id), '--write', '--url', db.url]);
    expect(drop.code).toBe(2);
    expect((await bare(['backup', 'drop', String(id), '--write', '--confirm-db', db.name, '--url', db.url])).code).toBe(0);
  });

  it('a bad TENANCY_ENV is one clear line', async () => {
    const bad = await bare(['model', '--url', db.url], { TENANCY_ENV: 'prod' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('tenancy: TENANCY_ENV must be development, staging or production, not "prod"\n');
  });
});

describe('leaving production needs the typed database name', () => {
  it('tenancy profile add over a production profile with another --env', async () => {
    const add = await bare(['profile', 'add', 'prod', '--url', db.url, '--env', 'production']);
    expect(add.code, add.stderr).toBe(0);
    const down = await bare(['profile', 'add', 'prod', '--url', db.url, '--env', 'development']);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`profile "prod" is production; changing it to development switches off the production safeguards: pass --confirm-db "${db.name}"`);
    expect((await bare(['profile', 'show', 'prod'])).stdout).toMatch(/environment\s+production/);
    const ok = await bare(['profile', 'add', 'prod', '--url', db.url, '--env', 'development', '--confirm-db', db.name]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('profiles/save over the API (and a rename that changes it)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-api-'));
    const ctx = createHostContext({
      mode: 'browser', version: 't', configDir: dir, emit: () => undefined, audit: () => undefined,
      secrets: new MemorySecretStore({ persistent: false, backend: 'memory', note: 't' }),
    });
    const p = { name: 'live', host: 'db.example', port: 5432, database: 'appdb', user: 'app', environment: 'production' };
    expect((await dispatch(HANDLERS, ctx, 'profiles/save', { profile: p })).ok).toBe(true);
    for (const req of [{ profile: { ...p, environment: 'development' } }, { profile: { ...p, name: 'renamed', environment: 'staging' }, previousName: 'live' }, { profile: { ...p, environment: 'development' }, confirmDatabase: 'wrong' }]) {
      const r = await dispatch(HANDLERS, ctx, 'profiles/save', req);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toContain('type its database name to confirm "appdb"');
    }
    expect((await ctx.profiles.get('live')).profile.environment).toBe('production');
    const ok = await dispatch(HANDLERS, ctx, 'profiles/save', { profile: { ...p, environment: 'development' }, confirmDatabase: 'appdb' });
    expect(ok.ok).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
