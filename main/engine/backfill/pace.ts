/**
 * Pacing of a backfill: how many keys the next batch takes and how long to rest after it.
 *
 * Two loops keep a live application's latency near its idle value without leaving the server idle:
 * - a target batch duration: each batch is sized to commit in about the target (a quick one lets
 *   the next grow, up to 2x; a slow one shrinks it, down to half), with no cap below the target
 *   unless the operator sets one (`maxBatchSize`). A row the application wants waits at most
 *   about one batch for the backfill's row lock, so this bounds lock waits;
 * - the load's latency: a probe (probe.ts) times one-row reads of the table from a second session
 *   while batches run and while the backfill rests. When reads during batches are more than
 *   `maxLatencyRatio` times slower than at rest (the median of the reads during the batches since
 *   the last decision, at least 24 of them: about six batches, so one stalled read or one slow
 *   batch on a shared machine does not steer it, against the median of the last 16 reads at rest),
 *   the share of time spent in batches (the duty) is cut by a fifth; as soon as they are not, there
 *   is no rest at all. Each decision is taken on reads made after the previous one, so one burst
 *   of a neighbour costs one cut, not a collapse to the floor. So a server the batches do not slow
 *   is used fully and a busy one is left room, measured, not guessed;
 * - where the server runs on this host, the application's CPU wait (cpu-wait.ts): how much longer
 *   the database's other backends took per ms of CPU work during batches than at rest. The
 *   probe's reads, each after a quiet gap, are served at once on a saturated machine while the
 *   application's busy backends queue behind the batch; when this stretch is over cpuWaitLimit,
 *   the same decision cuts the duty too.
 *   The pacing starts at duty 0.5, or at 1 where the backfill's server process is niced.
 *   An operator's `dutyCycle` fixes the duty instead (rest in proportion to each batch).
 */
import type { CpuWindow } from './cpu-wait.js';
import type { ProbeSample } from './probe.js';

/** Pacing settings (all optional; the defaults are documented in docs/backfill.md). */
export interface PaceOptions {
  /** Keys the first batch takes (default 1,000); with targetBatchMs 0, every batch's size. */
  batchSize?: number;
  /** The most keys a batch may take (default: no limit but the target duration). */
  maxBatchSize?: number | null;
  /** Target duration of one batch, in ms (default 100). 0 turns the adaptive sizing off. */
  targetBatchMs?: number;
  /** How much slower the probe's reads (median) may get during batches than at rest (default 1.3). */
  maxLatencyRatio?: number;
  /** A fixed share of the time spent in batches, 0 < d <= 1, instead of following the latency (1: no rest). */
  dutyCycle?: number | null;
  /** A fixed rest after each batch, in ms, on top of the pacing's (default 0). */
  throttleMs?: number;
}

/** The settings in force, defaults filled in. */
export interface PaceSettings {
  batchSize: number;
  maxBatchSize: number | null;
  targetBatchMs: number;
  maxLatencyRatio: number;
  /** null: follow the load's latency. */
  dutyCycle: number | null;
  throttleMs: number;
}

/** The defaults. */
export const PACE_DEFAULTS: PaceSettings = { batchSize: 1000, maxBatchSize: null, targetBatchMs: 100, maxLatencyRatio: 1.3, dutyCycle: null, throttleMs: 0 };

/** Smallest batch the adaptive sizing goes down to. */
const MIN_BATCH = 10;
/** The duty the latency-following pacing starts at, and its floor. */
const START_DUTY = 0.5;
const MIN_DUTY = 0.1;
/** Probe reads during batches that one decision on the duty takes, and the reads at rest it compares them with (the latest). */
const DECIDE_READS = 24;
const IDLE_WINDOW = 16;
/** Rests whose CPU windows (cpu-wait.ts) the decision compares the batches' with (the latest). */
const REST_WINDOWS = 16;
/** CPU the application's backends must have used, in ms, during batches and at rest, for their wait to be compared. */
const MIN_CPU_RUN_MS = { during: 20, rest: 10 };

