/**
 * Templates 003 and 004 end to end on their demo scenarios (with pg_dump backups where this
 * machine's pg_dump can dump the server), their rollback sections, and the defects each exists to
 * catch: planted, the run stops at the step that names it; each with its clean twin (the plain run).
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../shared/runbook.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { loadScenario } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
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
  run: (edit?: (text: string) => string) => Promise<RunStatus>;
  close: () => Promise<void>;
}

async function scenario(id: ScenarioId, tag: string, rows: number): Promise<Scenario> {
  const database = `rb34_${id}_${tag}_${process.pid}`;
  made.push(database);
  const db = await loadScenario(adminUrl(), demoScenario(id)!, rows, { database, reuse: false });
  const { profile, urlPassword } = profileFromUrl(db.url, { statementTimeoutMs: 120_000 });
  const session = await Session.open(profile, { password: urlPassword });
  await session.enableWrite();
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  const runsDir = path.join(tempConfigDir(), 'runs');
  const dumps = await pgDumpCanDump(session);
  const file = path.join(TEMPLATES, FILES[id]);
  return {
    session, runsDir, dumps, exec: (sql) => admin.query(sql),
    run: async (edit = (t) => t) => {
      const original = fs.readFileSync(file, 'utf8');
      // Where this machine's pg_dump is older than the server, the backup steps keep only their tables.
      const text = edit(dumps ? original : withoutDumps(original));
      const parsed = parseRunbookText(text);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      return runRunbook({
        session, file, runbook: parsed.runbook, text, operator: 'template-test', runsDir, ci: true, env: CI_ENV,
        signOff: (s) => ({ note: s.checklist.length ? undefined : `rehearsal: ${s.title}`, lines: Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) }),
      });
    },
    close: async () => {
      await admin.end();
      await session.close();
    },
  };
}

const failures = (s: RunStatus) => s.steps.filter((x) => x.state !== 'passed').map((x) => `${x.id} ${x.state}: ${x.error}`);

const md5 = async (sc: Scenario, table: string) => (await sc.exec(`SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h FROM ${table} t`)).rows[0].h as string;
const num = async (sc: Scenario, sql: string) => Number((await sc.exec(sql)).rows[0].n);

/** Run the template, its promises checked independently, then its rollback section. */
async function endToEnd(sc: Scenario, id: ScenarioId): Promise<{ status: RunStatus; back: RunStatus }> {
  const status = await sc.run();
  expect(failures(status)).toEqual([]);
  expect(status.complete).toBe(true);
  const dir = path.join(sc.runsDir, status.run);
  expect(verifySignedJournal(dir, { run: status.run })).toMatchObject({ ok: true });
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
    session: sc.session, run: status.run, reason: 'template test', operator: 'dba', runsDir: sc.runsDir, ci: true, env: CI_ENV,
    signOff: (s) => ({ lines: Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) }),
  });
  expect(back.rollback!.steps.filter((s) => s.state !== 'passed').map((s) => `${s.id}: ${s.error}`)).toEqual([]);
  expect(back.rollback!.complete).toBe(true);
  expect(verifySignedJournal(dir, { run: status.run })).toMatchObject({ ok: true });
  return { status, back };
}

describe('template 004 (inventory)', () => {
  it('runs end to end: ledger backed up (and dumped with its partitions), orphans quarantined not reassigned, balances reconciled; the rollback puts every row back', async () => {
    const sc = await scenario('inventory', 'e2e', 2000);
    try {
      const orphans = await num(sc, "SELECT count(*) AS n FROM audit_logs WHERE org_id LIKE 'org_deleted_%'");
      const firstOrg = await num(sc, "SELECT count(*) AS n FROM audit_logs WHERE org_id = (SELECT min(id) FROM organizations)");
      expect(orphans).toBeGreaterThan(0);
      const before = { audit: await md5(sc, 'audit_logs'), lines: await md5(sc, 'count_lines') };
      const { status } = await endToEnd(sc, 'inventory');
      const backup = status.steps.find((s) => s.id === 'backup')!.evidence!;
      expect(backup.counts['public.inventory_ledger']).toBe(2000);
      if (sc.dumps) expect(fs.readFileSync(backup.refs['dump:public.inventory_ledger']!, 'utf8')).toMatch(/COPY public\.inventory_ledger_2024h1 /);
      // Quarantined, never reassigned: the first organization has exactly the rows it had.
      expect(status.steps.find((s) => s.id === 'quarantine-orphans')!.evidence!.counts.rows).toBe(orphans);
      expect(status.steps.find((s) => s.id === 'trigger-keeps-balance')!.evidence!.refs.probeError).toMatch(/^23505 duplicate key value violates unique constraint "inventory_balances_pkey"/);
      // After the rollback: the orphans are back where they were, the quarantine is empty, count_lines as before.
      expect(await num(sc, "SELECT count(*) AS n FROM audit_logs WHERE org_id LIKE 'org_deleted_%'")).toBe(orphans);
      expect(await num(sc, 'SELECT count(*) AS n FROM quarantined_audit_logs')).toBe(0);
      expect(await num(sc, "SELECT count(*) AS n FROM audit_logs WHERE org_id = (SELECT min(id) FROM organizations)")).toBe(firstOrg);
      expect({ audit: await md5(sc, 'audit_logs'), lines: await md5(sc, 'count_lines') }).toEqual(before);
      expect(await num(sc, "SELECT count(*) AS n FROM pg_constraint WHERE conname LIKE '%\\_fkey\\_tenant'")).toBe(0);
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
      expect(rehearsal.result).toMatch(/^dry run \(rolled back\): \d+ row\(s\) put back .* checksum verified$/);
      expect({ reports: await md5(sc, 'reports'), layouts: await md5(sc, 'dashboard_layouts'), grants: await md5(sc, 'tenant_credentials'), credentials: await md5(sc, 'credentials') }).toEqual(before);
      expect(await num(sc, "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'dashboard_layouts' AND column_name = 'org_id'")).toBe(0);
    } finally {
      await sc.close();
    }
  }, 240_000);
});

