/**
 * What each step kind does, over one session. Every executor returns the evidence (what ran, the
 * result, counts, digests and ids) or throws a StepFailure carrying the evidence of the failure.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BackfillProgress } from '../../../shared/backfill.js';
import type { Evidence, RunbookStep } from '../../../shared/runbook.js';
import type { ModelSettings } from '../../../shared/model.js';
import type { PauseController } from '../backfill/pause.js';
import { startOrResumeBackfill } from '../backfill/run.js';
import { createBackup } from '../backup/create.js';
import { restoreBackup } from '../backup/restore.js';
import { parseScope } from '../backup/scope.js';
import { runChecks } from '../checks/run.js';
import { applyContract, planContract } from '../contract/apply.js';
import { parseQualifiedName } from '../ident.js';
import { applyMigrations } from '../migrations/apply.js';
import { preflight } from '../migrations/preflight.js';
import { readSource } from '../migrations/sources.js';
import { loadModel } from '../model/load.js';
import { projectRoot } from '../paths.js';
import { canonicalize, sha256Hex } from '../report/canonical.js';
import { exportReport } from '../report/export.js';
import { writeReportJson } from '../report/file.js';
import type { Session } from '../session.js';
import type { Journal } from './journal.js';

/** A step whose expectation was not met: the evidence says what was found. */
export class StepFailure extends Error {
  constructor(message: string, readonly evidence: Evidence) {
    super(message);
    this.name = 'StepFailure';
  }
}

/** What every step executor gets. */
export interface StepContext {
  session: Session;
  /** Directory of the runbook file: relative folders resolve here first, then in the console's own tree. */
  baseDir: string;
  run: string;
  journal: Journal;
  operator: string;
  settings: ModelSettings;
  rlsRole?: string;
  rlsSetting?: string;
  signal?: AbortSignal;
  onBackfill?: (e: BackfillProgress) => void;
  pause?: PauseController;
}

const evidence = (e: Partial<Evidence> & { result: string }): Evidence => ({ ran: [], counts: {}, refs: {}, ...e });

/** Resolve a folder named in a runbook: absolute, next to the runbook, or shipped with the console. */
export function resolveFolder(baseDir: string, folder: string): string {
  if (path.isAbsolute(folder)) return folder;
  const local = path.resolve(baseDir, folder);
  if (fs.existsSync(local)) return local;
  const shipped = path.resolve(projectRoot(), folder);
  return fs.existsSync(shipped) ? shipped : local;
}

function quotedName(schema: string, table: string): string {
  return `"${schema.replaceAll('"', '""')}"."${table.replaceAll('"', '""')}"`;
}

