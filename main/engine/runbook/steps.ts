/**
 * What each step kind does, over one session. Every executor returns the evidence (what ran, the
 * result, counts, digests and ids) or throws a StepFailure carrying the evidence of the failure.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BackfillProgress } from '../../../shared/backfill.js';
import { SQLSTATE_NAMES, type Evidence, type MemberView, type Probe, type RunbookStep } from '../../../shared/runbook.js';
import type { MigrationStatus } from '../../../shared/migrations.js';
import type { ModelSettings } from '../../../shared/model.js';
import type { PauseController } from '../backfill/pause.js';
import { startOrResumeBackfill } from '../backfill/run.js';
import { createBackup } from '../backup/create.js';
import { restoreBackup } from '../backup/restore.js';
import { parseScope } from '../backup/scope.js';
import { runChecks } from '../checks/run.js';
import { applyContract, planContract } from '../contract/apply.js';
import { UserError } from '../errors.js';
import { parseQualifiedName, quoteIdent } from '../ident.js';
import { applyMigrations } from '../migrations/apply.js';
import { migrationStatus } from '../migrations/status.js';
import { readSource } from '../migrations/sources.js';
import { loadModel } from '../model/load.js';
import { projectRoot } from '../paths.js';
import { canonicalize, sha256Hex } from '../report/canonical.js';
import { exportReport } from '../report/export.js';
import { writeReportJson } from '../report/file.js';
import type { Session } from '../session.js';
import type { Journal } from './journal.js';
import { readSignatures } from './head.js';
import { LOCK_SAMPLE_MS, blockingSeen } from './lock-record.js';
import { growthCheck, planChecks } from './performance-checks.js';
import { preflightStep } from './preflight-step.js';
import { DistributeRefusal, runDistribute } from './distribute-step.js';
import { checkRunbookSql, type SqlUse } from './sql-guard.js';
import { STEP_COMMITS_TABLE, recordStepCommit, stepCommittedAt } from './target.js';
import { StepFailure } from './step-failure.js';
import { runCommandStep } from './command-step.js';
import { runHttpStep } from './http-step.js';
import { runNotifyStep } from './notify-step.js';
import { runRehearsalStep } from './rehearsal-step.js';

export { StepFailure };

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
  /** Every write's full SQL, before it runs (the CLI prints it). */
  onSql?: (step: string, sql: string) => void;
  /** Tables the operator confirmed for a real restore on production (--confirm-table). */
  confirmTables?: string[];
  /** The pg_dump binary for backup steps (default: found for the server's major version). */
  pgDumpPath?: string;
  /** The runbook's steps: a preflight step checks the migrations later migrate steps apply. */
  steps?: readonly RunbookStep[];
  /** The runbook's title (a rehearsal step looks for runs of the same runbook). */
  runbookTitle?: string;
  /** Where `${VAR}` of command, http and notify steps comes from, and a command's environment (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** A command's full argv (one shell-quoted line) and cwd, before it starts (the CLI prints it). */
  onCommand?: (step: string, line: string, cwd: string) => void;
  /** A CI run (--ci): preflight's urlFromEnv applies. */
  ci?: boolean;
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
      const index = ctx.steps?.findIndex((x) => x.id === step.id) ?? -1;
      const r = await preflightStep(session, step, {
        resolve: (folder) => resolveFolder(ctx.baseDir, folder), laterSteps: index >= 0 ? ctx.steps!.slice(index + 1) : [],
        profileSystemIdentifier: session.profile.systemIdentifier, env: ctx.env ?? process.env, ci: ctx.ci ?? false,
      });
      if (r.problems.length) throw new StepFailure(`preflight: ${r.problems.join('; ')}`, r.evidence);
      return r.evidence;
    }
    case 'backup':
      return backupStep(ctx, step);
    case 'migrate': {
      const source = readSource(resolveFolder(ctx.baseDir, step.dir));
      if (step.to !== undefined) {
        // Started past this migration (the ledger has it): the step has nothing to apply.
        const known = (await migrationStatus(session, source)).migrations.find((m) => m.id === step.to);
        if (known?.state === 'applied') {
          return evidence({ ran: [], result: `${step.to} is already applied (ledger ${known.appliedAt ?? 'without a time'}); nothing to apply`, counts: { applied: 0, skipped: 0 } });
        }
      }
      const r = await applyMigrations(session, source, {
        upTo: step.to, ack: step.ack, signal: ctx.signal,
        // Each migration's whole SQL, before its first attempt runs.
        onEvent: (e) => {
          if (e.type !== 'migration-start' || e.attempt > 1) return;
          const m = source.migrations.find((x) => x.id === e.id);
          ctx.onSql?.(step.id, `-- migration ${e.id}${m?.file ? ` (${m.file})` : ''}\n${m?.sql ?? '-- (no SQL file)'}`);
        },
      });
      const ev = evidence({ ran: r.applied.map((a) => `migration ${a.id}`), result: `${r.applied.length} migration(s) applied`, counts: { applied: r.applied.length, skipped: r.skipped.length } });
      if (r.failed) throw new StepFailure(`migration ${r.failed.id} failed: ${r.failed.error}`, { ...ev, result: `failed at ${r.failed.id}: ${r.failed.error}` });
      return ev;
    }
    case 'backfill': {
      const r = await startOrResumeBackfill(session, { table: step.table, column: step.tenantColumn, source: step.source }, {
        batchSize: step.batchSize, throttleMs: step.throttleMs, targetBatchMs: step.batchMs, dutyCycle: step.duty, lockTimeoutMs: step.lockTimeoutMs, nice: step.nice, run: ctx.run, operator: ctx.operator, signal: ctx.signal, onProgress: ctx.onBackfill, pause: ctx.pause,
      });
      const nice = r.serverNice
        ? (r.serverNice.applied ? `; its server process ran at nice ${r.serverNice.nice}` : `; nice ${r.serverNice.nice} not applied: ${r.serverNice.reason}`) : '';
      const ev = evidence({
        ran: [`backfill ${r.id}: ${step.table}.${step.tenantColumn} from ${step.source.kind}`], result: `${r.rowsDone} rows filled in ${r.batches} batches, ${r.nullsLeft} NULL left${nice}`,
        counts: { rowsDone: r.rowsDone, batches: r.batches, nullsLeft: r.nullsLeft }, refs: { backfill: r.id },
      });
      if (r.nullsLeft > 0) throw new StepFailure(`${r.nullsLeft} rows of ${step.table} still have no ${step.tenantColumn}: the source has no value for them`, ev);
      return ev;
    }
    case 'check':
      return checkStep(ctx, step);
    case 'sql':
      return sqlStep(ctx, step);
    case 'contract': {
      let model = await loadModel(session, ctx.settings);
      const tables = step.tables === 'all'
        ? model.tables.filter((t) => t.role === 'tenant' && t.tenantColumn).map((t) => quotedName(t.schema, t.table))
        : step.tables;
      const ran: string[] = [];
      const proposed: string[] = [];
      const proposedTables: string[] = [];
      for (const t of tables) {
        const plan = await planContract(model, t, step.steps, { rlsRole: ctx.rlsRole, rlsSetting: ctx.rlsSetting, serverVersionNum: session.fingerprint.serverVersionNum, session });
        if (step.plan) {
          // A proposal: the diff is the evidence, nothing is sent.
          proposed.push(...plan.statements.map((st) => `-- ${st.why}\n${st.sql}`));
          if (plan.statements.length) proposedTables.push(t);
          continue;
        }
        for (const st of plan.statements) ctx.onSql?.(step.id, st.sql);
        const r = await applyContract(session, plan, { signal: ctx.signal });
        ran.push(...plan.statements.slice(0, r.applied).map((s) => s.sql));
        if (r.failed) {
          throw new StepFailure(`${t}: statement ${r.failed.index + 1} failed: ${r.failed.error}`, evidence({ ran, result: `failed at ${r.failed.sql}: ${r.failed.error}`, counts: { statements: ran.length } }));
        }
        if (plan.statements.length) model = await loadModel(session, ctx.settings);
      }
      if (step.plan) {
        return evidence({
          ran: proposed, result: `proposed ${proposed.length} statement(s) for ${proposedTables.length} of ${tables.length} table(s)${proposedTables.length ? ` (${proposedTables.join(', ')})` : ''}; dry run, nothing ran`,
          counts: { proposed: proposed.length, tables: tables.length, tablesToChange: proposedTables.length },
        });
      }
      return evidence({ ran, result: `${ran.length} statement(s) over ${tables.length} table(s)`, counts: { statements: ran.length, tables: tables.length } });
    }
    case 'distribute': {
      try {
        const r = await runDistribute(session, step, (sql) => ctx.onSql?.(step.id, sql));
        if (r.failed) throw new StepFailure(r.failed, r.evidence);
        return r.evidence;
      } catch (err) {
        if (err instanceof DistributeRefusal) throw new StepFailure(err.message, evidence({ result: `refused before it ran: ${err.message}` }));
        throw err;
      }
    }
    case 'command':
      return runCommandStep(step, { baseDir: ctx.baseDir, env: ctx.env ?? process.env, signal: ctx.signal, onCommand: (line, cwd) => ctx.onCommand?.(step.id, line, cwd) });
    case 'http':
      return runHttpStep(step, { env: ctx.env ?? process.env, signal: ctx.signal });
    case 'notify':
      return runNotifyStep(step, {
        env: ctx.env ?? process.env, signal: ctx.signal,
        facts: { database: session.profile.database, run: ctx.run, runbook: ctx.runbookTitle ?? '', step: step.id, profile: session.profile.name, environment: session.profile.environment },
      });
    case 'rehearsal':
      return runRehearsalStep(step, { runsDir: path.dirname(ctx.journal.dir), run: ctx.run, title: ctx.runbookTitle ?? '', steps: ctx.steps ?? [], environment: session.profile.environment });
    case 'restore': {
      const backupId = findBackupId(ctx.journal, step.backup, step.table);
      const r = await restoreBackup(session, {
        backupId, scope: parseScope(step.scope), strategy: step.strategy, dryRun: step.dryRun,
        setColumns: Object.entries(step.set).map(([column, value]) => ({ column, value })), tenantColumn: ctx.settings.tenantColumn,
        confirmTable: ctx.confirmTables?.find((t) => t === step.table || t === parseQualifiedName(step.table).table),
        lockTimeoutMs: step.lockTimeoutMs, statementTimeoutMs: step.statementTimeoutMs,
      });
      const changed = r.counts.deleted + r.counts.updated + r.counts.inserted;
      const ev = evidence({
        ran: r.statements, result: `${r.dryRun ? 'dry run (rolled back)' : 'restored'}: ${changed} row(s) put back (${r.counts.deleted} deleted, ${r.counts.updated} updated, ${r.counts.inserted} inserted), ${r.verified ? 'checksum verified' : r.copy.status === 'changed' ? 'NOT verified: the backup copy changed since it was taken' : 'checksum MISMATCH'} (backup side: ${r.copy.status})`,
        counts: { ...r.counts, changed }, refs: { backup: String(backupId), restore: String(r.id ?? '') }, digest: r.actual.checksum,
      });
      if (!r.verified) throw new StepFailure(`restore of ${step.table} from backup ${backupId} did not verify${r.copy.status === 'changed' ? ': the backup copy changed since it was taken' : ''}`, ev);
      // A rehearsal that puts nothing back proves nothing about the way back.
      if (r.dryRun && changed === 0) throw new StepFailure(`the rehearsal restored 0 rows of ${step.table}: nothing of it changed since backup ${backupId}, so it proves nothing; rehearse a table the run changed`, ev);
      return ev;
    }
  }
}

