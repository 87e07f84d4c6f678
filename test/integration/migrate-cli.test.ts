import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LintReportSchema, MigrationStatusSchema, PreflightSchema } from '../../shared/migrations.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { writeFolder, type FixtureFolder } from '../support/migration-folders.js';

let db: TestDatabase;
let configDir: string;
let folder: FixtureFolder;
const env = () => ({ TENANCY_CONFIG_DIR: configDir });

beforeAll(async () => {
  db = await createTestDatabase('CREATE TABLE items (id int PRIMARY KEY, sku text);');
  configDir = tempConfigDir();
  folder = writeFolder('supabase', [
    { name: 'orgs', sql: 'CREATE TABLE organizations (id int PRIMARY KEY);\n' },
    { name: 'scope', sql: "SET lock_timeout = '2s';\nALTER TABLE items ADD COLUMN org_id int;\nCREATE INDEX items_org ON items (org_id);\n" },
  ]);
});
afterAll(async () => {
  await db?.drop();
  cleanCli();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('tenancy migrate', () => {
  it('lint names file, line, rule and the safe rewrite, and exits 1 on errors', async () => {
    const r = await runTenancy(['migrate', 'lint', '--dir', folder.dir, '--format', 'json'], env());
    expect(r.code).toBe(1);
    const { findings } = LintReportSchema.parse(JSON.parse(r.stdout));
    expect(findings).toContainEqual(expect.objectContaining({ file: '20250904000002_scope.sql', line: 3, rule: 'index-not-concurrent', severity: 'error' }));
    const human = await runTenancy(['migrate', 'lint', '--dir', folder.dir], env());
    expect(human.stdout).toContain('20250904000002_scope.sql:3  error  index-not-concurrent');
    expect(human.stdout).toContain('CREATE INDEX CONCURRENTLY items_org ON items (org_id);');
  });

  it('lint --url reads the target: its version, the locked table\'s size; --rule filters; SARIF locates findings', async () => {
    const r = await runTenancy(['migrate', 'lint', '--dir', folder.dir, '--url', db.url, '--rule', 'index-not-concurrent', '--format', 'json'], env());
    const report = LintReportSchema.parse(JSON.parse(r.stdout));
    expect(report.serverVersionNum).toBe(Number((await db.exec('SHOW server_version_num')).rows[0].server_version_num));
    expect(report.summary).toEqual([{ rule: 'index-not-concurrent', severity: 'error', count: 1 }]);
    expect(report.findings[0]).toMatchObject({ lock: 'SHARE on public.items', target: { table: 'public.items' } });
    const human = await runTenancy(['migrate', 'lint', '--dir', folder.dir, '--severity', 'error'], env());
    expect(human.stdout).toMatch(/^supabase migrations in .*\n2 migration\(s\) read; PostgreSQL 18 assumed/);
    expect(human.stdout).toContain('per rule:');
    const sarif = await runTenancy(['migrate', 'lint', '--dir', folder.dir, '--format', 'sarif'], env());
    const run = JSON.parse(sarif.stdout).runs[0];
    expect(run.results).toContainEqual(expect.objectContaining({ ruleId: 'index-not-concurrent', level: 'error', locations: [expect.objectContaining({ physicalLocation: expect.objectContaining({ region: { startLine: 3, endLine: 3 } }) })] }));
    const bad = await runTenancy(['migrate', 'lint', '--dir', folder.dir, '--rule', 'no-such-rule'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--rule no-such-rule: unknown rule');
  });

  it('apply refuses without --write, and lint errors block it unless acknowledged', async () => {
    const noWrite = await runTenancy(['migrate', 'apply', '--dir', folder.dir, '--url', db.url], env());
    expect(noWrite.code).toBe(2);
    expect(noWrite.stderr).toMatch(/^tenancy: apply writes to the database: pass --write/m);
    const blocked = await runTenancy(['migrate', 'apply', '--dir', folder.dir, '--url', db.url, '--write'], env());
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/lint errors block apply \(1\): 20250904000002_scope\.sql:3 index-not-concurrent; .*--ack index-not-concurrent/);
    expect((await db.exec("SELECT to_regclass('organizations') AS t")).rows[0].t).toBeNull();
  });

  it('apply says how each migration will run, applies, and status then shows everything applied', async () => {
    const r = await runTenancy(['migrate', 'apply', '--dir', folder.dir, '--url', db.url, '--write', '--ack', 'index-not-concurrent'], env());
    expect(r.stderr).toContain('2 pending in');
    expect(r.stderr).toContain('20250904000001: in one transaction with its ledger row');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('applied 2 migration(s): 20250904000001, 20250904000002');
    const s = await runTenancy(['migrate', 'status', '--dir', folder.dir, '--url', db.url, '--format', 'json'], env());
    expect(s.code).toBe(0);
    const status = MigrationStatusSchema.parse(JSON.parse(s.stdout));
    expect(status.migrations.map((m) => m.state)).toEqual(['applied', 'applied']);
  });

  it('preflight reports the database, the folder and a clean ledger', async () => {
    const r = await runTenancy(['migrate', 'preflight', '--dir', folder.dir, '--url', db.url, '--format', 'json'], env());
    const report = PreflightSchema.parse(JSON.parse(r.stdout));
    expect(report).toMatchObject({ kind: 'supabase', pending: 0, applied: 2, canWrite: true });
    expect(report.database.database).toBe(db.name);
    expect(r.code).toBe(0);
  });

  it('apply prints the blocker while it waits for a lock and exits 1 when retries run out', async () => {
    folder.add({ name: 'sku_unique', sql: "SET lock_timeout = '1s';\nALTER TABLE items ADD CONSTRAINT items_sku UNIQUE (org_id, sku);\n" });
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      const pid = (await blocker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      await blocker.query('BEGIN');
      await blocker.query('SELECT * FROM items');
      const r = await runTenancy(['migrate', 'apply', '--dir', folder.dir, '--url', db.url, '--write', '--ack', 'constraint-builds-index', '--lock-timeout-ms', '1000', '--retries', '1'], env());
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`WAITING for AccessExclusiveLock on items, blocked by pid ${pid} \\(postgres, idle in transaction`));
      expect(r.stderr).toContain('retrying in 500 ms');
      expect(r.stdout).toMatch(/FAILED 20250904000003 at line 2 \(statement 2\): \[55P03\]/);
      expect(r.stdout).toContain(`blocker: pid ${pid}`);
      expect(r.stdout).toContain('nothing of it was kept');
    } finally {
      await blocker.end();
    }
  });
});