/** Run one non-manual step. */
export async function executeStep(ctx: StepContext, step: Exclude<RunbookStep, { kind: 'manual' }>): Promise<Evidence> {
  const { session } = ctx;
  switch (step.kind) {
    case 'preflight': {
      const source = readSource(resolveFolder(ctx.baseDir, step.folder));
      const p = await preflight(session, source);
      const errors = p.issues.filter((i) => i.severity === 'error');
      const ev = evidence({
        ran: [`preflight ${source.kind} ${p.dir}`], result: `${p.applied} applied, ${p.pending} pending, ${p.issues.length} issue(s)`,
        counts: { applied: p.applied, pending: p.pending, errors: errors.length, issues: p.issues.length },
        refs: { database: p.database.database, ledger: `${p.ledger.schema}.${p.ledger.table}`, ...(p.git ? { git: JSON.stringify(p.git) } : {}) },
      });
      if (errors.length) throw new StepFailure(`preflight: ${errors.map((e) => e.message).join('; ')}`, ev);
      return ev;
    }
    case 'backup': {
      const refs: Record<string, string> = {};
      const counts: Record<string, number> = {};
      for (const t of step.tables) {
        const b = await createBackup(session, parseQualifiedName(t), { runbookRunId: ctx.run, operator: ctx.operator });
        refs[t] = String(b.id);
        counts[t] = b.rowCount;
      }
      return evidence({ ran: step.tables.map((t) => `backup ${t} -> backup ${refs[t]}`), result: `${step.tables.length} backup(s) made`, counts, refs });
    }
    case 'migrate': {
      const source = readSource(resolveFolder(ctx.baseDir, step.folder));
      const r = await applyMigrations(session, source, { upTo: step.to, ack: step.ack, signal: ctx.signal });
      const ev = evidence({ ran: r.applied.map((a) => `migration ${a.id}`), result: `${r.applied.length} migration(s) applied`, counts: { applied: r.applied.length, skipped: r.skipped.length } });
      if (r.failed) throw new StepFailure(`migration ${r.failed.id} failed: ${r.failed.error}`, { ...ev, result: `failed at ${r.failed.id}: ${r.failed.error}` });
      return ev;
    }
    case 'backfill': {
      const r = await startOrResumeBackfill(session, { table: step.table, column: step.column, source: step.source }, {
        batchSize: step.batch, throttleMs: step.throttleMs, run: ctx.run, operator: ctx.operator, signal: ctx.signal, onProgress: ctx.onBackfill, pause: ctx.pause,
      });
      const ev = evidence({
        ran: [`backfill ${r.id}: ${step.table}.${step.column} from ${step.source.kind}`], result: `${r.rowsDone} rows filled in ${r.batches} batches, ${r.nullsLeft} NULL left`,
        counts: { rowsDone: r.rowsDone, batches: r.batches, nullsLeft: r.nullsLeft }, refs: { backfill: r.id },
      });
      if (r.nullsLeft > 0) throw new StepFailure(`${r.nullsLeft} rows of ${step.table} still have no ${step.column}: the source has no value for them`, ev);
      return ev;
    }
    case 'check':
      return checkStep(ctx, step);
    case 'sql': {
      const r = await session.transaction(() => session.query(step.sql), { readOnly: false });
      const rows = Array.isArray(r) ? r.reduce((n: number, x: { rowCount?: number | null }) => n + (x.rowCount ?? 0), 0) : (r.rowCount ?? 0);
      return evidence({ ran: [step.sql.trim()], result: `committed, ${rows} row(s) affected`, counts: { rows } });
    }
    case 'contract': {
      let model = await loadModel(session, ctx.settings);
      const tables = step.tables === 'all'
        ? model.tables.filter((t) => t.role === 'tenant' && t.tenantColumn).map((t) => quotedName(t.schema, t.table))
        : step.tables;
      const ran: string[] = [];
      for (const t of tables) {
        const plan = await planContract(model, t, step.steps, { rlsRole: ctx.rlsRole, rlsSetting: ctx.rlsSetting, serverVersionNum: session.fingerprint.serverVersionNum, session });
        const r = await applyContract(session, plan, { signal: ctx.signal });
        ran.push(...plan.statements.slice(0, r.applied).map((s) => s.sql));
        if (r.failed) {
          throw new StepFailure(`${t}: statement ${r.failed.index + 1} failed: ${r.failed.error}`, evidence({ ran, result: `failed at ${r.failed.sql}: ${r.failed.error}`, counts: { statements: ran.length } }));
        }
        if (plan.statements.length) model = await loadModel(session, ctx.settings);
      }
      return evidence({ ran, result: `${ran.length} statement(s) over ${tables.length} table(s)`, counts: { statements: ran.length, tables: tables.length } });
    }
    case 'restore': {
      const backupId = findBackupId(ctx.journal, step.backup, step.table);
      const r = await restoreBackup(session, {
        backupId, scope: parseScope(step.scope), strategy: step.strategy, dryRun: step.dryRun,
        setColumns: Object.entries(step.set).map(([column, value]) => ({ column, value })), tenantColumn: ctx.settings.tenantColumn,
      });
      const ev = evidence({
        ran: r.statements, result: `${r.dryRun ? 'dry run (rolled back)' : 'restored'}: ${r.verified ? 'checksum verified' : 'checksum MISMATCH'}`,
        counts: { ...r.counts }, refs: { backup: String(backupId), restore: String(r.id ?? '') }, digest: r.actual.checksum,
      });
      if (!r.verified) throw new StepFailure(`restore of ${step.table} from backup ${backupId} did not verify`, ev);
      return ev;
    }
  }
}

