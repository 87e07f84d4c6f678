/**
 * Run a runbook template (or an edited copy of its text) against a scenario database, the way the
 * template tests do: CI identity for approvals, every checklist line signed as a rehearsal.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { runChecks } from '../../main/engine/checks/run.js';
import { loadScenario } from '../../main/engine/demo/load.js';
import type { DemoScenario } from '../../main/engine/demo/scenarios.js';
import { loadModel } from '../../main/engine/model/load.js';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';
import { rollbackRun } from '../../main/engine/runbook/rollback.js';
import { runRunbook } from '../../main/engine/runbook/run.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import type { Runbook, RunStatus } from '../../shared/runbook.js';
import { tempConfigDir } from './cli.js';
import { adminUrl } from './db.js';
import { pgDumpCanDump, withoutDumps } from './pg-dump.js';

/** The shipped templates' folder. */
export const TEMPLATES = path.resolve(import.meta.dirname, '../../runbooks/templates');

/** A template's text by file name. */
export function templateText(file: string): string {
  return fs.readFileSync(path.join(TEMPLATES, file), 'utf8');
}

/** Databases made by `scenarioDatabase`, to drop in afterAll. */
export const madeDatabases: string[] = [];

/** Drop every database `scenarioDatabase` made. */
export async function dropMadeDatabases(): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  for (const d of madeDatabases.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(d)} WITH (FORCE)`);
  await c.end();
}

let made = 0;
/** A fresh database loaded with `scenario`; its URL. */
export async function scenarioDatabase(scenario: DemoScenario, rows = 500): Promise<string> {
  const database = `rb_t_${scenario.id.replaceAll('-', '_')}_${(made += 1)}_${process.pid}`;
  madeDatabases.push(database);
  return (await loadScenario(adminUrl(), scenario, rows, { database, reuse: false })).url;
}

/** One query's rows on `url`. */
export async function queryRows<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** GitHub Actions' identity for template 002's approval step. */
export const CI_ENV = { GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'octo-approver', GITHUB_RUN_ID: '4242', GITHUB_WORKFLOW: 'tenant-migrations', GITHUB_ENVIRONMENT: 'production', GITHUB_EVENT_NAME: 'workflow_dispatch' };

/** What a template test may change about a run: its environment, clock, target environment, file. */
export interface TemplateRunOptions {
  /** Over the console's own environment, CI_ENV and DATABASE_URL = the target (as the CI job maps its secret). */
  env?: Record<string, string | undefined>;
  /** The clock the maintenance window is read against. */
  now?: Date;
  /** The target's profile environment (default development, like the demo's). */
  environment?: 'development' | 'staging' | 'production';
  /** Where the runbook file is (its folder is what noPasswordsIn: ["."] scans); default the template's. */
  runbookFile?: string;
  /** Run command steps (--allow-commands); default true. */
  allowCommands?: boolean;
}

/** The environment a template run sees: the console's, CI's identity, DATABASE_URL, then `extra` (undefined unsets). */
export function templateEnv(url: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AUTO_RUN_MIGRATIONS: undefined, ...CI_ENV, DATABASE_URL: url, ...extra };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

/** What a template run gives back. */
export interface TemplateRun {
  status: RunStatus;
  runbook: Runbook;
  runDir: string;
  runsDir: string;
  /** "step state detail" per step event, for failure messages. */
  log: string[];
}

/** Run `text` (a template's, maybe edited) to where it stops, on `url`, with write mode on. */
export async function runTemplateText(url: string, file: string, original: string, runsDir = path.join(tempConfigDir(), 'runs'), opts: TemplateRunOptions = {}): Promise<TemplateRun> {
  const { profile, urlPassword } = profileFromUrl(url, { statementTimeoutMs: 120_000, ...(opts.environment ? { environment: opts.environment } : {}) });
  const session = await Session.open(profile, { password: urlPassword });
  // On production the operator types the database name (--confirm-db).
  await session.enableWrite(profile.database);
  const log: string[] = [];
  try {
    // Where this machine's pg_dump is older than the server, the backup steps keep only their tables.
    const text = (await pgDumpCanDump(session)) ? original : withoutDumps(original);
    const parsed = parseRunbookText(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const status = await runRunbook({
      session, file: opts.runbookFile ?? path.join(TEMPLATES, file), runbook: parsed.runbook, text, operator: 'template-test', runsDir, ci: true, env: templateEnv(url, opts.env), now: opts.now, allowCommands: opts.allowCommands ?? true,
      signOff: (s) => ({ note: s.checklist.length ? undefined : `rehearsal: ${s.title}`, lines: Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) }),
      onStep: (s, state, detail) => log.push(`${s.id} ${state} ${detail ?? ''}`),
    });
    return { status, runbook: parsed.runbook, runDir: path.join(runsDir, status.run), runsDir, log };
  } finally {
    await session.close();
  }
}

/** Whether this machine's pg_dump can dump the server `url` points at (template backups use dump: true). */
export async function pgDumpCanDumpUrl(url: string): Promise<boolean> {
  const { profile, urlPassword } = profileFromUrl(url);
  const session = await Session.open(profile, { password: urlPassword });
  try {
    return await pgDumpCanDump(session);
  } finally {
    await session.close();
  }
}

/** Run the rollback section of `run` (every checklist line signed as a rehearsal). */
export async function rollbackTemplateRun(url: string, run: TemplateRun, env: Record<string, string | undefined> = {}): Promise<RunStatus> {
  const { profile, urlPassword } = profileFromUrl(url, { statementTimeoutMs: 120_000 });
  const session = await Session.open(profile, { password: urlPassword });
  await session.enableWrite();
  try {
    return await rollbackRun({
      session, run: run.status.run, reason: 'template test', operator: 'template-test', runsDir: run.runsDir, ci: true, env: templateEnv(url, env), allowCommands: true,
      signOff: (s) => ({ lines: Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) }),
    });
  } finally {
    await session.close();
  }
}

/** md5 of a table's rows (order-independent), to compare before and after. */
export async function tableMd5(url: string, table: string): Promise<string> {
  const [r] = await queryRows<{ h: string }>(url, `SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h FROM ${table} t`);
  return r!.h;
}

/** Findings of the runbook's promised checks in an exact check run of its own, independent of the run (expected: none). */
export async function promisedFindings(url: string, runbook: Runbook): Promise<string[]> {
  const { profile, urlPassword } = profileFromUrl(url, { statementTimeoutMs: 120_000 });
  const session = await Session.open(profile, { password: urlPassword });
  try {
    const model = await loadModel(session, { ...runbook.settings.tenancy });
    const run = await runChecks(session, model, { mode: 'exact', rlsRole: runbook.settings.rlsRole, rlsSetting: runbook.settings.rlsSetting });
    if (runbook.promises.length === 0) throw new Error('the runbook promises nothing');
    return run.findings.filter((f) => runbook.promises.includes(f.check)).map((f) => `${f.check} ${f.schema}.${f.table}`);
  } finally {
    await session.close();
  }
}

/** The steps that did not pass, as "id: error". */
export function notPassed(status: RunStatus): string[] {
  return status.steps.filter((s) => s.state !== 'passed').map((s) => `${s.id}: ${s.error}`);
}

/** The failed steps of a run, each with its error. */
export function failedStep(s: { steps: { id: string; state: string; error: string | null }[] }): { id: string; error: string | null }[] {
  return s.steps.filter((x) => x.state === 'failed').map((x) => ({ id: x.id, error: x.error }));
}

/** Insert `step` (YAML lines, two-space indented list item) before the step with id `before`. */
export function insertStepBefore(text: string, before: string, step: string): string {
  const marker = `  - id: ${before}\n`;
  if (!text.includes(marker)) throw new Error(`no step ${before} in the template`);
  return text.replace(marker, `${step.endsWith('\n') ? step : `${step}\n`}${marker}`);
}
