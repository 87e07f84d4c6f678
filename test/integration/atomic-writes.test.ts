import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let work: string;
let configDir: string;
beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE organizations (id int PRIMARY KEY);
    INSERT INTO organizations VALUES (1), (2);
    CREATE TABLE invoices (id int PRIMARY KEY, organization_id int NOT NULL REFERENCES organizations, amount int);
    CREATE INDEX ON invoices (organization_id);
    INSERT INTO invoices SELECT g, 1 + g % 2, g FROM generate_series(1, 50) g;`);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-atomic-'));
  configDir = tempConfigDir();
});
afterAll(async () => {
  cleanCli();
  await db?.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** Run the CLI with the file-size limit (RLIMIT_FSIZE) at `kib` KiB: a write past it fails with EFBIG, like a full disk. */
async function tenancyWithFileLimit(kib: number, args: string[]) {
  const cli = await buildCli();
  const quoted = [process.execPath, cli, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return spawnSync('bash', ['-c', `ulimit -f ${kib} && exec ${quoted}`], {
    env: { ...process.env, TENANCY_CONFIG_DIR: configDir, CI: 'true' }, encoding: 'utf8',
  });
}
const leftovers = () => fs.readdirSync(work).filter((n) => n.endsWith('.tmp'));

describe('a write that fails part-way never damages the file it replaces', () => {
  it('report export --out and report render --out over existing reports, with writes failing past a size limit', async () => {
    const json = path.join(work, 'signed.json');
    const html = path.join(work, 'signed.html');
    const env = { TENANCY_CONFIG_DIR: configDir };
    expect((await runTenancy(['report', 'export', '--url', db.url, '--out', json], env)).code).toBeLessThan(2);
    expect((await runTenancy(['report', 'render', json, '--out', html], env)).code).toBe(0);
    const jsonBefore = fs.readFileSync(json);
    const htmlBefore = fs.readFileSync(html);
    expect(fs.statSync(json).mode & 0o777).toBe(0o600);

    const render = await tenancyWithFileLimit(Math.max(1, Math.floor(htmlBefore.length / 2048)), ['report', 'render', json, '--out', html]);
    expect(render.status).toBe(2);
    expect(render.stderr).toMatch(/EFBIG/);
    expect(fs.readFileSync(html).equals(htmlBefore)).toBe(true);

    const exp = await tenancyWithFileLimit(Math.max(1, Math.floor(jsonBefore.length / 2048)), ['report', 'export', '--url', db.url, '--out', json]);
    expect(exp.status).toBe(2);
    expect(exp.stderr).toMatch(/EFBIG/);
    expect(fs.readFileSync(json).equals(jsonBefore)).toBe(true);
    expect(leftovers()).toEqual([]);

    // And with room to write, the same command replaces the file whole.
    expect((await runTenancy(['report', 'export', '--url', db.url, '--out', json], env)).code).toBeLessThan(2);
    expect(JSON.parse(fs.readFileSync(json, 'utf8')).summary).toBeDefined();
  });
});