/**
 * A backup step: a checksummed backup table per table and (with `dump: true`) a pg_dump of it
 * from the same snapshot into the run's folder (0600); refs hold the backup id, the dump file and
 * its sha256 (`dump:TABLE`, `sha256:TABLE`) for restore steps and `runbook verify`.
 */
async function backupStep(ctx: StepContext, step: Extract<RunbookStep, { kind: 'backup' }>): Promise<Evidence> {
  const { session } = ctx;
  const refs: Record<string, string> = {};
  const counts: Record<string, number> = {};
  const ran: string[] = [];
  const dir = path.join(ctx.journal.dir, 'dumps');
  for (const t of step.tables) {
    let b;
    try {
      b = await createBackup(session, parseQualifiedName(t), {
        runbookRunId: ctx.run, operator: ctx.operator, tenantColumn: ctx.settings.tenantColumn,
        pgDump: step.dump ? { path: ctx.pgDumpPath, dir, password: () => session.passwordForChild() } : undefined,
      });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      const hint = step.dump && err.code === 'config' ? ' (or remove dump: true from the step to keep only the in-database backup tables)' : '';
      throw new StepFailure(`backup of ${t}: ${err.message}${hint}`, evidence({ ran, result: `stopped at ${t}: ${err.message}`, counts, refs }));
    }
    refs[t] = String(b.id);
    counts[t] = b.rowCount;
    ran.push(`backup ${t} -> backup ${b.id} (${b.backupTable}, ${b.rowCount} rows, checksum ${b.checksum})`);
    if (b.dumpPath && b.dumpSha256) {
      refs[`dump:${t}`] = b.dumpPath;
      refs[`sha256:${t}`] = b.dumpSha256;
      ran.push(`pg_dump ${t} -> ${b.dumpPath} (sha256 ${b.dumpSha256})`);
    }
  }
  const dumps = step.tables.filter((t) => refs[`dump:${t}`]).length;
  return evidence({ ran, result: `${step.tables.length} backup(s) made${step.dump ? `, ${dumps} pg_dump file(s)` : ', no pg_dump (the step does not ask for dump: true)'}`, counts, refs });
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
  let sample: Evidence['sample'];
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
    const [query] = await statementsOf(e.sql, 'check');
    // READ ONLY, and rolled back: a check has nothing to commit.
    const r = await session.transaction(() => session.query(query!), { readOnly: true, rollback: true });
    ran.push(e.sql.trim());
    counts.sqlRows = r.rowCount ?? r.rows.length;
    sample = jsonRows(r.rows.slice(0, SAMPLE_ROWS));
    // Rows with a `problem` column say what is wrong, in the message (the first three); other rows are shown as they are.
    const said = r.rows.flatMap((row: Record<string, unknown>) => (typeof row.problem === 'string' ? [row.problem] : [])).slice(0, 3);
    const named = said.length ? `: ${said.join('; ')}${counts.sqlRows > said.length ? '; ...' : ''}` : r.rows.length ? `: ${rowsText(r.rows)}` : '';
    if (counts.sqlRows !== want) problems.push(`the query returned ${counts.sqlRows} row(s), expected ${want}${named}`);
  }
  if (e.member !== undefined) {
    const r = await memberView(ctx, e.member);
    ran.push(...r.ran);
    counts.members = r.members;
    problems.push(...r.problems);
  }
  if (e.plans !== undefined) {
    const param = e.plans.param !== undefined ? (await statementsOf(e.plans.param, 'check'))[0] : undefined;
    const queries = await Promise.all(e.plans.queries.map(async (q) => (await statementsOf(q.sql, 'check'))[0]!));
    const r = await planChecks(session, e.plans, { param, queries });
    ran.push(...r.ran);
    Object.assign(counts, r.counts);
    sample = [...(sample ?? []), ...r.sample];
    problems.push(...r.problems);
  }
  if (e.growth !== undefined) {
    const r = await growthCheck(session, ctx.journal.entries, e.growth.maxPercent);
    ran.push(...r.ran);
    Object.assign(counts, r.counts);
    sample = [...(sample ?? []), ...r.sample];
    problems.push(...r.problems);
  }
  if (e.noBlocking) {
    const seen = blockingSeen(ctx.journal.entries);
    ran.push(`the run's lock samples (every ${LOCK_SAMPLE_MS} ms while each step ran): sessions that waited on a lock the run held`);
    counts.blockedSessions = seen.length;
    problems.push(...seen);
  }
  if (e.fails !== undefined) {
    const problem = await probe(ctx, step.id, e.fails);
    ran.push(`write probe (in a savepoint, rolled back): ${e.fails.sql.trim()}`);
    if (problem.ok) refs.probeError = problem.detail;
    else problems.push(problem.detail);
  }
  if (step.report) {
    // The journal so far with its signed heads, and the migration ledger of the runbook's folder.
    const report = await exportReport(session, {
      settings: ctx.settings, run: ctx.run, journal: ctx.journal.entries, signatures: readSignatures(ctx.journal.dir), migrations: await ledgerOf(ctx),
      rlsRole: ctx.rlsRole, rlsSetting: ctx.rlsSetting, operator: ctx.operator, signal: ctx.signal,
    });
    const file = path.join(ctx.journal.dir, `report-${step.id}.json`);
    writeReportJson(report, file);
    refs.report = file;
    digest = report.integrity.digest;
  }
  const ev = evidence({ ran, result: problems.length ? problems.join('; ') : 'every expectation met', counts, refs, ...(digest ? { digest } : {}), ...(sample ? { sample } : {}) });
  if (problems.length) throw new StepFailure(problems.join('; '), ev);
  return ev;
}

