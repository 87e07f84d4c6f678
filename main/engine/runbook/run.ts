/**
 * Walk a runbook: start or continue a run, skip steps that passed, hold a step whose gate is not
 * met, sign off manual steps (each checklist line on its own; approvals by an approver or CI's
 * identity; never pre-signed in the file), run the others and journal each start, pass or failure
 * with its evidence and duration. Stops at the first step that does not pass.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { BackfillProgress } from '../../../shared/backfill.js';
import type { RunStatus, Runbook, RunbookStep, StepStatus } from '../../../shared/runbook.js';
import type { PauseController } from '../backfill/pause.js';
import { CancelledError, UserError } from '../errors.js';
import { Session } from '../session.js';
import { watchStep, type StepLockWatch } from './lock-record.js';
import { runbookTables, tableSizes } from './expected.js';
import { Journal, newRunId, type HeadSink } from './journal.js';
import { databaseBytes } from './performance-checks.js';
import { approvalGuardProblem, ciIdentity } from './operator.js';
import { assertRunbookSql } from './sql-guard.js';
import { assertSameTarget, ensureRunbookTables, readDatabaseHead, targetIdentity, writeDatabaseHead } from './target.js';
import { rollbackStarted, runStatus, stepStatuses } from './status.js';
import { StepFailure, executeStep, type StepContext } from './steps.js';
import { commandRefusal } from './command-step.js';
import { assertInsideWindow } from './window.js';

/** A sign-off given for a manual step: a note, and for a step with a checklist, a note per line (1-based). */
export interface SignOff {
  note?: string;
  lines?: Record<number, string>;
}

/** What a caller gives a run. */
export interface RunOptions {
  session: Session;
  file: string;
  runbook: Runbook;
  /** The runbook file's text (its sha256 is journaled; a continued run refuses a changed file). */
  text: string;
  /** Continue this run; otherwise start a new one. */
  run?: string;
  /** The id for a new run (so the caller can tag audit entries before connecting); default a fresh one. */
  newRun?: string;
  /** Only this step (its gate still applies). */
  step?: string;
  /** The name the journal records (see runbookOperator). */
  operator: string;
  /** Whether the name is an override (TENANCY_OPERATOR) rather than the OS user: recorded as such. */
  override?: boolean;
  /** The OS user and git identity, for approvers. */
  identities?: string[];
  /** Sign-off for manual steps reached in this invocation, or null to stop there. */
  signOff?: (step: Extract<RunbookStep, { kind: 'manual' }>) => SignOff | null;
  /** Non-interactive: a manual step that cannot be signed fails instead of waiting; an approval records the CI's identity. */
  ci?: boolean;
  /** The environment CI identity is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  runsDir?: string;
  onStep?: (step: RunbookStep, state: 'running' | 'passed' | 'failed' | 'signed' | 'blocked' | 'waiting' | 'skipped', detail?: string) => void;
  onBackfill?: (e: BackfillProgress) => void;
  /** Every write's full SQL before it runs. */
  onSql?: (step: string, sql: string) => void;
  /** Pause/resume a backfill step between batches (the checklist page's buttons). */
  pause?: PauseController;
  /** Tables confirmed for a real restore on production (--confirm-table). */
  confirmTables?: string[];
  /** The pg_dump binary backup steps use (default: the one for the server's major version). */
  pgDumpPath?: string;
  /** The clock the maintenance window (settings.window) is read against (default: now). */
  now?: Date;
  /** Run `command` steps (the CLI's --allow-commands); without it the run stops at the first one, naming the flag. */
  allowCommands?: boolean;
  /** A command's full argv (one shell-quoted line) and cwd, before it starts. */
  onCommand?: (step: string, line: string, cwd: string) => void;
}

/** The sha256 of a runbook's text. */
export function runbookDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function headSinkFor(session: Session): HeadSink {
  return async (head) => {
    if (!session.isWritable) return;
    // The database's head may lag (a failed write is caught up by the next append); it never leads.
    await writeDatabaseHead(session, head).catch(() => undefined);
  };
}

/**
 * Create or open (and lock) the journal for a run. A continued run is refused, before anything is
 * written, when the file changed, the target is another server or database, or the target
 * database's head is ahead of the journal (its tail was removed).
 */
