/**
 * What a step would send, before it runs: every write's full SQL, for the checklist's
 * confirmation. Read-only: it reads the ledger, the model and the catalogs, plans, and sends
 * nothing that writes. An `sql` step shows the parser's own slices (exactly what runs); a
 * migration its whole file; a contract its plan as of now (it is planned again from the catalogs
 * when it runs, and the digest below tells the host whether that is still what was confirmed); a
 * backfill one batch's statements with placeholders; a backup its copy statement; a probe its
 * statements (rolled back). Manual steps, preflight and checks without a probe write nothing.
 */
import crypto from 'node:crypto';
import type { RunbookStep } from '../../../shared/runbook.js';
import type { ModelSettings } from '../../../shared/model.js';
import { describeBatch } from '../backfill/sql.js';
import { resolveBackfillTarget } from '../backfill/target.js';
import { CONSOLE_SCHEMA } from '../config.js';
import { planContract } from '../contract/apply.js';
import { parseQualifiedName, qualified } from '../ident.js';
import { pendingMigrations } from '../migrations/apply.js';
import { readSource } from '../migrations/sources.js';
import { migrationStatus } from '../migrations/status.js';
import { loadModel } from '../model/load.js';
import { planDistribute } from './distribute-step.js';
import { distributeFunction } from '../../../shared/distribute-step.js';
import type { Session } from '../session.js';
import { checkRunbookSql } from './sql-guard.js';
import { resolveCommand } from './command-step.js';
import { displayUrl, resolveUrl } from './http-step.js';
import { shellLine } from '../../../shared/runbook-env.js';

/** One statement a step would send, with what it is. */
export interface PreviewStatement {
  /** What this is, e.g. "migration 0007_tenant_organizations (whole file)". */
  label: string;
  sql: string;
}

/** A step's writes, before it runs. */
export interface StepPreview {
  step: string;
  /** Whether running it changes the database (a probe counts: it writes, then is rolled back). */
  writes: boolean;
  statements: PreviewStatement[];
  /** Anything the operator should know about the statements (generated per batch, planned again, ...). */
  notes: string[];
  /** sha256 of the statements: the host refuses a confirmation whose digest is no longer the step's. */
  digest: string;
}