/** The migration ledger against the folder of the runbook's first migrate (or preflight) step; undefined without one. */
async function ledgerOf(ctx: StepContext): Promise<MigrationStatus | undefined> {
  const folder = ctx.steps?.flatMap((s) => (s.kind === 'migrate' || (s.kind === 'preflight' && s.dir) ? [s.dir!] : []))[0];
  if (!folder) return undefined;
  return migrationStatus(ctx.session, readSource(resolveFolder(ctx.baseDir, folder)));
}

/** How many of a check query's rows the evidence keeps. */
const SAMPLE_ROWS = 20;

/** Rows as plain JSON (dates as ISO text, bigints as text), for the journal. */
function jsonRows(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return JSON.parse(JSON.stringify(rows)) as Record<string, unknown>[];
}

/** The first rows of a result in one line: "(lessons, 3), (students, 1) and 4 more". */
export function rowsText(rows: readonly Record<string, unknown>[], max = 3): string {
  const one = (row: Record<string, unknown>) => `(${Object.values(row).map((v) => (v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')})`;
  return `${rows.slice(0, max).map(one).join(', ')}${rows.length > max ? ` and ${rows.length - max} more` : ''}`;
}

/**
 * Members still see their own rows: per user, the rows they own (read with row security off, so
 * an owner subject to forced RLS gets an error instead of a silently filtered answer) against the
 * rows they see as `role` with their JWT claims (request.jwt.claims and request.jwt.claim.sub, as
 * PostgREST sets them). Both in READ ONLY transactions that are rolled back.
 */