export async function openRun(o: Pick<RunOptions, 'run' | 'newRun' | 'runsDir' | 'file' | 'runbook' | 'text' | 'operator'> & { session: Session; profile: string }): Promise<Journal> {
  // Refused SQL stops here, before the journal or the database is touched.
  await assertRunbookSql(o.file, o.text, o.runbook);
  const sha = runbookDigest(o.text);
  const target = await targetIdentity(o.session);
  if (o.session.isWritable) await ensureRunbookTables(o.session);
  if (!o.run) {
    const sizes = await tableSizes(o.session, runbookTables(o.runbook));
    const dbBytes = await databaseBytes(o.session);
    const j = Journal.create(o.newRun ?? newRunId(), o.runsDir);
    j.headSink = headSinkFor(o.session);
    try {
      await j.append({
        type: 'run-started', runbook: o.runbook.title, file: path.resolve(o.file), sha256: sha, profile: o.profile, database: target.database,
        systemIdentifier: target.systemIdentifier, databaseOid: target.databaseOid, server: target.server, content: o.text, sizes, databaseBytes: dbBytes, steps: o.runbook.steps.map((s) => s.id),
        environment: o.session.profile.environment,
      }, o.operator);
    } catch (err) {
      j.release();
      throw err;
    }
    return j;
  }
  const j = await Journal.openLocked(o.run, o.runsDir, o.operator);
  try {
    const started = j.entries[0]?.event;
    if (started?.type !== 'run-started') throw new UserError(`the journal of ${o.run} does not start with run-started`, 'integrity');
    if (started.sha256 !== sha) throw new UserError(`the runbook file changed since run ${o.run} started (sha256 ${started.sha256.slice(0, 12)} -> ${sha.slice(0, 12)}); start a new run`, 'usage');
    assertSameTarget(o.run, started, target);
    const dbHead = await readDatabaseHead(o.session, o.run);
    if (dbHead && dbHead.seq > j.entries.length) {
      throw new UserError(`the target database's head of run ${o.run} is line ${dbHead.seq}; its journal ends at line ${j.entries.length} (the tail was removed): see tenancy runbook verify`, 'integrity');
    }
    if (dbHead && j.entries[dbHead.seq - 1]?.hash !== dbHead.hash) throw new UserError(`line ${dbHead.seq} of run ${o.run} is not the line whose head the target database holds (rewritten): see tenancy runbook verify`, 'integrity');
    j.headSink = headSinkFor(o.session);
    await j.append({ type: 'run-continued', sha256: sha }, o.operator);
    return j;
  } catch (err) {
    j.release();
    throw err;
  }
}

/** Run the runbook's steps until one does not pass; returns the run's status. */
export async function runRunbook(o: RunOptions): Promise<RunStatus> {
  const { session, runbook } = o;
  // Outside the maintenance window nothing is written, not even the journal.
  assertInsideWindow(runbook.settings.window, session.profile.environment, o.now ?? new Date());
  const journal = await openRun({ ...o, profile: session.profile.name });
  try {
    if (rollbackStarted(journal.entries)) throw new UserError(`run ${journal.run} is being rolled back (tenancy runbook rollback): its steps do not run again; finish the rollback, then start a new run`, 'usage');
    if (o.step && !runbook.steps.some((s) => s.id === o.step)) throw new UserError(`--step ${o.step}: no such step; steps are ${runbook.steps.map((s) => s.id).join(', ')}`, 'usage');
    await walkSteps(o, journal, stepContext(o, journal), runbook.steps, () => stepStatuses(runbook, journal.entries));
    return runStatus(runbook, journal.entries, journal.run, o.file);
  } finally {
    journal.release();
  }
}

/** What every step of a run gets: the session, the run's folder and journal, the settings. */
export function stepContext(o: RunOptions, journal: Journal): StepContext {
  const { session, runbook } = o;
  const settings = { ...runbook.settings.tenancy, ...definedOnly(session.profile.tenancy) };
  return {
    session, baseDir: path.dirname(path.resolve(o.file)), run: journal.run, journal, operator: o.operator, settings,
    rlsRole: session.profile.rlsRole ?? runbook.settings.rlsRole, rlsSetting: session.profile.rlsSetting ?? runbook.settings.rlsSetting,
    signal: o.signal, onBackfill: o.onBackfill, pause: o.pause, onSql: o.onSql, steps: runbook.steps, pgDumpPath: o.pgDumpPath, confirmTables: o.confirmTables,
    runbookTitle: runbook.title, env: o.env ?? process.env, onCommand: o.onCommand, ci: o.ci ?? false,
  };
}

