import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS, type CheckId } from '../../shared/checks.js';
import { CLI_OUTPUT } from '../../shared/cli-output.js';
import type { CheckRun } from '../../shared/findings.js';
import type { TenancyModel } from '../../shared/model.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { listDemoMigrations } from '../../main/engine/demo/ledger.js';
import { loadScenario, urlWithDatabase, type DemoDatabase } from '../../main/engine/demo/load.js';
import { DEMO_SCENARIOS, demoScenario, type DemoScenario } from '../../main/engine/demo/scenarios.js';
import { freePort } from '../../main/engine/pg/embedded.js';
import { qualified, quoteIdent } from '../../main/engine/ident.js';
import { loadModel } from '../../main/engine/model/load.js';
import { projectRoot } from '../../main/engine/paths.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { demoProfileName } from '../../main/handlers/demo.js';
import { buildCli, cleanCli } from '../support/cli.js';
import { adminUrl } from '../support/db.js';

const ROWS = 400;
const suffix = crypto.randomBytes(4).toString('hex');
const created: string[] = [];
const loaded = new Map<string, DemoDatabase>();
const sessions: Session[] = [];

/** Load a scenario into a database of this test file's own (names never collide across files). */
async function load(s: DemoScenario, rows: number, tag = ''): Promise<DemoDatabase> {
  const database = `${s.database}${tag}_${suffix}`;
  if (!created.includes(database)) created.push(database);
  return loadScenario(adminUrl(), s, rows, { database });
}

