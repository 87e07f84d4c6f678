/**
 * `tenancy serve --url URL | --profile NAME` opens the console on that connection: the page finds
 * it open in the host (connection/list) and adopts it, read-only. The twin without a usable target
 * exits 2 with one line and never listens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callChannel, signIn } from '../e2e/support/http.js';
import { cleanCli, runTenancy, spawnTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('CREATE TABLE organizations (id int PRIMARY KEY);');
});
afterAll(async () => {
  await db?.drop();
  cleanCli();
});

/** Start serve with `args`, wait for its sign-in URL, list the host's connections over HTTP, stop it. */
async function servedConnections(args: string[], env: NodeJS.ProcessEnv) {
  const child = await spawnTenancy(['serve', '--port', '0', ...args], env);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<URL>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/\S+)$/m.exec(stdout);
      if (m) resolve(new URL(m[1]!));
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}) before its URL:\n${stderr}`)));
  });
  const port = Number(url.port);
  const session = await signIn(port, url.searchParams.get('token')!);
  const res = await callChannel(port, session, 'connection/list', {});
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  return { stdout, body: JSON.parse(res.body) as { ok: boolean; value: { connections: { profile: { name: string; database: string; ephemeral: boolean }; writable: boolean }[] } } };
}

describe('tenancy serve on a connection', () => {
  it('--url: the console opens connected to that database, read-only, as a profile for this run only', async () => {
    const { stdout, body } = await servedConnections(['--url', db.url], { TENANCY_CONFIG_DIR: tempConfigDir() });
    expect(stdout).toMatch(/^connected to .*\/t_\w+ \(development, read-only until you switch on write mode\)$/m);
    expect(body.ok).toBe(true);
    expect(body.value.connections).toHaveLength(1);
    expect(body.value.connections[0]).toMatchObject({ profile: { database: db.name, ephemeral: true }, writable: false });
  });

  it('--profile: the same with a saved profile', async () => {
    const env = { TENANCY_CONFIG_DIR: tempConfigDir(), PGPASSWORD: decodeURIComponent(new URL(db.url).password) };
    expect((await runTenancy(['profile', 'add', 'local', '--url', db.url], env)).code).toBe(0);
    const { body } = await servedConnections(['--profile', 'local'], env);
    expect(body.value.connections.map((c) => [c.profile.name, c.profile.database, c.profile.ephemeral])).toEqual([['local', db.name, false]]);
  });

  it('without one: an unknown profile is exit 2 in one line, and nothing listens', async () => {
    const r = await runTenancy(['serve', '--profile', 'nope'], { TENANCY_CONFIG_DIR: tempConfigDir() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^tenancy: unknown profile "nope"/)]);
    expect(r.stdout).not.toContain('listening');
  });

  it('a server that refuses: exit 2 in one line, no sign-in URL printed, browser mode stopped', async () => {
    const r = await runTenancy(['serve', '--url', 'postgres://app@127.0.0.1:1/shop'], { TENANCY_CONFIG_DIR: tempConfigDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tenancy: cannot connect to app@127\.0\.0\.1:1\/shop: connection refused/);
    expect(r.stdout).not.toContain('token=');
  });

  it('--url with --demo is refused naming both', async () => {
    const r = await runTenancy(['serve', '--url', db.url, '--demo'], { TENANCY_CONFIG_DIR: tempConfigDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tenancy: give --profile/--url or --demo, not both\n');
  });
});