async function memberView(ctx: StepContext, m: MemberView): Promise<{ ran: string[]; members: number; problems: string[] }> {
  const { session } = ctx;
  const [usersQuery] = await statementsOf(m.users, 'check');
  const [query] = await statementsOf(m.sql, 'check');
  const users = await session.transaction(() => session.query(usersQuery!), { readOnly: true, rollback: true });
  const ids = users.rows.map((r) => Object.values(r)[0]).filter((v) => v !== null && v !== undefined).map(String);
  const ran = [`members: ${m.users.trim()}`, `as the runner (row_security off) and as ${m.role} with each member's JWT claims: ${m.sql.trim()}`];
  if (ids.length === 0) return { ran, members: 0, problems: ['the users query found no member to impersonate: nothing was proved'] };
  const problems: string[] = [];
  for (const id of ids) {
    const owns = await session.transaction(async () => {
      await session.query('SET LOCAL row_security = off');
      return session.query(query!, [id]);
    }, { readOnly: true, rollback: true }).catch((err: Error) => {
      throw new StepFailure(`the runner cannot read what member ${id} owns past row-level security (${err.message}): run as the tables' owner without FORCE, or a BYPASSRLS role`, evidence({ ran, result: 'the baseline could not be read' }));
    });
    const claims = JSON.stringify({ sub: id, role: m.role, aud: m.role });
    const sees = await session.transaction(async () => {
      await session.query(`SET LOCAL ROLE ${quoteIdent(m.role)}`);
      await session.query("SELECT set_config('request.jwt.claims', $1, true), set_config('request.jwt.claim.sub', $2, true), set_config('request.jwt.claim.role', $3, true)", [claims, id, m.role]);
      return session.query(query!, [id]);
    }, { readOnly: true, rollback: true }).catch((err: Error) => ({ rows: null, error: err.message }));
    if (!('rows' in sees) || sees.rows === null) {
      problems.push(`member ${id} as ${m.role}: the query failed (${(sees as { error: string }).error})`);
      continue;
    }
    const a = jsonRows(owns.rows).map((r) => JSON.stringify(r)).sort();
    const b = jsonRows(sees.rows).map((r) => JSON.stringify(r)).sort();
    if (a.join('\n') !== b.join('\n')) problems.push(`member ${id} as ${m.role} sees ${rowsText(sees.rows, 5) || 'no row'}, but owns ${rowsText(owns.rows, 5) || 'no row'}: a policy locks the member out of their own rows or shows them rows that are not theirs`);
  }
  return { ran, members: ids.length, problems };
}