/** How much longer the application's backends took per ms of CPU work (ran plus waited, over ran). */
function stretch(w: CpuWindow): number {
  return (w.runMs + w.waitMs) / w.runMs;
}

/**
 * The most the application's CPU stretch may grow during batches (over at rest): a third of the
 * probe's margin (1.1 at the default 1.3). The stretch is a mean over all of the application's CPU
 * work, and a batch that takes a core delays a few of its operations by a whole time slice each:
 * measured here (session 28, the bench's saturating load), a stretch of 1.23x came with the load's
 * p99 at 4.78x, and at nice 19, 0.95x with 1.33x.
 */
export function cpuWaitLimit(maxLatencyRatio: number): number {
  return 1 + (maxLatencyRatio - 1) / 3;
}

/** Two windows' sum. */
function plus(a: CpuWindow, b: CpuWindow): CpuWindow {
  return { runMs: a.runMs + b.runMs, waitMs: a.waitMs + b.waitMs };
}

/** Validate pacing options and fill in the defaults; the message names the option to fix. */
export function paceSettings(opts: PaceOptions): PaceSettings {
  const s: PaceSettings = {
    batchSize: opts.batchSize ?? PACE_DEFAULTS.batchSize,
    maxBatchSize: opts.maxBatchSize ?? PACE_DEFAULTS.maxBatchSize,
    targetBatchMs: opts.targetBatchMs ?? PACE_DEFAULTS.targetBatchMs,
    maxLatencyRatio: opts.maxLatencyRatio ?? PACE_DEFAULTS.maxLatencyRatio,
    dutyCycle: opts.dutyCycle ?? PACE_DEFAULTS.dutyCycle,
    throttleMs: opts.throttleMs ?? PACE_DEFAULTS.throttleMs,
  };
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1) throw new RangeError(`--batch-size must be a positive whole number, got ${s.batchSize}`);
  if (s.maxBatchSize !== null && (!Number.isInteger(s.maxBatchSize) || s.maxBatchSize < s.batchSize)) {
    throw new RangeError(`--max-batch-size must be a whole number no smaller than --batch-size (${s.batchSize}), got ${s.maxBatchSize}`);
  }
  if (!Number.isFinite(s.targetBatchMs) || s.targetBatchMs < 0) throw new RangeError(`--batch-ms must be 0 (off) or a positive number of ms, got ${s.targetBatchMs}`);
  if (!(Number.isFinite(s.maxLatencyRatio) && s.maxLatencyRatio > 1)) throw new RangeError(`--max-latency-ratio must be a number above 1, got ${s.maxLatencyRatio}`);
  if (s.dutyCycle !== null && !(s.dutyCycle > 0 && s.dutyCycle <= 1)) throw new RangeError(`--duty must be more than 0 and at most 1, got ${s.dutyCycle}`);
  if (!Number.isFinite(s.throttleMs) || s.throttleMs < 0) throw new RangeError(`--throttle-ms must be 0 or more ms, got ${s.throttleMs}`);
  return s;
}

/** The value below which a share `q` of the values lie (the nearest rank). */
function quantileOf(xs: readonly number[], q: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
}

/** The median: one read stalled by a neighbour on a shared machine must not steer the pacing. */
const median = (xs: readonly number[]): number | null => quantileOf(xs, 0.5);

/** Decides the size of each batch and the rest after it, from the batches' durations and the probe's latencies. */
export class BatchPacer {
  private current: number;
  private dutyNow: number;
  private idleReads: number[] = [];
  private duringReads: number[] = [];
  private lastRatio: number | null = null;
  private lastTailRatio: number | null = null;
  private lastCpuRatio: number | null = null;
  private cpuDuring: CpuWindow = { runMs: 0, waitMs: 0 };
  private cpuRests: CpuWindow[] = [];

  /**
   * `startDuty`: the duty before the first decision (default 0.5; 1 where the backfill's server
   * process is niced, so the scheduler already gives the application the CPU first).
   */
  constructor(readonly settings: PaceSettings, startDuty = START_DUTY) {
    this.current = settings.batchSize;
    this.dutyNow = settings.dutyCycle ?? startDuty;
  }