/**
 * Walk `steps` in order (the run's, or its rollback section): skip those that passed, hold one whose
 * gate is not met, sign manual ones, run and journal the rest with evidence and duration. Stops at
 * the first step that does not pass.
 */
export async function walkSteps(o: RunOptions, journal: Journal, ctx: StepContext, steps: readonly RunbookStep[], statuses: () => StepStatus[]): Promise<void> {
  // A second session samples who waits on the run's backend while each step runs (blocking locks).
  let watcher: Session | Error | undefined;
  try {
    await walk(o, journal, ctx, steps, statuses, async () => (watcher ??= await o.session.openSibling({ unaudited: true }).catch((err: Error) => err)));
  } finally {
    if (watcher instanceof Session) await watcher.close().catch(() => undefined);
  }
}

async function walk(o: RunOptions, journal: Journal, ctx: StepContext, steps: readonly RunbookStep[], statuses: () => StepStatus[], lockWatcher: () => Promise<Session | Error>): Promise<void> {
  const recordLocks = async (step: RunbookStep, watch: StepLockWatch) => {
    const r = await watch.stop();
    if (r.blocked.length || r.unwatched) await journal.append({ type: 'lock-waits', step: step.id, blocked: r.blocked, unwatched: r.unwatched }, o.operator);
  };
  for (const step of steps) {
    if (o.step && step.id !== o.step) continue;
    const status = statuses().find((s) => s.id === step.id)!;
    if (status.state === 'passed') {
      o.onStep?.(step, 'skipped', 'passed earlier');
      continue;
    }
    if (status.waitingFor.length) {
      const reason = `gate: needs ${status.waitingFor.join(', ')} to pass first`;
      await journal.append({ type: 'step-blocked', step: step.id, reason }, o.operator);
      o.onStep?.(step, 'blocked', reason);
      break;
    }
    if (step.kind === 'manual') {
      if (!(await signManualStep(o, journal, step, status))) break;
      continue;
    }
    if (step.kind === 'command' && !o.allowCommands) {
      // Nothing ran: the step is held, not failed, until the operator allows programs to run.
      const reason = commandRefusal(step);
      await journal.append({ type: 'step-blocked', step: step.id, reason }, o.operator);
      o.onStep?.(step, 'blocked', reason);
      break;
    }
    await journal.append({ type: 'step-started', step: step.id }, o.operator);
    o.onStep?.(step, 'running');
    const t0 = performance.now();
    const took = () => Math.round(performance.now() - t0);
    const watch = watchStep(o.session, await lockWatcher());
    try {
      const evidence = await executeStep(ctx, step);
      await recordLocks(step, watch);
      await journal.append({ type: 'step-passed', step: step.id, evidence, durationMs: took() }, o.operator);
      o.onStep?.(step, 'passed', evidence.result);
    } catch (err) {
      const cancelled = err instanceof CancelledError || o.signal?.aborted;
      const ev = err instanceof StepFailure ? err.evidence : { ran: [], result: 'error', counts: {}, refs: {} };
      const message = cancelled ? 'cancelled by the operator' : (err as Error).message;
      await recordLocks(step, watch).catch(() => undefined);
      await journal.append({ type: 'step-failed', step: step.id, error: message, evidence: ev, durationMs: took() }, o.operator);
      o.onStep?.(step, 'failed', message);
      if (cancelled) throw new CancelledError();
      if (!(err instanceof StepFailure) && !(err instanceof UserError) && !(err as { code?: string }).code) throw err;
      break;
    }
  }
}

async function failManual(o: RunOptions, journal: Journal, step: RunbookStep, error: string): Promise<false> {
  await journal.append({ type: 'step-failed', step: step.id, error, evidence: { ran: [], result: 'not signed', counts: {}, refs: {} } }, o.operator);
  o.onStep?.(step, 'failed', error);
  return false;
}

/**
 * Sign a manual step: an approval by a named approver (or, in CI, the CI's identity and run), each
 * checklist line on its own, or the step's note. True when the step passed.
 */