/** The parsed statements of runbook SQL (refused SQL never reaches the server, even if validation was skipped). */
async function statementsOf(sql: string, use: SqlUse): Promise<string[]> {
  const r = await checkRunbookSql({ sql, use });
  if (r.problem) throw new StepFailure(`the ${use === 'probe' ? 'probe' : use === 'check' ? 'check query' : 'SQL'} ${r.problem}`, evidence({ result: 'refused before it ran' }));
  return r.statements.map((st) => st.text);
}

/** Why a probe's failure is (or is not) the one it names. */
export function probeVerdict(p: Probe, err: { code?: string; message: string; column?: string; constraint?: string; table?: string } | null): { ok: boolean; detail: string } {
  const code = SQLSTATE_NAMES[p.error] ?? p.error;
  const about = [p.column && `column ${p.column}`, p.constraint && `constraint ${p.constraint}`, p.table && `table ${p.table}`].filter(Boolean).join(', ');
  const want = `${p.error}${code !== p.error ? ` (${code})` : ''} on ${about}`;
  if (!err) return { ok: false, detail: `the write probe succeeded (rolled back); it must fail with ${want}` };
  const got = `${err.message} (SQLSTATE ${err.code ?? '?'}${err.column ? `, column ${err.column}` : ''}${err.constraint ? `, constraint ${err.constraint}` : ''}${err.table ? `, table ${err.table}` : ''})`;
  const fits = err.code === code
    && (p.column === undefined || err.column === p.column)
    && (p.constraint === undefined || err.constraint === p.constraint)
    && (p.table === undefined || err.table === p.table || (!err.table && err.message.includes(`"${p.table}"`)));
  if (!fits) return { ok: false, detail: `the probe failed for another reason: ${got}; it must fail with ${want}` };
  return { ok: true, detail: `${err.code} ${err.message}` };
}