const PLANTED: [ScenarioId, string, string, string, RegExp][] = [
  ['inventory', 'a balance row that disagrees with the ledger', "UPDATE inventory_balances SET on_hand = on_hand + 5 WHERE (org_id, item_id, location_id, lot_id) = (SELECT org_id, item_id, location_id, lot_id FROM inventory_balances ORDER BY 1, 2, 3, 4 LIMIT 1)",
    'balances', /^the query returned 1 row\(s\), expected 0: org_\d+ item \d+ location \d+ lot '.*': ledger -?[\d.]+, balance -?[\d.]+$/],
  ['inventory', 'the balance trigger disabled', 'ALTER TABLE inventory_ledger DISABLE TRIGGER inventory_ledger_balance_trigger',
    'balance-trigger', /^the query returned 1 row\(s\), expected 0: inventory_ledger_balance_trigger is disabled \(tgenabled = D\)$/],
  ['inventory', 'an orphan in a table without the FK', `ALTER TABLE feature_flags DROP CONSTRAINT "feature_flags_orgId_fkey"; INSERT INTO feature_flags (org_id, key) VALUES ('org_gone', 'ghost')`,
    'no-orphans', /^orphan-tenant-rows: public\.feature_flags$/],
  ['credentials', 'a report filed under another org than its credential', 'UPDATE reports SET org_id = (SELECT id FROM orgs ORDER BY id DESC LIMIT 1) WHERE id = (SELECT r.id FROM reports r JOIN credentials c ON c.id = r.credential_id WHERE c.org_id <> (SELECT id FROM orgs ORDER BY id DESC LIMIT 1) AND r.org_id IS NOT NULL ORDER BY r.id LIMIT 1)',
    'contract', /^public\.reports: statement \d+ failed: .*reports_credential_id_fkey_tenant/],
];

describe('templates 003 and 004 stop at the step whose defect is planted', () => {
  it.each(PLANTED)('%s with %s stops at the step that names it', async (id, _what, plant, stopAt, message) => {
    const sc = await scenario(id, stopAt.replace(/-/g, '_'), 400);
    try {
      await sc.exec(plant);
      const status = await sc.run();
      const failed = status.steps.filter((s) => s.state === 'failed');
      expect(failed.map((s) => s.id)).toEqual([stopAt]);
      expect(failed[0]!.error).toMatch(message);
      expect(status.complete).toBe(false);
    } finally {
      await sc.close();
    }
  }, 180_000);

  it.each([['inventory', 'credentials'], ['credentials', 'inventory']] as const)('the %s template on the %s database (the wrong target) stops at preflight, before the backup', async (id, other) => {
    const sc = await scenario(other, `wrong_${id}`, 200);
    try {
      const file = path.join(TEMPLATES, FILES[id]);
      const text = withoutDumps(fs.readFileSync(file, 'utf8'));
      const parsed = parseRunbookText(text);
      if (!parsed.ok) throw new Error('template does not parse');
      const status = await runRunbook({ session: sc.session, file, runbook: parsed.runbook, text, operator: 'template-test', runsDir: sc.runsDir, ci: true, env: CI_ENV, signOff: () => null });
      expect(status.steps.filter((s) => s.state !== 'pending').map((s) => `${s.id} ${s.state}`)).toEqual(['preflight failed']);
      expect(status.steps[0]!.error).toMatch(/^preflight: expected the application's table public\.(organizations|credentials), found no such table in rb34_/);
    } finally {
      await sc.close();
    }
  }, 120_000);
});
