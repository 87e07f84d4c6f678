/**
 * Walk a runbook: start or continue a run, skip steps that passed, hold a step whose gate is not
 * met, sign off manual steps (pre-signed in the file, or by the operator now), run the others and
 * journal each start, pass or failure with its evidence. Stops at the first step that does not pass.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { BackfillProgress } from '../../../shared/backfill.js';
import type { RunStatus, Runbook, RunbookStep } from '../../../shared/runbook.js';
import type { PauseController } from '../backfill/pause.js';
import { CancelledError, UserError } from '../errors.js';
import type { Session } from '../session.js';
import { Journal, newRunId } from './journal.js';
import { runStatus } from './status.js';
import { StepFailure, executeStep } from './steps.js';

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
  operator: string;
  /** Sign-off for manual steps reached in this invocation: the operator's note, or null to stop there. */
  signManual?: (step: Extract<RunbookStep, { kind: 'manual' }>) => string | null;
  /** Non-interactive: a manual step that is not pre-signed fails instead of waiting. */
  ci?: boolean;
  signal?: AbortSignal;
  runsDir?: string;
  onStep?: (step: RunbookStep, state: 'running' | 'passed' | 'failed' | 'signed' | 'blocked' | 'waiting' | 'skipped', detail?: string) => void;
  onBackfill?: (e: BackfillProgress) => void;
  /** Pause/resume a backfill step between batches (the checklist page's buttons). */
  pause?: PauseController;
}

/** The sha256 of a runbook's text. */
export function runbookDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Create or open the journal for a run. */
export function openRun(o: Pick<RunOptions, 'run' | 'newRun' | 'runsDir' | 'file' | 'runbook' | 'text' | 'operator'> & { profile: string; database: string }): Journal {
  const sha = runbookDigest(o.text);
  if (!o.run) {
    const j = Journal.create(o.newRun ?? newRunId(), o.runsDir);
    j.append({ type: 'run-started', runbook: o.runbook.title, file: path.resolve(o.file), sha256: sha, profile: o.profile, database: o.database, steps: o.runbook.steps.map((s) => s.id) }, o.operator);
    return j;
  }
  const j = Journal.open(o.run, o.runsDir);
  const started = j.entries[0]?.event;
  if (started?.type !== 'run-started') throw new UserError(`the journal of ${o.run} does not start with run-started`, 'integrity');
  if (started.sha256 !== sha) throw new UserError(`the runbook file changed since run ${o.run} started (sha256 ${started.sha256.slice(0, 12)} -> ${sha.slice(0, 12)}); start a new run`, 'usage');
  if (started.database !== o.database) throw new UserError(`run ${o.run} is against database ${started.database}, not ${o.database}`, 'usage');
  j.append({ type: 'run-continued', sha256: sha }, o.operator);
  return j;
}

/** Run the runbook's steps until one does not pass; returns the run's status. */
export async function runRunbook(o: RunOptions): Promise<RunStatus> {
  const { session, runbook } = o;
  const journal = openRun({ ...o, profile: session.profile.name, database: session.fingerprint.database });
  const unlock = journal.lock();
  try {
    if (o.step && !runbook.steps.some((s) => s.id === o.step)) throw new UserError(`--step ${o.step}: no such step; steps are ${runbook.steps.map((s) => s.id).join(', ')}`, 'usage');
    const settings = { ...runbook.settings.tenancy, ...definedOnly(session.profile.tenancy) };
    const ctx = {
      session, baseDir: path.dirname(path.resolve(o.file)), run: journal.run, journal, operator: o.operator, settings,
      rlsRole: session.profile.rlsRole ?? runbook.settings.rlsRole, rlsSetting: session.profile.rlsSetting ?? runbook.settings.rlsSetting,
      signal: o.signal, onBackfill: o.onBackfill, pause: o.pause,
    };
    for (const step of runbook.steps) {
      if (o.step && step.id !== o.step) continue;
      const status = runStatus(runbook, journal.entries, journal.run, o.file).steps.find((s) => s.id === step.id)!;
      if (status.state === 'passed') {
        o.onStep?.(step, 'skipped', 'passed earlier');
        continue;
      }
      if (status.waitingFor.length) {
        const reason = `gate: needs ${status.waitingFor.join(', ')} to pass first`;
        journal.append({ type: 'step-blocked', step: step.id, reason }, o.operator);
        o.onStep?.(step, 'blocked', reason);
        break;
      }
      if (step.kind === 'manual') {
        const pre = step.signedOff;
        const note = pre ? pre.note : o.signManual?.(step) ?? null;
        if (note === null) {
          if (o.ci) {
            journal.append({ type: 'step-failed', step: step.id, error: 'manual step not pre-signed (CI runs cannot ask)', evidence: { ran: [], result: 'not signed', counts: {}, refs: {} } }, o.operator);
            o.onStep?.(step, 'failed', 'manual step not pre-signed: add signedOff: {operator, note} to it for CI');
          } else {
            o.onStep?.(step, 'waiting', step.text);
          }
          break;
        }
        journal.append({ type: 'step-signed', step: step.id, note, checklist: step.checklist }, pre ? pre.operator : o.operator);
        o.onStep?.(step, 'signed', note);
        continue;
      }
      journal.append({ type: 'step-started', step: step.id }, o.operator);
      o.onStep?.(step, 'running');
      try {
        const evidence = await executeStep(ctx, step);
        journal.append({ type: 'step-passed', step: step.id, evidence }, o.operator);
        o.onStep?.(step, 'passed', evidence.result);
      } catch (err) {
        const cancelled = err instanceof CancelledError || o.signal?.aborted;
        const ev = err instanceof StepFailure ? err.evidence : { ran: [], result: 'error', counts: {}, refs: {} };
        const message = cancelled ? 'cancelled by the operator' : (err as Error).message;
        journal.append({ type: 'step-failed', step: step.id, error: message, evidence: ev }, o.operator);
        o.onStep?.(step, 'failed', message);
        if (cancelled) throw new CancelledError();
        if (!(err instanceof StepFailure) && !(err instanceof UserError) && !(err as { code?: string }).code) throw err;
        break;
      }
    }
    return runStatus(runbook, journal.entries, journal.run, o.file);
  } finally {
    unlock();
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as Partial<T>;
}
