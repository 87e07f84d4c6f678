/**
 * Templates 003 and 004 end to end (004 from its real starting state, 003 on its demo scenario,
 * with pg_dump backups where this machine's pg_dump can dump the server), their rollback sections,
 * and the defects each exists to catch, in the database, the application (a fake on port 0), the
 * team's test suites (fake programs first on PATH) and the staging rehearsal: planted, the run stops
 * at the step that names it; each with its clean twin (the plain run).
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../shared/runbook.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { loadScenario } from '../../main/engine/demo/load.js';
import { demoScenario, type DemoScenario } from '../../main/engine/demo/scenarios.js';
import { startingState } from '../../main/engine/demo/starting-states.js';
import { loadModel } from '../../main/engine/model/load.js';
import { verifyRunDumps } from '../../main/engine/runbook/dumps.js';
import { verifySignedJournal } from '../../main/engine/runbook/head.js';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';
import { rollbackRun } from '../../main/engine/runbook/rollback.js';
import { runRunbook } from '../../main/engine/runbook/run.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { tempConfigDir } from '../support/cli.js';
import { adminUrl } from '../support/db.js';
import { pgDumpCanDump, withoutDumps } from '../support/pg-dump.js';
import { insertStepBefore } from '../support/template-run.js';
import { fakeNpm, OPS_JOBS, startInventoryApp, type FakeNpm, type InventoryApp } from '../support/fake-inventory-app.js';

const TEMPLATES = path.resolve(import.meta.dirname, '../../runbooks/templates');
const made: string[] = [];
afterAll(async () => {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  for (const d of made) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(d)} WITH (FORCE)`);
  await c.end();
});

const FILES = { credentials: '003-credentials-legacy-map.yaml', inventory: '004-inventory-not-null-balances.yaml' } as const;
type ScenarioId = keyof typeof FILES;
const CI_ENV = { GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'octo-approver', GITHUB_RUN_ID: '4242', GITHUB_WORKFLOW: 'tenant-migrations', GITHUB_ENVIRONMENT: 'production' };

interface Scenario {
  session: Session;
  exec: (sql: string) => Promise<pg.QueryResult>;
  runsDir: string;
  dumps: boolean;
  /** The fake application (and its webhook) the app steps check, its flaws changeable. */
  app: InventoryApp;
  /** The fake `npm` the command steps run. */
  npm: FakeNpm;
  /** The environment a run sees: the console's, CI's identity, the fake app's and npm's. */
  env: () => NodeJS.ProcessEnv;
  /** Run the template (edited); its rehearsal step is left out unless `rehearse` (the rehearsal tests rehearse on staging first). */
  run: (edit?: (text: string) => string, o?: { rehearse?: boolean; env?: Record<string, string | undefined>; now?: Date; run?: string }) => Promise<RunStatus>;
  close: () => Promise<void>;
}

interface ScenarioOptions {
  start?: DemoScenario;
  environment?: 'development' | 'staging' | 'production';
  /** Share another scenario's runs folder (a staging rehearsal's). */
  runsDir?: string;
}

/** The template's text without the step `id` (its YAML block). */
function withoutStep(text: string, id: string): string {
  return text.replace(new RegExp(`^  - id: ${id}\n(?:(?!  - id: |rollback:).*\n)*`, 'm'), '');
}

/** Where each template starts: 004 from before add_organization_support, 003 from the demo. */
const START: Record<ScenarioId, DemoScenario> = { credentials: demoScenario('credentials')!, inventory: startingState('004')! };

