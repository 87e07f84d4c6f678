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
}

/** The running steps of one host. */
export class ActiveSteps {
  private readonly byRun = new Map<string, ActiveStep>();

  /** Record that `step` of `run` started; a UserError when the run already has a step running. */
  begin(run: string, step: string): ActiveStep {
    const current = this.byRun.get(run);
    if (current) throw new UserError(`step ${current.step} of ${run} is still running; wait for it or cancel it`, 'usage');
    const entry: ActiveStep = { run, step, startedAt: new Date().toISOString(), pause: new PauseController(), backfill: null };
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
