/**
 * Pacing of a backfill: how many keys the next batch takes and how long to rest after it.
 *
 * Two knobs keep a live application's latency near its idle value:
 * - a target batch duration: a batch that ran longer than the target shrinks the next one, a
 *   quick one lets it grow back (never past the operator's batch size). A row the application
 *   wants waits at most about one batch for the backfill's row lock, so this bounds lock waits;
 * - a duty cycle: after each batch the backfill rests in proportion to what the batch took (duty
 *   0.5 rests as long as the batch ran), so the server's CPU, WAL and I/O are shared with the
 *   application whatever the machine's speed, instead of a fixed pause that is too long on a fast
 *   server and too short on a busy one.
 */

/** Pacing settings (all optional; the defaults are the gentle ones documented in docs/backfill.md). */
export interface PaceOptions {
  /** The most keys a batch takes (default 1,000). */
  batchSize?: number;
  /** Target duration of one batch, in ms (default 100). 0 turns the adaptive sizing off. */
  targetBatchMs?: number;
  /** Share of the time spent in batches, 0 < d <= 1 (default 0.33: rest twice as long as the batch ran). 1 means no rest. */
  dutyCycle?: number;
  /** A fixed rest after each batch, in ms, on top of the duty cycle's (default 0). */
  throttleMs?: number;
}

/** The settings in force, defaults filled in. */
export interface PaceSettings {
  batchSize: number;
  targetBatchMs: number;
  dutyCycle: number;
  throttleMs: number;
}

/** The defaults: a DBA in a maintenance window on a live database wants the gentle ones. */
export const PACE_DEFAULTS: PaceSettings = { batchSize: 1000, targetBatchMs: 100, dutyCycle: 0.33, throttleMs: 0 };

/** Smallest batch the adaptive sizing goes down to. */
const MIN_BATCH = 10;

/** Validate pacing options and fill in the defaults; the message names the option to fix. */
export function paceSettings(opts: PaceOptions): PaceSettings {
  const s: PaceSettings = {
    batchSize: opts.batchSize ?? PACE_DEFAULTS.batchSize,
    targetBatchMs: opts.targetBatchMs ?? PACE_DEFAULTS.targetBatchMs,
    dutyCycle: opts.dutyCycle ?? PACE_DEFAULTS.dutyCycle,
    throttleMs: opts.throttleMs ?? PACE_DEFAULTS.throttleMs,
  };
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1) throw new RangeError(`--batch-size must be a positive whole number, got ${s.batchSize}`);
  if (!Number.isFinite(s.targetBatchMs) || s.targetBatchMs < 0) throw new RangeError(`--batch-ms must be 0 (off) or a positive number of ms, got ${s.targetBatchMs}`);
  if (!(s.dutyCycle > 0 && s.dutyCycle <= 1)) throw new RangeError(`--duty must be more than 0 and at most 1, got ${s.dutyCycle}`);
  if (!Number.isFinite(s.throttleMs) || s.throttleMs < 0) throw new RangeError(`--throttle-ms must be 0 or more ms, got ${s.throttleMs}`);
  return s;
}

/** Decides the size of each batch and the rest after it, from the durations of the batches so far. */
export class BatchPacer {
  private current: number;

  constructor(readonly settings: PaceSettings) {
    this.current = settings.batchSize;
  }

  /** Keys the next batch takes. */
  get size(): number {
    return this.current;
  }

  /**
   * Record a committed batch of `keys` keys that took `ms`; returns the rest before the next one.
   * The next size aims at the target duration, moving at most 2x up or down per batch, so one
   * slow batch (a checkpoint, a busy neighbour) does not collapse the batch size.
   */
  batchDone(keys: number, ms: number): number {
    const { targetBatchMs, batchSize, dutyCycle, throttleMs } = this.settings;
    if (targetBatchMs > 0 && keys > 0) {
      const ideal = (keys * targetBatchMs) / Math.max(ms, 1);
      const next = Math.min(ideal, this.current * 2, batchSize);
      this.current = Math.max(MIN_BATCH, Math.min(batchSize, Math.round(Math.max(next, this.current / 2))));
    }
    return Math.round(ms * (1 / dutyCycle - 1)) + throttleMs;
  }

  /** A batch gave up on a lock (lock_timeout, deadlock): retry it with half the keys. */
  lockedOut(): void {
    this.current = Math.max(MIN_BATCH, Math.floor(this.current / 2));
  }
}