async function scenario(id: ScenarioId, tag: string, rows: number, o: ScenarioOptions = {}): Promise<Scenario> {
  const database = `rb34_${id}_${tag}_${process.pid}`;
  made.push(database);
  const db = await loadScenario(adminUrl(), o.start ?? START[id], rows, { database, reuse: false });
  const { profile, urlPassword } = profileFromUrl(db.url, { statementTimeoutMs: 120_000, ...(o.environment ? { environment: o.environment } : {}) });
  const session = await Session.open(profile, { password: urlPassword });
  await session.enableWrite(profile.database);
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  const runsDir = o.runsDir ?? path.join(tempConfigDir(), 'runs');
  const dumps = await pgDumpCanDump(session);
  const app = await startInventoryApp();
  const npm = fakeNpm();
  const file = path.join(TEMPLATES, FILES[id]);
  const envOf = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...CI_ENV, ...app.env, ...npm.env, ...extra };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    return env;
  };
  return {
    session, runsDir, dumps, app, npm, env: () => envOf(), exec: (sql) => admin.query(sql),
    run: async (edit = (t) => t, ro = {}) => {
      const original = fs.readFileSync(file, 'utf8');
      // Where this machine's pg_dump is older than the server, the backup steps keep only their tables.
      const dumped = dumps ? original : withoutDumps(original);
      const text = edit(ro.rehearse ? dumped : withoutStep(dumped, 'rehearsed'));
      const parsed = parseRunbookText(text);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      return runRunbook({
        session, file, runbook: parsed.runbook, text, operator: 'template-test', runsDir, ci: true, env: envOf(ro.env), allowCommands: true, now: ro.now, run: ro.run,
        signOff: (s) => ({ note: s.checklist.length ? undefined : `rehearsal: ${s.title}`, lines: Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) }),
      });
    },
    close: async () => {
      await app.close();
      await admin.end();
      await session.close();
    },
  };
}

const failures = (s: RunStatus) => s.steps.filter((x) => x.state !== 'passed').map((x) => `${x.id} ${x.state}: ${x.error}`);

const md5 = async (sc: Scenario, table: string) => (await sc.exec(`SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h FROM ${table} t`)).rows[0].h as string;
const num = async (sc: Scenario, sql: string) => Number((await sc.exec(sql)).rows[0].n);

/** Run the template, its promises checked independently, then its rollback section. */
async function endToEnd(sc: Scenario, id: ScenarioId, rehearse = false): Promise<{ status: RunStatus; back: RunStatus }> {
  const status = await sc.run(undefined, { rehearse });
  expect(failures(status)).toEqual([]);
  expect(status.complete).toBe(true);
  const dir = path.join(sc.runsDir, status.run);
  expect(verifySignedJournal(dir, { run: status.run })).toMatchObject({ ok: true });
  // Every step that ran records how long it took; the signed report of the final check is in the run folder.
  expect(status.steps.filter((s) => s.kind !== 'manual' && s.durationMs === null).map((s) => s.id)).toEqual([]);
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('report-'))).toHaveLength(1);
  const backup = status.steps.find((s) => s.id === 'backup')!;
  if (sc.dumps) {
    // Every backed-up table has its pg_dump, matching the sha256 the journal holds.
    const dumps = verifyRunDumps(dir);
    expect(dumps.map((d) => d.table).sort()).toEqual(Object.keys(backup.evidence!.refs).filter((k) => !k.includes(':')).sort());
    expect(dumps.every((d) => d.ok)).toBe(true);
  }
  const template = parseRunbookText(fs.readFileSync(path.join(TEMPLATES, FILES[id]), 'utf8'));
  if (!template.ok) throw new Error('template does not parse');
  const model = await loadModel(sc.session, { ...template.runbook.settings.tenancy });
  const checks = await runChecks(sc.session, model, { mode: 'exact' });
  expect(checks.findings.filter((f) => template.runbook.promises.includes(f.check)).map((f) => `${f.check} ${f.table}`)).toEqual([]);
  const back = await rollbackRun({
    session: sc.session, run: status.run, reason: 'template test', operator: 'dba', runsDir: sc.runsDir, ci: true, env: sc.env(), allowCommands: true,
    signOff: (s) => ({ lines: Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) }),
  });
  expect(back.rollback!.steps.filter((s) => s.state !== 'passed').map((s) => `${s.id}: ${s.error}`)).toEqual([]);
  expect(back.rollback!.complete).toBe(true);
  expect(verifySignedJournal(dir, { run: status.run })).toMatchObject({ ok: true });
  return { status, back };
}

/** Every table of the public schema (partitions too) with its rows' md5, and the schema's shape: columns, constraints, indexes, triggers, functions. */
async function wholeState(sc: Scenario): Promise<{ rows: Record<string, string>; shape: string[] }> {
  const tables = (await sc.exec("SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1")).rows.map((r) => r.t as string);
  const rows: Record<string, string> = {};
  for (const t of tables) rows[t] = await md5(sc, t);
  const shape = (await sc.exec(`
    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS s FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
    UNION ALL SELECT 'function ' || oid::regprocedure FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    ORDER BY 1`)).rows.map((r) => r.s as string);
  return { rows, shape };
}