function findBackupId(journal: Journal, stepId: string, table: string): number {
  for (const l of [...journal.entries].reverse()) {
    if (l.event.type === 'step-passed' && l.event.step === stepId && l.event.evidence.refs[table]) return Number(l.event.evidence.refs[table]);
  }
  throw new StepFailure(`no backup of ${table} from step ${stepId} in this run`, evidence({ result: 'no backup to restore' }));
}

async function checkStep(ctx: StepContext, step: Extract<RunbookStep, { kind: 'check' }>): Promise<Evidence> {
  const { session } = ctx;
  const ran: string[] = [];
  const counts: Record<string, number> = {};
  const refs: Record<string, string> = {};
  const problems: string[] = [];
  let digest: string | undefined;
  const e = step.expect;
  if (e.no) {
    const model = await loadModel(session, ctx.settings);
    const run = await runChecks(session, model, { mode: 'exact', rlsRole: ctx.rlsRole, rlsSetting: ctx.rlsSetting, signal: ctx.signal });
    ran.push(`checks (exact): ${e.no.join(', ')}`);
    for (const id of e.no) {
      const hits = run.findings.filter((f) => f.check === id);
      counts[id] = hits.length;
      if (hits.length) problems.push(`${id}: ${hits.slice(0, 3).map((f) => `${f.schema}.${f.table}${f.constraint ? ` (${f.constraint})` : ''}`).join(', ')}${hits.length > 3 ? ` and ${hits.length - 3} more` : ''}`);
    }
    digest = sha256Hex(canonicalize(run.findings));
  }
  if (e.sql !== undefined) {
    const want = e.rows ?? 0;
    const r = await session.transaction(() => session.query(e.sql!), { readOnly: true });
    ran.push(e.sql.trim());
    counts.sqlRows = r.rowCount ?? r.rows.length;
    if (counts.sqlRows !== want) problems.push(`the query returned ${counts.sqlRows} row(s), expected ${want}`);
  }
  if (e.fails !== undefined) {
    ran.push(`write probe (rolled back): ${e.fails.trim()}`);
    let failure: { code?: string; message: string } | null = null;
    try {
      await session.transaction(() => session.query(e.fails!), { readOnly: false, rollback: true });
    } catch (err) {
      failure = { code: (err as { code?: string }).code, message: (err as Error).message };
    }
    if (!failure) problems.push('the write probe succeeded (rolled back); it must fail');
    else if (e.error && failure.code !== e.error && !failure.message.includes(e.error)) problems.push(`the write probe failed with "${failure.message}", not ${e.error}`);
    else refs.probeError = `${failure.code ?? ''} ${failure.message}`.trim();
  }
  if (step.report) {
    const report = await exportReport(session, { settings: ctx.settings, run: ctx.run, journal: ctx.journal.entries, rlsRole: ctx.rlsRole, rlsSetting: ctx.rlsSetting, operator: ctx.operator, signal: ctx.signal });
    const file = path.join(ctx.journal.dir, `report-${step.id}.json`);
    writeReportJson(report, file);
    refs.report = file;
    digest = report.integrity.digest;
  }
  const ev = evidence({ ran, result: problems.length ? problems.join('; ') : 'every expectation met', counts, refs, ...(digest ? { digest } : {}) });
  if (problems.length) throw new StepFailure(problems.join('; '), ev);
  return ev;
}
