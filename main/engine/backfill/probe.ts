/**
 * The load's latency as the server gives it, for the backfill's pacing: a second (read-only)
 * session times a one-row primary-key read of the backfilled table, the kind of statement the
 * application runs, while a batch is running and while the backfill rests, each read after the
 * same quiet gap (so the two are timed alike). The ratio of the two
 * is how much the batches slow the application down right now, whatever else the machine does.
 * Its reads (read-only, about 40 a second) are not written to the audit log.
 */
import { abortableDelay } from '../delay.js';
import { qualified, quoteIdent } from '../ident.js';
import type { Session } from '../session.js';
import type { BackfillTarget } from './target.js';

/**
 * The quiet before each probe read, in ms (during batches, and before the reference read at rest).
 * Reads every 10 ms raised a saturating load's p99 by about 0.35x on their own, every 50 ms by
 * none measurable (an ad-hoc run beside a niced batched UPDATE, session 27); 25 keeps a decision
 * (24 reads) to about six 100 ms batches.
 */
export const PROBE_GAP_MS = 25;

/**
 * With rests shorter than PROBE_GAP_MS (full duty), the reference read at rest is taken after
 * every this many batches, each time resting the gap (about 3% of the time with 100 ms batches).
 */
export const IDLE_READ_EVERY_BATCHES = 8;

/** Probe round-trips while one batch ran and while it rested, in ms. */
export interface ProbeSample {
  duringMs: number[];
  idleMs: number[];
}

/** Times one-row reads on a sibling session; every method swallows its own errors (pacing must not fail a backfill). */
export class LatencyProbe {
  private busy: Promise<void> | null = null;
  private stopReads: AbortController | null = null;
  private during: number[] = [];
  private idle: number[] = [];
  private key: readonly string[] | null = null;

  private constructor(private readonly session: Session, private readonly target: BackfillTarget) {}

  /** Open the probe's session; null when the server refuses a second connection (the pacing then says so). */
  static async open(session: Session, target: BackfillTarget): Promise<LatencyProbe | null> {
    try {
      return new LatencyProbe(await session.openSibling({ unaudited: true }), target);
    } catch {
      return null;
    }
  }

  /** The probe's own session (read-only, unaudited): also lists the application's backends for cpu-wait.ts. */
  get readSession(): Session {
    return this.session;
  }

  /** The key the probe reads (the last key a batch committed; before the first, any row). */
  useKey(key: readonly string[] | null): void {
    this.key = key;
  }

  private async once(): Promise<number | null> {
    const keys = this.target.keyColumns;
    const table = qualified(this.target.schema, this.target.table);
    const sql = this.key
      ? `SELECT 1 FROM ${table} WHERE (${keys.map((k) => quoteIdent(k)).join(', ')}) = (${keys.map((_, i) => `$${i + 1}`).join(', ')})`
      : `SELECT 1 FROM ${table} LIMIT 1`;
    const t0 = performance.now();
    try {
      await this.session.query(sql, this.key ? [...this.key] : []);
      return performance.now() - t0;
    } catch {
      return null;
    }
  }

  /**
   * Start timing reads, each after `gapMs` of quiet, until `stopDuring` (call while a batch runs).
   * A stop cuts the gap short: the next batch must not wait out the probe's timer.
   */
  startDuring(gapMs = PROBE_GAP_MS): void {
    const stop = new AbortController();
    this.stopReads = stop;
    this.busy = (async () => {
      for (;;) {
        await abortableDelay(gapMs, stop.signal);
        if (stop.signal.aborted) break;
        const ms = await this.once();
        if (ms !== null) this.during.push(ms);
      }
    })();
  }

  /** Stop the reads started by startDuring and wait for the one in flight (not for the gap after it). */
  async stopDuring(): Promise<void> {
    this.stopReads?.abort();
    await this.busy;
    this.busy = null;
  }

  /**
   * Time one read at rest, after the same quiet gap as the reads during batches (call while the
   * backfill rests; the gap is part of the rest). A read issued right after another round trip takes
   * about half as long as one after 10 ms of quiet, batch or none (measured here: 0.39 against
   * 0.72 ms median with no batch running), so a reference read taken straight after a commit
   * would make every batch look like it slows the load.
   */
  async idleAfterGap(gapMs = PROBE_GAP_MS): Promise<void> {
    await abortableDelay(gapMs);
    const ms = await this.once();
    if (ms !== null) this.idle.push(ms);
  }

  /** The reads since the last take, and forget them. */
  take(): ProbeSample {
    const out = { duringMs: this.during, idleMs: this.idle };
    this.during = [];
    this.idle = [];
    return out;
  }

  /** Close the probe's session. */
  async close(): Promise<void> {
    await this.stopDuring().catch(() => undefined);
    await this.session.close();
  }
}