describe('template 004 (inventory) from before add_organization_support', () => {
  it('runs end to end: backup (the ledger dumped with its partitions), both migrations, the trigger and the balance backfill, NOT NULL everywhere, balances = ledger; the rollback puts back every table and the schema (md5)', async () => {
    const sc = await scenario('inventory', 'e2e', 2000);
    try {
      expect(await num(sc, "SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'org_id'")).toBe(0);
      expect(await num(sc, "SELECT count(*) AS n FROM pg_class WHERE relname IN ('organizations', 'inventory_balances')")).toBe(0);
      const before = await wholeState(sc);
      expect(Object.keys(before.rows)).toContain('public.inventory_ledger_2024h1');
      expect(before.shape.filter((x) => x.startsWith('index ')).length).toBeGreaterThan(15);
      const { status, back } = await endToEnd(sc, 'inventory');
      const ev = (id: string) => status.steps.find((s) => s.id === id)!.evidence!;
      expect(ev('migrate-organizations').ran).toEqual(['migration 20250110090000_add_organization_support']);
      expect(ev('migrate-balance-table').ran).toEqual(['migration 20250111090000_add_balance_table']);
      expect(ev('backup').counts['public.inventory_ledger']).toBe(2000);
      if (sc.dumps) expect(fs.readFileSync(ev('backup').refs['dump:public.inventory_ledger']!, 'utf8')).toMatch(/COPY public\.inventory_ledger_2024h1 /);
      expect(ev('quarantine-orphans').counts.rows).toBe(0);
      expect(ev('trigger-keeps-balance').refs.probeError).toMatch(/^23505 duplicate key value violates unique constraint "inventory_balances_pkey"/);
      // Before the rollback ran, the run had left: every org_id NOT NULL (partitions too), every row in the default org.
      const restored = back.rollback!.steps.find((s) => s.id === 'restore-inventory-ledger')!.evidence!;
      expect(restored.result).toMatch(/checksum verified \(backup side: (recorded|intact)\)$/);
      const after = await wholeState(sc);
      expect(after.shape).toEqual(before.shape);
      expect(after.rows).toEqual(before.rows);
    } finally {
      await sc.close();
    }
  }, 300_000);

  it('orphans of a deleted organization are quarantined, never reassigned: the default organization keeps exactly its rows; the rollback removes them with the rest', async () => {
    const sc = await scenario('inventory', 'orphans', 400);
    try {
      const before = await wholeState(sc);
      // The application deletes an organization while audit_logs has no FK (the team's migration left it out).
      const plant = `  - id: org-deleted
    kind: sql
    title: planted - an organization deleted, its audit logs left behind
    sql: |
      INSERT INTO public.organizations (id, name) VALUES ('org_gone', 'Gone Ltd');
      INSERT INTO public.audit_logs (org_id, action, entity) SELECT 'org_gone', 'create', 'item' FROM generate_series(1, 7);
      DELETE FROM public.organizations WHERE id = 'org_gone'
`;
      const status = await sc.run((t) => insertStepBefore(t, 'quarantine-orphans', plant));
      expect(failures(status)).toEqual([]);
      const ev = status.steps.find((s) => s.id === 'quarantine-orphans')!.evidence!;
      expect(ev.counts.rows).toBe(7);
      expect(await num(sc, "SELECT count(*) AS n FROM quarantined_audit_logs WHERE org_id = 'org_gone' AND reason = 'organization org_gone does not exist'")).toBe(7);
      expect(await num(sc, "SELECT count(*) AS n FROM audit_logs WHERE org_id = 'org_00001'")).toBe(400);
      expect(await num(sc, 'SELECT count(*) AS n FROM audit_logs')).toBe(400);
      const back = await rollbackRun({
        session: sc.session, run: status.run, reason: 'template test', operator: 'dba', runsDir: sc.runsDir, ci: true, env: sc.env(), allowCommands: true,
        signOff: (s) => ({ lines: Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) }),
      });
      expect(back.rollback!.steps.filter((s) => s.state !== 'passed').map((s) => `${s.id}: ${s.error}`)).toEqual([]);
      expect(await wholeState(sc)).toEqual(before);
    } finally {
      await sc.close();
    }
  }, 240_000);
});