  /** Keys the next batch takes. */
  get size(): number {
    return this.current;
  }

  /** The share of time spent in batches now. */
  get duty(): number {
    return this.dutyNow;
  }

  /** The probe's latency ratio of the last decision (median read during batches over median at rest), or null before the first. */
  get latencyRatio(): number | null {
    return this.lastRatio;
  }

  /** The probe's 90th percentile during batches over its 90th percentile at rest, at the last decision (reported, not followed). */
  get tailRatio(): number | null {
    return this.lastTailRatio;
  }

  /**
   * How much longer the application's backends took per ms of CPU work during batches than at
   * rest (their run-queue wait, cpu-wait.ts), at the last decision; null without a meter or
   * before enough of their CPU was seen.
   */
  get cpuWaitRatio(): number | null {
    return this.lastCpuRatio;
  }

  /** Whether the last decision cut the duty because of the application's CPU wait (over cpuWaitLimit). */
  get cutByCpuWait(): boolean {
    return (this.lastCpuRatio ?? 0) > cpuWaitLimit(this.settings.maxLatencyRatio);
  }

  /** Record the application's CPU over one rest (cpu-wait.ts). */
  restMeasured(w: CpuWindow | null): void {
    if (w) this.cpuRests = [...this.cpuRests, w].slice(-REST_WINDOWS);
  }

  /**
   * Record a committed batch of `keys` keys that took `ms` (and the probe's reads around it);
   * returns the rest before the next one. The next size aims at the target duration, moving at
   * most 2x up or down per batch, so one slow batch (a checkpoint, a busy neighbour) does not
   * collapse the batch size.
   */
  batchDone(keys: number, ms: number, probe?: ProbeSample, cpu?: CpuWindow | null): number {
    const { targetBatchMs, maxBatchSize, throttleMs } = this.settings;
    if (targetBatchMs > 0 && keys > 0) {
      const ideal = (keys * targetBatchMs) / Math.max(ms, 1);
      const grown = Math.min(ideal, this.current * 2, maxBatchSize ?? Infinity);
      this.current = Math.max(MIN_BATCH, Math.round(Math.max(grown, this.current / 2)));
    }
    if (cpu) this.cpuDuring = plus(this.cpuDuring, cpu);
    if (probe && this.settings.dutyCycle === null) this.follow(probe);
    return Math.round(ms * (1 / this.dutyNow - 1)) + throttleMs;
  }

  private follow(probe: ProbeSample): void {
    this.duringReads.push(...probe.duringMs);
    this.idleReads = [...this.idleReads, ...probe.idleMs].slice(-IDLE_WINDOW);
    const idle = median(this.idleReads);
    if (this.duringReads.length < DECIDE_READS || !idle) return;
    this.lastRatio = median(this.duringReads)! / idle;
    this.lastTailRatio = quantileOf(this.duringReads, 0.9)! / quantileOf(this.idleReads, 0.9)!;
    this.duringReads = [];
    const rest = this.cpuRests.reduce(plus, { runMs: 0, waitMs: 0 });
    this.lastCpuRatio = this.cpuDuring.runMs >= MIN_CPU_RUN_MS.during && rest.runMs >= MIN_CPU_RUN_MS.rest ? stretch(this.cpuDuring) / stretch(rest) : null;
    this.cpuDuring = { runMs: 0, waitMs: 0 };
    if (this.lastRatio > this.settings.maxLatencyRatio || this.cutByCpuWait) this.dutyNow = Math.max(MIN_DUTY, this.dutyNow * 0.8);
    else this.dutyNow = 1;
  }

  /** The next batch takes at most `keys` keys (not below the smallest batch). */
  limit(keys: number): void {
    this.current = Math.max(MIN_BATCH, Math.min(this.current, Math.round(keys)));
  }

  /** A batch gave up on a lock (lock_timeout, deadlock): retry it with half the keys. */
  lockedOut(): void {
    this.current = Math.max(MIN_BATCH, Math.floor(this.current / 2));
  }
}
