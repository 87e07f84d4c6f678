/**
 * Runbook steps running in a host right now: one per run, with the pause switch and the last
 * backfill progress, found by run id or by the backfill id the progress events carry (what the
 * Pause/Resume/Cancel buttons send).
 */
import type { BackfillProgress } from '../../../shared/backfill.js';
import { PauseController } from '../backfill/pause.js';
import { UserError } from '../errors.js';

/** One running step. */
export interface ActiveStep {
  run: string;
  step: string;
  startedAt: string;
  pause: PauseController;
  /** The last backfill progress event of this step, if it is a backfill. */
  backfill: BackfillProgress | null;
  /** The server pid of the session running it (the window view's lock watch looks around it). */
  pid: number | null;
}

/** A server NOTICE a step of a run received. */
export interface StepNotice {
  at: string;
  step: string;
  severity: string;
  message: string;
}

/** How many NOTICEs of a run are kept for the window view. */
export const MAX_NOTICES = 50;
/** How many statements of a run are kept for the window view. */
export const MAX_STATEMENTS = 500;

/** A statement a step of a run sent (or is about to send). */
export interface StepStatement {
  at: string;
  step: string;
  sql: string;
}

/** The running steps of one host. */
export class ActiveSteps {
  private readonly byRun = new Map<string, ActiveStep>();
  private readonly notices = new Map<string, StepNotice[]>();
  private readonly statements = new Map<string, StepStatement[]>();

  /** Keep a NOTICE of `run` (the last MAX_NOTICES per run, kept after the step ends). */
  addNotice(run: string, notice: StepNotice): void {
    const list = this.notices.get(run) ?? [];
    list.push(notice);
    if (list.length > MAX_NOTICES) list.splice(0, list.length - MAX_NOTICES);
    this.notices.set(run, list);
  }

  /** Keep a statement `step` of `run` sends (as the step announces it: its full SQL); the last MAX_STATEMENTS per run. */
  addStatement(run: string, statement: StepStatement): void {
    const list = this.statements.get(run) ?? [];
    list.push(statement);
    if (list.length > MAX_STATEMENTS) list.splice(0, list.length - MAX_STATEMENTS);
    this.statements.set(run, list);
  }

  /** The statements kept for `run`, oldest first. */
  statementsOf(run: string): StepStatement[] {
    return [...(this.statements.get(run) ?? [])];
  }

  /** The NOTICEs kept for `run`, oldest first. */
  noticesOf(run: string): StepNotice[] {
    return [...(this.notices.get(run) ?? [])];
  }

  /** Record that `step` of `run` started; a UserError when the run already has a step running. */
  begin(run: string, step: string): ActiveStep {
    const current = this.byRun.get(run);
    if (current) throw new UserError(`step ${current.step} of ${run} is still running; wait for it or cancel it`, 'usage');
    const entry: ActiveStep = { run, step, startedAt: new Date().toISOString(), pause: new PauseController(), backfill: null, pid: null };
    this.byRun.set(run, entry);
    return entry;
  }

  /** The step `run` is running, if any. */
  get(run: string): ActiveStep | undefined {
    return this.byRun.get(run);
  }

  /** The step running the backfill `id`, or a UserError saying it is not running here. */
  byBackfill(id: string): ActiveStep {
    for (const e of this.byRun.values()) if (e.backfill?.id === id) return e;
    throw new UserError(`backfill ${id} is not running in this console; resume it by running its runbook step again`, 'usage');
  }

  /** Forget a finished step. */
  end(run: string): void {
    this.byRun.delete(run);
  }
}

const perHost = new WeakMap<object, ActiveSteps>();

/** The running steps of the host whose context is `host` (one registry per host context). */
export function activeStepsOf(host: object): ActiveSteps {
  let a = perHost.get(host);
  if (!a) {
    a = new ActiveSteps();
    perHost.set(host, a);
  }
  return a;
}