describe('template 003 (credentials)', () => {
  it('runs end to end: the rehearsal restores rows the run changed; the rollback restores reports, layouts and tenant_credentials and undoes the contract', async () => {
    const sc = await scenario('credentials', 'e2e', 2000);
    try {
      const before = { reports: await md5(sc, 'reports'), layouts: await md5(sc, 'dashboard_layouts'), grants: await md5(sc, 'tenant_credentials'), credentials: await md5(sc, 'credentials') };
      const nullReports = await num(sc, 'SELECT count(*) AS n FROM reports WHERE org_id IS NULL');
      expect(nullReports).toBeGreaterThan(0);
      const { status } = await endToEnd(sc, 'credentials');
      const rehearsal = status.steps.find((s) => s.id === 'restore-rehearsal')!.evidence!;
      expect(rehearsal.counts.updated).toBe(nullReports);
      expect(rehearsal.result).toMatch(/^dry run \(rolled back\): \d+ row\(s\) put back .* checksum verified \(backup side: (recorded|intact)\)$/);
      expect({ reports: await md5(sc, 'reports'), layouts: await md5(sc, 'dashboard_layouts'), grants: await md5(sc, 'tenant_credentials'), credentials: await md5(sc, 'credentials') }).toEqual(before);
      expect(await num(sc, "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'dashboard_layouts' AND column_name = 'org_id'")).toBe(0);
    } finally {
      await sc.close();
    }
  }, 240_000);
});

const planted = (sql: string) => `  - id: planted
    kind: sql
    title: planted defect
    sql: ${JSON.stringify(sql)}
`;
/** [template, what, where the defect is planted (004: a step inserted before this one; 003: before the run), SQL, step that stops, its message]. */
const PLANTED: [ScenarioId, string, string | null, string, string, RegExp][] = [
  ['inventory', 'a balance row that disagrees with the ledger', 'balances', "UPDATE inventory_balances SET on_hand = on_hand + 5 WHERE (org_id, item_id, location_id, lot_id) = (SELECT org_id, item_id, location_id, lot_id FROM inventory_balances ORDER BY 1, 2, 3, 4 LIMIT 1)",
    'balances', /^the query returned 1 row\(s\), expected 0: org_\d+ item \d+ location \d+ lot '.*': ledger -?[\d.]+, balance -?[\d.]+$/],
  ['inventory', 'the balance trigger disabled', 'balance-trigger', 'ALTER TABLE inventory_ledger DISABLE TRIGGER inventory_ledger_balance_trigger',
    'balance-trigger', /^the query returned 1 row\(s\), expected 0: inventory_ledger_balance_trigger is disabled \(tgenabled = D\)$/],
  ['inventory', 'the balance trigger missing', 'balance-trigger', 'DROP TRIGGER inventory_ledger_balance_trigger ON inventory_ledger',
    'balance-trigger', /^the query returned 1 row\(s\), expected 0: inventory_ledger_balance_trigger does not exist on public\.inventory_ledger$/],
  ['inventory', 'an orphan in a table without the FK', 'no-orphans', `ALTER TABLE feature_flags DROP CONSTRAINT "feature_flags_orgId_fkey"; INSERT INTO feature_flags (org_id, key) VALUES ('org_gone', 'ghost')`,
    'no-orphans', /^orphan-tenant-rows: public\.feature_flags$/],
  ['inventory', 'rows the migration did not backfill', 'verify-organizations', "ALTER TABLE users ALTER COLUMN org_id DROP NOT NULL; UPDATE users SET org_id = NULL WHERE id <= 3",
    'verify-organizations', /^the query returned 1 row\(s\), expected 0: 3 users have no org_id$/],
  ['inventory', 'no organization at all', 'verify-organizations', 'TRUNCATE organizations CASCADE',
    'verify-organizations', /^the query returned 1 row\(s\), expected 0: organizations is empty$/],
  ['inventory', 'the partitioned ledger org_id nullable', 'not-null-everywhere', 'ALTER TABLE inventory_ledger ALTER COLUMN org_id DROP NOT NULL',
    'not-null-everywhere', /^the query returned \d+ row\(s\), expected 0: .*inventory_ledger\.org_id is nullable/],
  ['inventory', 'count lines without org_id', 'counts-match', 'ALTER TABLE count_lines ALTER COLUMN org_id DROP NOT NULL; UPDATE count_lines SET org_id = NULL WHERE id <= 2',
    'counts-match', /^the query returned 1 row\(s\), expected 0: count_lines: 400 rows, 398 with org_id$/],
  ['credentials', 'the default org missing', null, "SET session_replication_role = replica; DELETE FROM orgs WHERE id = '29e1497f-37fe-3f23-cb32-6fefb6442c8c'; RESET session_replication_role",
    'default-org', /^the query returned 1 row\(s\), expected 0: the default org 29e1497f-37fe-3f23-cb32-6fefb6442c8c does not exist in orgs$/],
  ['credentials', 'dashboard_layouts without org_id', 'org-columns', 'ALTER TABLE dashboard_layouts DROP COLUMN org_id CASCADE',
    'org-columns', /^the query returned 1 row\(s\), expected 0: dashboard_layouts has no org_id column$/],
  ['credentials', 'a credential grant of an org that does not exist', 'distribution', "ALTER TABLE tenant_credentials DISABLE TRIGGER ALL; INSERT INTO tenant_credentials (id, org_id, credential_id, scope) SELECT (SELECT max(id) + 1 FROM tenant_credentials), '00000000-0000-0000-0000-0000000000aa', id, 'read' FROM credentials ORDER BY id LIMIT 1; ALTER TABLE tenant_credentials ENABLE TRIGGER ALL",
    'distribution', /^the query returned 1 row\(s\), expected 0: tenant_credentials: 1 row\(s\) of org 00000000-0000-0000-0000-0000000000aa, which is not in orgs$/],
  ['credentials', 'a report filed under another org than its credential', null, 'UPDATE reports SET org_id = (SELECT id FROM orgs ORDER BY id DESC LIMIT 1) WHERE id = (SELECT r.id FROM reports r JOIN credentials c ON c.id = r.credential_id WHERE c.org_id <> (SELECT id FROM orgs ORDER BY id DESC LIMIT 1) AND r.org_id IS NOT NULL ORDER BY r.id LIMIT 1)',
    'contract', /^public\.reports: statement \d+ failed: .*reports_credential_id_fkey_tenant/],
];