/** Run a probe inside a savepoint that is always rolled back (in a transaction that is rolled back too). */
async function probe(ctx: StepContext, stepId: string, p: Probe): Promise<{ ok: boolean; detail: string }> {
  const { session } = ctx;
  const statements = await statementsOf(p.sql, 'probe');
  for (const st of statements) ctx.onSql?.(stepId, `${st} -- probe, rolled back`);
  let failure: { code?: string; message: string; column?: string; constraint?: string; table?: string } | null = null;
  await session.transaction(async () => {
    await session.query('SAVEPOINT tenancy_probe');
    try {
      for (const st of statements) await session.query(st);
    } catch (err) {
      const e = err as { code?: string; column?: string; constraint?: string; table?: string };
      failure = { code: e.code, message: (err as Error).message, column: e.column, constraint: e.constraint, table: e.table };
    } finally {
      await session.query('ROLLBACK TO SAVEPOINT tenancy_probe');
    }
  }, { readOnly: false, rollback: true });
  return probeVerdict(p, failure);
}

/**
 * An `sql` step: its statements and its completion row in one transaction. A continue after a kill
 * right after COMMIT finds the row and does not run the statements again.
 */
async function sqlStep(ctx: StepContext, step: Extract<RunbookStep, { kind: 'sql' }>): Promise<Evidence> {
  const { session } = ctx;
  const statements = await statementsOf(step.sql, 'sql');
  const digest = sha256Hex(step.sql);
  const who = await session.query<{ cu: string; su: string }>('SELECT current_user AS cu, session_user AS su');
  return session.transaction(async () => {
    const earlier = await stepCommittedAt(session, ctx.run, step.id);
    if (earlier) return evidence({ ran: [], result: `committed earlier (${earlier}, recorded in ${STEP_COMMITS_TABLE}); not run again`, counts: { rows: 0 }, digest });
    let rows = 0;
    for (const st of statements) {
      ctx.onSql?.(step.id, st);
      const r = await session.query(st);
      rows += r.rowCount ?? 0;
    }
    const after = await session.query<{ cu: string; su: string }>('SELECT current_user AS cu, session_user AS su');
    if (after.rows[0]!.cu !== who.rows[0]!.cu || after.rows[0]!.su !== who.rows[0]!.su) {
      throw new StepFailure(`the SQL changed the session's role (${who.rows[0]!.cu} -> ${after.rows[0]!.cu}); rolled back`, evidence({ ran: statements, result: 'rolled back' }));
    }
    await recordStepCommit(session, ctx.run, step.id, digest);
    return evidence({ ran: statements, result: `committed, ${rows} row(s) affected`, counts: { rows }, digest });
  }, { readOnly: false });
}