async function open(db: DemoDatabase): Promise<Session> {
  const { profile, urlPassword } = profileFromUrl(db.url);
  const s = await Session.open(profile, { password: urlPassword });
  sessions.push(s);
  return s;
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

const models = new Map<string, TenancyModel>();
const runs = new Map<string, CheckRun>();

beforeAll(async () => {
  for (const s of DEMO_SCENARIOS) loaded.set(s.id, await load(s, ROWS));
  for (const s of DEMO_SCENARIOS) {
    const session = await open(loaded.get(s.id)!);
    const model = await loadModel(session, s.settings.tenancy);
    models.set(s.id, model);
    runs.set(s.id, await runChecks(session, model, { mode: 'exact', rlsRole: s.settings.rlsRole, rlsSetting: s.settings.rlsSetting }));
  }
});

afterAll(async () => {
  for (const s of sessions) await s.close();
  for (const name of created) {
    await sql(adminUrl(), `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  }
  cleanCli();
});

describe('demo scenarios', () => {
  it.each([
    ['drizzle', 'public.organization', 'organization_id', 'detected'],
    ['supabase', 'public.organizations', 'organization_id', 'detected'],
    ['prisma', 'public.Tenant', 'tenantId', 'given'],
    ['credentials', 'public.orgs', 'org_id', 'detected'],
    ['inventory', 'public.organizations', 'org_id', 'detected'],
  ])('%s: the tenant table is %s and the tenant column %s (%s)', (id, table, column, how) => {
    const m = models.get(id)!;
    expect(`${m.tenantTable?.schema}.${m.tenantTable?.table}`).toBe(table);
    expect(m.tenantColumn).toBe(column);
    expect(m.detection.tenantTable).toBe(how);
    expect(m.tenantTable?.nameColumn).toBe('name');
  });

  it('plants every check id at least once across the five scenarios', () => {
    const found = new Set<CheckId>();
    for (const run of runs.values()) for (const f of run.findings) found.add(f.check);
    // No demo scenario has a way around RLS: those checks are planted in checks-rls-bypass.test.ts.
    // rls-not-forced: only Supabase's organization_memberships is not forced, and only
    // authenticated reads it, so it is not reported (planted in checks.test.ts, checks-supabase-probe.test.ts).
    // The demo is one embedded server, not a Citus cluster: the Citus checks are planted in citus-checks.test.ts.
    const notInDemo = new Set<CheckId>(['rls-partition-bypass', 'rls-view-bypass', 'rls-matview-bypass', 'rls-definer-function', 'rls-not-forced',
      'citus-local-tenant-table', 'citus-distributed-by-other-column', 'citus-not-colocated', 'citus-global-not-reference']);
    expect([...CHECK_IDS].filter((id) => !found.has(id) && !notInDemo.has(id))).toEqual([]);
    expect([...notInDemo].filter((id) => found.has(id))).toEqual([]);
  });

  // The defects each runbook's story is about, as the console reports them.
  it.each<[string, CheckId, string, string?]>([
    ['drizzle', 'tenant-column-default', 'students'],
    ['drizzle', 'tenant-column-nullable', 'lessons'],
    ['drizzle', 'null-tenant-rows', 'lessons'],
    ['drizzle', 'unscoped-unique', 'app_settings', 'app_settings_key_unique'],
    ['drizzle', 'unscoped-unique', 'global_absences', 'global_absences_date_unique'],
    ['drizzle', 'rls-disabled', 'students'],
    ['supabase', 'null-tenant-rows', 'audit_reports'],
    ['supabase', 'rls-no-policy', 'generated_automations'],
    ['supabase', 'rls-policy-unscoped', 'automation_jobs', 'Users manage their own jobs'],
    ['prisma', 'unscoped-unique', 'User', 'User_email_key'],
    ['prisma', 'unscoped-unique', 'ApiKey', 'ApiKey_key_key'],
    ['prisma', 'unscoped-unique', 'Invoice', 'Invoice_number_key'],
    ['prisma', 'tenant-column-default', 'ApiKey'],
    ['prisma', 'isolation-leak', 'AuditLog'],
    ['credentials', 'tenant-column-missing', 'dashboard_layouts'],
    ['credentials', 'null-tenant-rows', 'reports'],
    ['credentials', 'tenant-index-missing', 'reports'],
    ['credentials', 'tenant-fk-missing', 'tenant_credentials'],
    ['credentials', 'orphan-tenant-rows', 'tenant_credentials'],
    ['credentials', 'tenant-fk-not-validated', 'credentials', 'credentials_org_id_fkey'],
    ['inventory', 'cross-tenant-reference', 'count_lines', 'count_lines_sheet_id_fkey'],
    ['inventory', 'orphan-tenant-rows', 'audit_logs'],
    ['inventory', 'tenant-fk-missing', 'audit_logs'],
    ['inventory', 'unscoped-unique', 'items', 'items_itemNumber_key'],
  ])('%s: %s on %s', (id, check, table, constraint) => {
    const hits = runs.get(id)!.findings.filter((f) => f.check === check && f.table === table && (!constraint || f.constraint === constraint));
    expect(hits).toHaveLength(1);
  });

  it('plants nothing where the story has nothing: scoped uniques, FK-consistent children and isolated tables stay silent', () => {
    const at = (id: string, check: CheckId) => runs.get(id)!.findings.filter((f) => f.check === check).map((f) => f.constraint ?? f.table).sort();
    expect(at('prisma', 'unscoped-unique')).toEqual(['ApiKey_key_key', 'Invoice_number_key', 'User_email_key']);
    expect(at('prisma', 'isolation-leak')).toEqual(['AuditLog']);
    expect(at('inventory', 'cross-tenant-reference')).toEqual(['count_lines_item_id_fkey', 'count_lines_sheet_id_fkey']);
    expect(at('drizzle', 'cross-tenant-reference')).toEqual([]);
    expect(at('supabase', 'cross-tenant-reference')).toEqual([]);
    // Supabase: RLS not forced on tables only authenticated reads is not a finding.
    expect(at('supabase', 'rls-not-forced')).toEqual([]);
  });

  it('obeys every foreign key its schema declares (the loader skips FK triggers, so this is the proof)', async () => {
    const broken: string[] = [];
    for (const s of DEMO_SCENARIOS) {
      for (const t of models.get(s.id)!.tables) {
        for (const fk of t.foreignKeys) {
          const notNull = fk.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
          const match = fk.columns.map((c, i) => `p.${quoteIdent(fk.refColumns[i]!)} = c.${quoteIdent(c)}`).join(' AND ');
          const [row] = await sql<{ n: number }>(loaded.get(s.id)!.url,
            `SELECT count(*)::int AS n FROM ${qualified(t.schema, t.table)} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${qualified(fk.refSchema, fk.refTable)} p WHERE ${match})`);
          if (row!.n > 0) broken.push(`${s.id}: ${t.table}.${fk.name}: ${row!.n}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('is ANALYZEd: row estimates and null fractions are there for estimate mode', () => {
    const students = models.get('drizzle')!.tables.find((t) => t.table === 'students')!;
    expect(students.estimatedRows).toBe(ROWS);
    const lessons = models.get('drizzle')!.tables.find((t) => t.table === 'lessons')!;
    expect(lessons.tenantColumn?.nullFrac).toBeGreaterThan(0);
    const ledger = models.get('inventory')!.tables.find((t) => t.table === 'inventory_ledger')!;
    expect(ledger.partitioned).toBe(true);
    expect(ledger.estimatedRows).toBe(ROWS);
  });

  it('gives the tenants a realistic spread: a few big ones, many small, all named', async () => {
    const rows = await sql<{ org: string; n: number }>(loaded.get('inventory')!.url,
      'SELECT o.name AS org, count(l.*)::int AS n FROM organizations o LEFT JOIN inventory_ledger l ON l.org_id = o.id GROUP BY o.name ORDER BY n DESC');
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.org)).size).toBe(20);
    expect(rows[0]!.n).toBeGreaterThan(ROWS / 10);
    expect(rows[rows.length - 1]!.n).toBeLessThan(ROWS / 20);
  });
});