/** What previewing needs beyond the session. */
export interface PreviewContext {
  settings: ModelSettings;
  rlsRole?: string;
  rlsSetting?: string;
  /** Resolve a runbook folder (next to the runbook, then shipped with the console). */
  resolve: (folder: string) => string;
  /** The runbook's directory (a command's default cwd). */
  baseDir?: string;
  /** Where `${VAR}` comes from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

function digestOf(statements: readonly PreviewStatement[]): string {
  const h = crypto.createHash('sha256');
  for (const s of statements) h.update(`${s.label}\n${s.sql}\n\0`);
  return h.digest('hex');
}

function result(step: string, writes: boolean, statements: PreviewStatement[], notes: string[] = []): StepPreview {
  return { step, writes, statements, notes, digest: digestOf(statements) };
}

async function parsed(sql: string, use: 'sql' | 'probe'): Promise<string[]> {
  const r = await checkRunbookSql({ sql, use });
  if (r.problem) throw new Error(`the ${use === 'probe' ? 'probe' : 'SQL'} ${r.problem}`);
  return r.statements.map((s) => s.text);
}

/** The statements `step` would send now. */
export async function previewStep(session: Session, step: RunbookStep, ctx: PreviewContext): Promise<StepPreview> {
  switch (step.kind) {
    case 'manual':
    case 'preflight':
      return result(step.id, false, []);
    case 'check': {
      if (!step.expect.fails) return result(step.id, false, [], ['read only: the check queries run in READ ONLY transactions']);
      const sts = await parsed(step.expect.fails.sql, 'probe');
      return result(step.id, true, sts.map((sql, i) => ({ label: `probe statement ${i + 1} (in a savepoint, always rolled back)`, sql })));
    }
    case 'sql': {
      const sts = await parsed(step.sql, 'sql');
      return result(step.id, true, sts.map((sql, i) => ({ label: `statement ${i + 1} of ${sts.length} (one transaction)`, sql })));
    }
    case 'migrate': {
      const source = readSource(ctx.resolve(step.dir));
      if (step.to !== undefined) {
        const known = (await migrationStatus(session, source)).migrations.find((m) => m.id === step.to);
        if (known?.state === 'applied') return result(step.id, false, [], [`${step.to} is already applied: nothing to apply`]);
      }
      const pending = await pendingMigrations(session, source, step.to);
      return result(step.id, pending.length > 0, pending.map((m) => ({ label: `migration ${m.id}${m.file ? ` (${m.file}, whole file)` : ''}`, sql: m.sql ?? '-- (no SQL file)' })));
    }
    case 'contract': {
      const model = await loadModel(session, ctx.settings);
      const tables = step.tables === 'all'
        ? model.tables.filter((t) => t.role === 'tenant' && t.tenantColumn).map((t) => qualified(t.schema, t.table))
        : step.tables;
      const statements: PreviewStatement[] = [];
      for (const t of tables) {
        const plan = await planContract(model, t, step.steps, { rlsRole: ctx.rlsRole, rlsSetting: ctx.rlsSetting, serverVersionNum: session.fingerprint.serverVersionNum, session });
        statements.push(...plan.statements.map((s) => ({ label: `${t}: ${s.why}`, sql: s.sql })));
      }
      if (step.plan) return result(step.id, false, [], [`a proposal: ${statements.length} statement(s) are shown in its evidence; nothing runs`]);
      return result(step.id, statements.length > 0, statements, ['planned from the catalogs as they are now; each statement runs in its own transaction (CONCURRENTLY ones outside any)']);
    }
    case 'backfill': {
      const target = await resolveBackfillTarget(session, step.table, step.tenantColumn, step.source);
      const batches = [{ label: `one batch of ${step.batchSize} rows, one statement (repeated until no NULL is left; <last key> is bound per batch)`, sql: describeBatch(target, step.source, step.batchSize) }];
      if (target.integerKey) {
        batches.push({ label: `where the key values are dense, a batch takes the next ${step.batchSize} key values instead of counting keys (docs/backfill.md, Which walk)`, sql: describeBatch(target, step.source, step.batchSize, 'range') });
      }
      return result(step.id, true, batches);
    }
    case 'backup':
      return result(step.id, true, step.tables.map((t) => {
        const name = parseQualifiedName(t);
        return { label: `backup of ${t} (a copy in ${CONSOLE_SCHEMA}, its checksum and a metadata row)`, sql: `CREATE TABLE ${qualified(CONSOLE_SCHEMA, '<backup table>')} AS SELECT * FROM ${qualified(name.schema, name.table)}` };
      }), ['backup table names are made when the step runs', ...(step.dump ? ['each table is also pg_dumped (from the same snapshot) into the run folder: a file on this machine, off the server'] : [])]);
    case 'restore':
      return result(step.id, true, [{ label: `${step.dryRun ? 'rehearsal (rolled back)' : 'restore'} of ${step.table} from step ${step.backup}`, sql: `-- restore ${step.table} (${step.scope}, ${step.strategy}) from the backup step ${step.backup} made; the wizard's statements are journaled` }]);
    case 'distribute': {
      const plan = await planDistribute(session, step);
      return result(step.id, true, [{ label: `${distributeFunction(step)} on ${step.table}`, sql: plan.shown }]);
    }
    case 'command':
    case 'http':
    case 'notify':
    case 'rehearsal':
      return outsidePreview(step, ctx);
  }
}

/** Steps outside the database: a command's argv, a request's URL, a webhook's host, shown before they run. */
function outsidePreview(step: Extract<RunbookStep, { kind: 'command' | 'http' | 'notify' | 'rehearsal' }>, ctx: PreviewContext): StepPreview {
  const env = ctx.env ?? process.env;
  switch (step.kind) {
    case 'command': {
      const r = resolveCommand(step, ctx.baseDir ?? process.cwd(), env);
      const argv = r.ok ? r.shown : step.run;
      return result(step.id, true, [{ label: `command (argv, no shell)${r.ok ? ` in ${r.cwd}` : ''}`, sql: shellLine(argv) }], [
        'a program of the team\'s: it runs only from the CLI with --allow-commands, never from the UI',
        ...(r.ok ? [] : [`\${${r.missing}} is not set (${r.field}): the step fails until it is`]),
      ]);
    }
    case 'http': {
      const r = resolveUrl(step.request.url, env);
      return result(step.id, false, [{ label: 'one request (redirects not followed)', sql: `${step.request.method} ${r.ok ? displayUrl(r.url) : step.request.url}` }], r.ok ? [] : [`${r.problem}: the step fails until it is`]);
    }
    case 'notify': {
      const raw = env[step.webhookEnv];
      let host: string | null;
      try {
        host = raw ? new URL(raw).host : null;
      } catch {
        host = null;
      }
      return result(step.id, false, [{ label: `webhook POST (JSON {text, run, step, runbook})`, sql: `POST ${host ? `${host}/...` : `\${${step.webhookEnv}}`}: ${step.message}` }], host ? [] : [`\${${step.webhookEnv}} is not set to a URL: the step fails until it is`]);
    }
    case 'rehearsal':
      return result(step.id, false, [], [`reads the runs folder: a completed run of this runbook (same steps) on ${step.environment} within ${step.withinDays} day(s)`]);
  }
}
