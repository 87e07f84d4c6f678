import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckRunSchema, DistributionSchema } from '../../shared/findings.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { cleanSql, defectsSql } from './fixtures/tenancy.js';

const role = `app_${crypto.randomBytes(4).toString('hex')}`;
let defects: TestDatabase;
let clean: TestDatabase;
let configDir: string;

beforeAll(async () => {
  defects = await createTestDatabase(defectsSql(role));
  clean = await createTestDatabase(cleanSql(`${role}_c`));
  configDir = tempConfigDir();
});
afterAll(async () => {
  await defects?.drop();
  await clean?.drop();
  await defects?.exec(`DROP ROLE IF EXISTS ${role}; DROP ROLE IF EXISTS ${role}_c`).catch(() => undefined);
  cleanCli();
  fs.rmSync(configDir, { recursive: true, force: true });
});

const env = () => ({ TENANCY_CONFIG_DIR: configDir });

describe('tenancy check', () => {
  it('exits 1 with error findings and prints one JSON object with database, model and findings', async () => {
    const r = await runTenancy(['check', '--url', defects.url, '--global-tables', 'public.countries', '--format', 'json'], env());
    expect(r.code).toBe(1);
    const run = CheckRunSchema.parse(JSON.parse(r.stdout));
    expect(run.database.database).toBe(defects.name);
    expect(run.model.tenantTable).toBe('public.organizations');
    expect(run.model.detection.tenantColumn).toBe('detected');
    const f = run.findings.find((x) => x.check === 'unscoped-unique' && x.constraint === 'users_email_key')!;
    expect(f).toMatchObject({ schema: 'public', table: 'users', severity: 'error' });
    expect(f.remedy).toContain('CREATE UNIQUE INDEX CONCURRENTLY');
    expect(r.stderr).toContain('scanning public.tasks');
  });

  it('exits 0 on the clean twin and says every check passed', async () => {
    const r = await runTenancy(['check', '--url', clean.url, '--global-tables', 'public.countries', '--rls-role', `${role}_c`, '--rls-setting', 'app.tenant_id'], env());
    expect(r.stderr).not.toMatch(/^tenancy:/m);
    expect(r.stdout).toContain('No findings');
    expect(r.code).toBe(0);
  });

  it.each([
    ['a URL that is not one', ['--url', 'mysql://x'], /^tenancy: not a PostgreSQL URL/],
    ['a refused connection', ['--url', 'postgres://u@127.0.0.1:1/db'], /^tenancy: cannot connect to u@127\.0\.0\.1:1\/db: connection refused/],
    ['an unknown profile', ['--profile', 'nope'], /^tenancy: unknown profile "nope"/],
    ['an unknown option', ['--nope'], /unknown option/],
    ['a tenant table that does not exist', ['--tenant-table', 'public.missing'], /^tenancy: tenant table public\.missing not found/],
  ])('exits 2 with one line for %s', async (_what, args, pattern) => {
    const full = args.includes('--url') || args.includes('--profile') ? args : ['--url', defects.url, ...args];
    const r = await runTenancy(['check', ...full], env());
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(pattern);
    expect(r.stdout).toBe('');
  });

  it('exits 2 with one line for a wrong password', async () => {
    const r = await runTenancy(['check', '--url', defects.url.replace(/:[^:@/]+@/, ':wrong@')], env());
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^tenancy: password authentication failed for postgres@127\.0\.0\.1:\d+\/t_\w+; set PGPASSWORD/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('tenancy profile', () => {
  it('adds, lists, shows, tests and removes a profile, never writing the password', async () => {
    const password = new URL(defects.url).password;
    const add = await runTenancy(['profile', 'add', 'staging db', '--url', defects.url, '--env', 'staging', '--global-tables', 'public.countries'], env());
    expect(add.code).toBe(0);
    expect(add.stderr).toContain('password in the URL was not stored');
    const stored = fs.readFileSync(path.join(configDir, 'profiles.json'), 'utf8');
    expect(stored).not.toContain(password);
    expect(JSON.parse(stored).profiles[0]).toMatchObject({ name: 'staging db', environment: 'staging', database: defects.name });

    expect((await runTenancy(['profile', 'list'], env())).stdout).toMatch(/staging db\s+staging\s+postgres@127\.0\.0\.1:\d+\//);
    expect((await runTenancy(['profile', 'show', 'staging db'], env())).stdout).toContain('public.countries');

    const noPassword = await runTenancy(['profile', 'test', 'staging db'], env());
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/^tenancy: no password for postgres@127\.0\.0\.1:\d+\/t_\w+; set PGPASSWORD/);

    const withEnv = await runTenancy(['profile', 'test', 'staging db'], { ...env(), PGPASSWORD: password });
    expect(withEnv.code).toBe(0);
    expect(withEnv.stdout).toMatch(/system id\s+\d+/);

    const pgpass = path.join(configDir, 'pgpass');
    const u = new URL(defects.url);
    fs.writeFileSync(pgpass, `${u.hostname}:${u.port}:*:postgres:${password}\n`, { mode: 0o600 });
    const viaPgpass = await runTenancy(['check', '--profile', 'staging db', '--estimate', '--format', 'json'], { ...env(), PGPASSFILE: pgpass });
    expect(viaPgpass.stderr).toBe('');
    expect(viaPgpass.code).toBe(1);
    expect(JSON.parse(viaPgpass.stdout).model.globalTables).toEqual(['public.countries']);

    expect((await runTenancy(['profile', 'remove', 'staging db'], env())).code).toBe(0);
    expect((await runTenancy(['profile', 'show', 'staging db'], env())).code).toBe(2);
  });
});

describe('tenancy distribution', () => {
  it('prints rows per tenant with names, and the no-tenant and missing-tenant buckets', async () => {
    const r = await runTenancy(['distribution', '--url', defects.url, '--format', 'json'], env());
    expect(r.code).toBe(0);
    const d = DistributionSchema.parse(JSON.parse(r.stdout));
    expect(d.rows).toContainEqual({ schema: 'public', table: 'invoices', tenant: '99', tenantName: null, bucket: 'missing-tenant', rows: 7 });
    expect(d.noTenant).toContainEqual({ schema: 'public', table: 'tasks', rows: 10 });
    const acmeTasks = d.rows.find((x) => x.table === 'tasks' && x.tenant === '1')!;
    expect(acmeTasks.tenantName).toBe('Acme');
    const total = d.rows.filter((x) => x.table === 'tasks').reduce((a, x) => a + x.rows, 0);
    expect(total).toBe(100);
  });

  it("shows one tenant's footprint", async () => {
    const r = await runTenancy(['distribution', '--url', defects.url, '--tenant', '2'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Tenant 2 \(Globex\): \d+ rows in \d+ tables/);
    expect(r.stdout).toMatch(/public\.comments\s+101\n/);
  });
});

describe('the tenancy command', () => {
  it('answers --version from the installed bin', () => {
    const out = execFileSync(process.execPath, [path.resolve('bin/tenancy.mjs'), '--version']).toString().trim();
    expect(out).toBe(JSON.parse(fs.readFileSync('package.json', 'utf8')).version);
  });
});