describe('migration ledgers', () => {
  it('drizzle: 0000..0007 recorded with the hashes drizzle-orm computes, 0008 pending', async () => {
    const folder = path.join(projectRoot(), 'sql', 'demo', 'drizzle');
    const files = readMigrationFiles({ migrationsFolder: folder });
    const ledger = await sql<{ hash: string; created_at: string }>(loaded.get('drizzle')!.url,
      'SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at');
    expect(ledger.map((r) => r.hash)).toEqual(files.slice(0, 8).map((f) => f.hash));
    expect(ledger.map((r) => Number(r.created_at))).toEqual(files.slice(0, 8).map((f) => f.folderMillis));
    expect(files).toHaveLength(9);
    const defaults = await sql<{ n: number }>(loaded.get('drizzle')!.url,
      "SELECT count(*)::int AS n FROM information_schema.columns WHERE column_name = 'organization_id' AND column_default LIKE '%org_bootstrap%'");
    expect(defaults[0]!.n).toBe(5);
  });

  it('prisma: applied migrations carry the sha256 of their migration.sql, the last one is pending', async () => {
    const migrations = listDemoMigrations(demoScenario('prisma')!.ledger!);
    const rows = await sql<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      loaded.get('prisma')!.url, 'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.slice(0, 3).map((m) => m.name));
    for (const [i, r] of rows.entries()) {
      expect(r.checksum).toBe(crypto.createHash('sha256').update(fs.readFileSync(migrations[i]!.file)).digest('hex'));
      expect(r.finished_at).not.toBeNull();
    }
    expect(migrations[3]!.name).toMatch(/_scope_unique_indexes$/);
  });

  it('supabase: versions up to 20250904000002 recorded with their statements, 20250904000003 pending', async () => {
    const rows = await sql<{ version: string; name: string; statements: string[] }>(loaded.get('supabase')!.url,
      'SELECT version, name, statements FROM supabase_migrations.schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(['20250801000000', '20250904000001', '20250904000002']);
    expect(rows[1]!.name).toBe('add_multi_tenant_organizations');
    // As the console records them (and migrate status compares them): with the leading comment.
    expect(rows[1]!.statements[0]).toMatch(/^-- Phase 2, step 1: .*\ncreate table public\.organizations \(/);
    expect(rows[1]!.statements.length).toBeGreaterThan(5);
  });
});

describe('loading', () => {
  it('--rows scales the main tables, and the tenant count with them', async () => {
    const small = await load(demoScenario('inventory')!, 200, '_s');
    const big = await load(demoScenario('inventory')!, 1600, '_b');
    const count = async (db: DemoDatabase) => (await sql<{ ledger: number; logs: number; orgs: number }>(db.url,
      'SELECT (SELECT count(*) FROM inventory_ledger)::int AS ledger, (SELECT count(*) FROM audit_logs)::int AS logs, (SELECT count(*) FROM organizations)::int AS orgs'))[0]!;
    expect(await count(small)).toEqual({ ledger: 200, logs: 200, orgs: 20 });
    expect(await count(big)).toEqual({ ledger: 1600, logs: 1600, orgs: 80 });
  });

  it('is deterministic, reuses a loaded database and rebuilds it when --rows changes', async () => {
    const s = demoScenario('drizzle')!;
    const first = await load(s, 300, '_r');
    expect(first.loaded).toBe(true);
    const digest = async () => (await sql<{ d: string }>(first.url,
      "SELECT md5(string_agg(id || ':' || coalesce(organization_id, '-'), ',' ORDER BY id)) AS d FROM lessons"))[0]!.d;
    const before = await digest();
    await sql(first.url, 'INSERT INTO students (first_name, last_name) VALUES ($1, $2)', ['kept', 'row']);
    expect((await load(s, 300, '_r')).loaded).toBe(false);
    expect((await sql<{ n: number }>(first.url, "SELECT count(*)::int AS n FROM students WHERE first_name = 'kept'"))[0]!.n).toBe(1);
    expect((await loadScenario(adminUrl(), s, 300, { database: first.database, reuse: false })).loaded).toBe(true);
    expect(await digest()).toBe(before);
    expect((await load(s, 500, '_r')).loaded).toBe(true);
    expect((await sql<{ n: number }>(first.url, 'SELECT count(*)::int AS n FROM lessons'))[0]!.n).toBe(500);
  });

  it('refuses a --rows value outside the bounds with one line naming them', async () => {
    await expect(loadScenario(adminUrl(), DEMO_SCENARIOS[0]!, 5)).rejects.toThrow(/^--rows must be a whole number from 100 to/);
  });
});

describe('tenancy demo (CLI)', () => {
  it('prints URLs that accept connections once ready, and stops cleanly on SIGINT with exit code 130', async () => {
    const cli = await buildCli();
    const port = await freePort();
    const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
      process.execPath, [cli, 'demo', '--port', String(port), '--rows', '150'],
      { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/^ready: /m.test(stdout)) resolve();
      });
      void exited.then((code) => reject(new Error(`tenancy demo exited (${code}) before ready:\n${stderr}`)));
    });
    const urls = [...stdout.matchAll(/postgres:\/\/\S+/g)].map((m) => m[0].replace(/'$/, ''));
    const byDb = new Map(urls.map((u) => [new URL(u).pathname.slice(1), u]));
    expect([...byDb.keys()].sort()).toEqual(DEMO_SCENARIOS.map((s) => s.database).sort());
    for (const url of byDb.values()) {
      expect(new URL(url).port).toBe(String(port));
      const [row] = await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace");
      expect(row!.n).toBeGreaterThan(4);
    }
    // The "Try:" lines work as printed, from where the demo was started (here: the project root).
    const tryLine = /^ {2}(npx tenancy check .*)$/m.exec(stdout)?.[1];
    expect(tryLine, stdout).toBeDefined();
    const tried = spawnSync('sh', ['-c', tryLine!], { cwd: projectRoot(), encoding: 'utf8' });
    expect(tried.stderr).not.toMatch(/not found|tenancy: /);
    expect(tried.status, tried.stderr).toBe(1);
    expect(tried.stdout).toMatch(/error/i);
    const dataDir = /data directory: (\S+)/.exec(stdout)![1]!;
    expect(fs.existsSync(dataDir)).toBe(true);
    // Each database is named by the profile `serve --demo` gives it: scenario and reference runbook.
    expect(stdout).toContain('demo-1 Better Auth Drizzle - runbook 000');

    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(fs.existsSync(dataDir)).toBe(false);
    await expect(sql(urlWithDatabase(byDb.get('demo_drizzle')!, 'postgres'), 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('--format json: one object its schema accepts, each database with its profile name, then stays up until SIGINT', async () => {
    const cli = await buildCli();
    const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
      process.execPath, [cli, 'demo', '--rows', '150', '--format', 'json'],
      { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const parsed = await new Promise<unknown>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (!stdout.endsWith('}\n')) return;
        try {
          resolve(JSON.parse(stdout));
        } catch {
          // not all of it yet
        }
      });
      void exited.then((code) => reject(new Error(`tenancy demo exited (${code}) before its JSON:\n${stderr}`)));
    });
    const out = CLI_OUTPUT.demo.parse(parsed);
    expect(out.databases.map((d) => d.profile)).toEqual(DEMO_SCENARIOS.map((sc) => demoProfileName(sc, sc.id)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
  });

  it('says in one line when the port is taken', async () => {
    const cli = await buildCli();
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'demo', '--port', String(port)], { cwd: projectRoot(), stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    await new Promise((resolve) => taken.close(resolve));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`tenancy: port ${port} on 127.0.0.1 is in use; pick another with --port, or leave --port out for a free one`]);
  });
});