describe('templates 003 and 004 stop at the step whose defect is planted', () => {
  it.each(PLANTED)('%s with %s stops at the step that names it', async (id, what, before, plant, stopAt, message) => {
    const sc = await scenario(id, what.replace(/\W+/g, '_').slice(0, 24), 400);
    try {
      if (before === null) await sc.exec(plant);
      const status = await sc.run(before === null ? undefined : (t) => insertStepBefore(t, before, planted(plant)));
      const failed = status.steps.filter((s) => s.state === 'failed');
      expect(failed.map((s) => `${s.id}: ${s.error}`)).toEqual([expect.stringMatching(new RegExp(`^${stopAt}: `))]);
      expect(failed[0]!.error).toMatch(message);
      expect(status.complete).toBe(false);
    } finally {
      await sc.close();
    }
  }, 180_000);

  it('the 004 template from an old checkout (add_balance_table missing from the folder) stops at preflight, before the backup', async () => {
    const sc = await scenario('inventory', 'old_checkout', 200);
    try {
      const old = path.join(tempConfigDir(), 'migrations');
      fs.cpSync(path.resolve(import.meta.dirname, '../../sql/demo/inventory/prisma/migrations'), old, { recursive: true });
      fs.rmSync(path.join(old, '20250111090000_add_balance_table'), { recursive: true });
      const status = await sc.run((t) => t.replaceAll('dir: sql/demo/inventory/prisma/migrations', `dir: ${old}`));
      expect(status.steps.filter((s) => s.state !== 'pending').map((s) => `${s.id} ${s.state}`)).toEqual(['preflight failed']);
      expect(status.steps[0]!.error).toMatch(/step migrate-balance-table applies 20250111090000_add_balance_table, which .* does not have \(old worktree\? pull it first\)/);
    } finally {
      await sc.close();
    }
  }, 120_000);

  it('the 004 template on the demo\'s half-way inventory database (organizations there, no Prisma ledger) stops at preflight, before the backup', async () => {
    const sc = await scenario('inventory', 'halfway', 200, { start: demoScenario('inventory')! });
    try {
      const status = await sc.run();
      expect(status.steps.filter((s) => s.state !== 'pending').map((s) => `${s.id} ${s.state}`)).toEqual(['preflight failed']);
      expect(status.steps[0]!.error).toMatch(/^preflight: .*the ledger has it pending \(0 applied\)/);
    } finally {
      await sc.close();
    }
  }, 120_000);

  it.each([['inventory', 'credentials'], ['credentials', 'inventory']] as const)('the %s template on the %s database (the wrong target) stops at preflight, before the backup', async (id, other) => {
    const sc = await scenario(other, `wrong_${id}`, 200);
    try {
      const file = path.join(TEMPLATES, FILES[id]);
      const text = withoutDumps(fs.readFileSync(file, 'utf8'));
      const parsed = parseRunbookText(text);
      if (!parsed.ok) throw new Error('template does not parse');
      const status = await runRunbook({ session: sc.session, file, runbook: parsed.runbook, text, operator: 'template-test', runsDir: sc.runsDir, ci: true, env: CI_ENV, signOff: () => null });
      expect(status.steps.filter((s) => s.state !== 'pending').map((s) => `${s.id} ${s.state}`)).toEqual(['preflight failed']);
      expect(status.steps[0]!.error).toMatch(id === 'inventory'
        ? /^preflight: the target has none of the 15 table\(s\) the folder's migrations create or alter .*expected the application's table public\.items, found no such table in rb34_/
        : /^preflight: expected the application's table public\.credentials, found no such table in rb34_/);
    } finally {
      await sc.close();
    }
  }, 120_000);
});

/** [template, what goes wrong in the application or around it, how to plant it, the step that stops, its message]. */
const APP_FLAWS: [ScenarioId, string, (sc: Scenario) => Record<string, string | undefined>, string, RegExp][] = [
  ['inventory', 'no webhook configured', () => ({ MAINTENANCE_WEBHOOK_URL: undefined }), 'notify-start', /^\$\{MAINTENANCE_WEBHOOK_URL\} is not set \(step notify-start, webhookEnv\)/],
  ['inventory', 'the webhook failing', (sc) => ((sc.app.flaws.webhook = 500), {}), 'notify-start', /^the webhook at 127\.0\.0\.1:\d+ answered 500, expected 2xx: nobody was told$/],
  ['inventory', 'the application down after the restart', (sc) => ((sc.app.flaws.health = 503), {}), 'deploy-health', /answered 503, expected 200/],
  ['inventory', 'the old release still deployed', (sc) => ((sc.app.flaws.oldRelease = true), {}), 'deploy-health', /the body does not contain ""tenantMiddleware":true"/],
  ['inventory', 'an API open without a session', (sc) => ((sc.app.flaws.openApi = true), {}), 'auth-required', /answered 200, expected 401/],
  ['inventory', 'organization B\'s item shown to organization A', (sc) => ((sc.app.flaws.leakReads = true), {}), 'cross-org-read', /GET http:\/\/127\.0\.0\.1:\d+\/api\/items\/item-b-canary.*answered 200, expected 404/],
  ['credentials', 'the webhook failing after the first notice', (sc) => ((sc.app.flaws.webhookFailFrom = 2), {}), 'notify-progress', /^the webhook at 127\.0\.0\.1:\d+ answered 500, expected 2xx: nobody was told$/],
  ['credentials', 'the webhook failing at the completion notice', (sc) => ((sc.app.flaws.webhookFailFrom = 3), {}), 'notify-done', /^the webhook at 127\.0\.0\.1:\d+ answered 500, expected 2xx: nobody was told$/],
  ['credentials', 'the backend segregation tests failing', (sc) => (sc.npm.fail('pytest tests/test_tenant_credentials_rls.py'), {}), 'segregation-backend', /^the command exited with 1, expected 0/],
  ['credentials', 'the frontend segregation tests failing', (sc) => (sc.npm.fail('npx playwright test web2-e2e/credentials.spec.ts'), {}), 'segregation-frontend', /^the command exited with 1, expected 0/],
  ['credentials', 'another org\'s credential shown to a user', (sc) => ((sc.app.flaws.leakReads = true), {}), 'cross-tenant-read', /GET http:\/\/127\.0\.0\.1:\d+\/api\/credentials\/cred-b-canary.*answered 200, expected 403 or 404/],
  ['inventory', 'the application without DEFAULT_ORG_ID', (sc) => ((sc.app.flaws.noDefaultOrg = true), {}), 'default-org-env', /the body does not contain ""defaultOrgId":"org_00001""/],
  ['inventory', 'no backup monitoring job', (sc) => (sc.npm.answer('npm run ops:jobs', OPS_JOBS.replace(/^backup-monitor.*\n/m, '')), {}), 'backup-monitoring', /^the command's stdout does not match \/\^backup-monitor \+scheduled\//],
  ['inventory', 'no reconciliation job', (sc) => (sc.npm.answer('npm run ops:jobs', OPS_JOBS.replace(/^reconcile-balances.*\n/m, '')), {}), 'reconciliation-job', /^the command's stdout does not match \/\^reconcile-balances \+scheduled\//],
  ['inventory', 'no alerts', (sc) => (sc.npm.answer('npm run ops:jobs', OPS_JOBS.replace(/^alerts.*\n/m, '')), {}), 'alerts', /^the command's stdout does not match \/\^alerts \+configured\//],
  ['inventory', 'the isolation suite failing', (sc) => (sc.npm.fail('npm run test:isolation'), {}), 'isolation-tests', /^the command exited with 1, expected 0/],
];

describe('the application steps stop the run at the step whose claim is false', () => {
  it('004 clean run: both notices sent, the deploy, authentication, inventory queries and cross-org access checked from outside, the isolation suite run in the checkout', async () => {
    const sc = await scenario('inventory', 'app_clean', 400);
    try {
      const status = await sc.run();
      expect(failures(status)).toEqual([]);
      expect(sc.app.notices.map((n) => [n.step, n.text])).toEqual([
        ['notify-start', expect.stringMatching(/^Inventory maintenance on rb34_inventory_app_clean_\d+ starts now: brief downtime possible \(run run_/)],
        ['notify-done', expect.stringMatching(/^Inventory maintenance on rb34_inventory_app_clean_\d+ is complete: every step passed/)],
      ]);
      expect(sc.app.seen).toEqual(expect.arrayContaining(['GET /api/health', 'GET /api/items', 'GET /api/items/item-b-canary']));
      expect(sc.npm.calls()).toEqual(['test:isolation', 'ops:jobs', 'ops:jobs', 'ops:jobs'].map((a) => `${sc.env().APP_DIR}: npm run ${a}`));
      const ev = status.steps.find((s) => s.id === 'isolation-tests')!.evidence!;
      expect(ev.counts.exitCode).toBe(0);
    } finally {
      await sc.close();
    }
  }, 180_000);

  it('003 clean run: the start, progress and completion notices sent, both segregation suites run in the checkout, org B\'s credential refused to org A', async () => {
    const sc = await scenario('credentials', 'app_clean', 400);
    try {
      const status = await sc.run();
      expect(failures(status)).toEqual([]);
      expect(sc.app.notices.map((n) => n.step)).toEqual(['notify-start', 'notify-progress', 'notify-done']);
      expect(sc.app.notices[2]!.text).toMatch(/^Credentials migration on rb34_credentials_app_clean_\d+ is complete: every check passed/);
      const dir = sc.env().APP_DIR;
      expect(sc.npm.calls()).toEqual([`${dir}: pytest tests/test_tenant_credentials_rls.py`, `${dir}: npx playwright test web2-e2e/credentials.spec.ts`]);
      expect(sc.app.seen).toContain('GET /api/credentials/cred-b-canary');
    } finally {
      await sc.close();
    }
  }, 180_000);

  it.each(APP_FLAWS)('%s with %s stops at the step that names it', async (id, what, plant, stopAt, message) => {
    const sc = await scenario(id, `app_${what.replace(/\W+/g, '_').slice(0, 20)}`, 400);
    try {
      const env = plant(sc);
      const status = await sc.run(undefined, { env });
      const failed = status.steps.filter((s) => s.state === 'failed');
      expect(failed.map((s) => s.id)).toEqual([stopAt]);
      expect(failed[0]!.error).toMatch(message);
      expect(status.complete).toBe(false);
    } finally {
      await sc.close();
    }
  }, 180_000);

  it('004 on production refuses to start outside its maintenance window (sun 02:00-04:00 UTC), nothing written; inside it, it runs to the end', async () => {
    const sc = await scenario('inventory', 'window', 400, { environment: 'production' });
    try {
      const before = await wholeState(sc);
      await expect(sc.run(undefined, { now: new Date('2026-12-02T12:00:00Z') })).rejects.toThrow(/^outside the maintenance window \(sun 02:00-04:00 UTC\): it is wed 12:00 UTC and the target is production; nothing ran/);
      expect(await wholeState(sc)).toEqual(before);
      const status = await sc.run(undefined, { now: new Date('2026-12-06T02:30:00Z') });
      expect(failures(status)).toEqual([]);
      expect(status.complete).toBe(true);
    } finally {
      await sc.close();
    }
  }, 180_000);
});

describe('a partial run continues where it stopped ("column already exists", "safe to run again")', () => {
  it.each([['inventory', 'npm run test:isolation', 'isolation-tests', ['migrate-organizations', 'migrate-balance-table', 'apply-trigger', 'backfill-balances']],
    ['credentials', 'pytest tests/test_tenant_credentials_rls.py', 'segregation-backend', ['expand', 'backfill-credentials', 'orphans']]] as const)(
    '%s: stopped at a late step, fixed, continued: nothing that committed runs again and the run completes', async (id, failing, stopAt, wrote) => {
      const sc = await scenario(id, 'continue', 400);
      try {
        sc.npm.fail(failing);
        const first = await sc.run();
        expect(first.steps.filter((s) => s.state === 'failed').map((s) => s.id)).toEqual([stopAt]);
        const fixed = fakeNpm();
        const again = await sc.run(undefined, { run: first.run, env: fixed.env });
        expect(failures(again)).toEqual([]);
        expect(again.complete).toBe(true);
        expect(again.run).toBe(first.run);
        // The writing steps passed once, in the first attempt: each has one step-passed line in the journal.
        const journal = fs.readFileSync(path.join(sc.runsDir, first.run, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: { type: string; step?: string } });
        for (const step of wrote) expect([step, journal.filter((l) => l.event.type === 'step-passed' && l.event.step === step).length]).toEqual([step, 1]);
        expect(fixed.calls()).toContain(`${fixed.env.APP_DIR}: ${failing}`);
      } finally {
        await sc.close();
      }
    }, 240_000);
});

describe('rehearsed on staging first', () => {
  it.each(['inventory', 'credentials'] as const)('%s: without a staging run the run stops at rehearsed; a staging run that failed at an application step is named; after one that completed, the run passes naming it', async (id) => {
    const staging = await scenario(id, 'staging', 400, { environment: 'staging' });
    const prod = await scenario(id, 'prod', 400, { runsDir: staging.runsDir });
    try {
      const none = await prod.run(undefined, { rehearse: true });
      expect(none.steps.filter((s) => s.state === 'failed').map((s) => [s.id, s.error])).toEqual([
        ['rehearsed', expect.stringMatching(/^no completed run on staging: no run of ".*" recorded environment staging/)],
      ]);
      // The application misbehaves on staging: the rehearsal run stops there, and that is named.
      staging.app.flaws.leakReads = true;
      const failed = await staging.run(undefined, { rehearse: true });
      const stoppedAt = id === 'inventory' ? 'cross-org-read' : 'cross-tenant-read';
      expect(failed.steps.filter((s) => s.state === 'failed').map((s) => s.id)).toEqual([stoppedAt]);
      const afterFailed = await prod.run(undefined, { rehearse: true });
      expect(afterFailed.steps.find((s) => s.id === 'rehearsed')!.error).toMatch(new RegExp(`^the staging run ${failed.run} failed at step ${stoppedAt}: `));
      // Rehearsed again on a fresh staging copy, the application fixed.
      const again = await scenario(id, 'staging2', 400, { environment: 'staging', runsDir: staging.runsDir });
      try {
        const ok = await again.run(undefined, { rehearse: true });
        expect(failures(ok)).toEqual([]);
        expect(ok.steps.find((s) => s.id === 'rehearsed')!.evidence!.result).toMatch(/staging/);
        const passed = await prod.run(undefined, { rehearse: true });
        expect(failures(passed)).toEqual([]);
        expect(passed.steps.find((s) => s.id === 'rehearsed')!.evidence!.refs.run).toBe(ok.run);
      } finally {
        await again.close();
      }
    } finally {
      await prod.close();
      await staging.close();
    }
  }, 300_000);
});