async function signManualStep(o: RunOptions, journal: Journal, step: Extract<RunbookStep, { kind: 'manual' }>, status: StepStatus): Promise<boolean> {
  if (step.approval) {
    const guard = approvalGuardProblem(step.approval, o.env ?? process.env, o.ci ? ciIdentity(o.env ?? process.env) : null);
    if (guard) return failManual(o, journal, step, guard);
    if (o.ci) {
      const ci = ciIdentity(o.env ?? process.env);
      if (!ci) return failManual(o, journal, step, 'approval: not running in GitHub Actions (GITHUB_ACTOR, GITHUB_RUN_ID, GITHUB_WORKFLOW are not set); a named approver signs it outside CI');
      if (step.approval.environment && ci.environment !== step.approval.environment) {
        return failManual(o, journal, step, `approval: the job must run in the GitHub environment "${step.approval.environment}" (GITHUB_ENVIRONMENT is ${ci.environment ?? 'not set'})`);
      }
      await journal.append({ type: 'ci-approved', step: step.id, ...ci }, `${ci.actor} (${ci.ci} run ${ci.runId})`);
      o.onStep?.(step, 'signed', `approved in ${ci.workflow} run ${ci.runId} by ${ci.actor}${ci.environment ? ` (environment ${ci.environment})` : ''}`);
      return true;
    }
    const given = o.signOff?.(step) ?? null;
    if (!given?.note) {
      o.onStep?.(step, 'waiting', `approval by ${step.approval.approvers.length ? step.approval.approvers.join(' or ') : 'an approver'}`);
      return false;
    }
    if (o.override) throw new UserError(`"${step.title}" is an approval: the approver signs as themselves, not under TENANCY_OPERATOR`, 'permission');
    const ids = o.identities ?? [];
    if (step.approval.approvers.length && !step.approval.approvers.some((a) => ids.some((i) => i === a || i.includes(`<${a}>`)))) {
      throw new UserError(`${ids[0] ?? o.operator} is not an approver of "${step.title}" (approvers: ${step.approval.approvers.join(', ')})`, 'permission');
    }
    await journal.append({ type: 'step-signed', step: step.id, note: given.note, checklist: [] }, o.operator);
    o.onStep?.(step, 'signed', given.note);
    return true;
  }
  const given = o.signOff?.(step) ?? null;
  if (step.checklist.length === 0) {
    if (!given?.note) {
      if (o.ci) return failManual(o, journal, step, 'manual step not signed (CI runs cannot ask): sign it outside CI, or make it an approval');
      o.onStep?.(step, 'waiting', step.text);
      return false;
    }
    await journal.append({ type: 'step-signed', step: step.id, note: given.note, checklist: [], ...(o.override ? { override: true } : {}) }, o.operator);
    o.onStep?.(step, 'signed', given.note);
    return true;
  }
  const lines = given?.lines ?? {};
  for (const n of Object.keys(lines).map(Number)) {
    if (!Number.isInteger(n) || n < 1 || n > step.checklist.length) throw new UserError(`${step.id} has checklist lines 1 to ${step.checklist.length}, not ${n}`, 'usage');
  }
  if (given?.note && Object.keys(lines).length === 0) {
    throw new UserError(`${step.id} has ${step.checklist.length} checklist line(s): sign each on its own (${step.checklist.map((_, i) => `--sign ${step.id}:${i + 1}=NOTE`).join(' ')})`, 'usage');
  }
  const signed = new Set(status.checklist.flatMap((c, i) => (c.signedBy ? [i + 1] : [])));
  for (const [i, text] of step.checklist.entries()) {
    const note = lines[i + 1];
    if (note === undefined || signed.has(i + 1)) continue;
    await journal.append({ type: 'line-signed', step: step.id, line: i + 1, text, note, ...(o.override ? { override: true } : {}) }, o.operator);
    signed.add(i + 1);
  }
  const open = step.checklist.flatMap((t, i) => (signed.has(i + 1) ? [] : [`${i + 1}. ${t}`]));
  if (open.length) {
    if (o.ci) return failManual(o, journal, step, `checklist line(s) not signed (CI runs cannot ask): ${open.join('; ')}`);
    o.onStep?.(step, 'waiting', `sign each line: ${open.join('; ')}`);
    return false;
  }
  await journal.append({ type: 'step-signed', step: step.id, note: 'every checklist line signed', checklist: step.checklist, ...(o.override ? { override: true } : {}) }, o.operator);
  o.onStep?.(step, 'signed', 'every checklist line signed');
  return true;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as Partial<T>;
}
