/**
 * Sample reads off the critical path of an exact run. A pass that finds rows to show (NULL
 * tenants, orphans) hands the reads of their sample rows to this lane, which runs them one after
 * another on a second read-only session while the main session goes on to the next pass. The
 * profile's `scanSessions` caps the sessions a run opens: with 1, or when the server refuses a
 * second connection, the samples are read on the main session, in turn, as before.
 */
import type { Session } from '../session.js';

/** Runs sample reads on a sibling session, in order; the run awaits them all before it returns. */
export class SampleLane {
  private opened: Promise<Session | null> | null = null;
  private tail: Promise<void> = Promise.resolve();
  private readonly pending: Promise<unknown>[] = [];

  constructor(private readonly main: Session) {}

  /** Queue `read` on the lane; its result (or error) is the returned promise's, and `drain` rethrows the first error. */
  run<T>(read: (session: Session) => Promise<T>): Promise<T> {
    const p = this.tail.then(async () => read(await this.session()));
    this.tail = p.then(() => undefined, () => undefined);
    p.catch(() => undefined); // awaited, and rethrown, in drain()
    this.pending.push(p);
    return p;
  }

  /**
   * The run's second session, opened on first use when the profile allows two sessions; null when
   * it does not or the server refused the connection. Serial passes share it (pass-pool.ts).
   */
  async sibling(): Promise<Session | null> {
    if ((this.main.profile.scanSessions ?? 1) < 2) return null;
    this.opened ??= this.main.openSibling().catch(() => null);
    return this.opened;
  }

  /** The lane's session: the sibling, else the main one. */
  private async session(): Promise<Session> {
    return (await this.sibling()) ?? this.main;
  }

  /** Wait for every queued read; throws the first one's error. */
  async drain(): Promise<void> {
    await Promise.all(this.pending);
  }

  /** Cancel the lane's running read (the run was cancelled). */
  async cancel(): Promise<void> {
    const s = await this.opened;
    await s?.cancel();
  }

  /** Close the sibling session, after the reads in flight. */
  async close(): Promise<void> {
    await this.tail;
    const s = await this.opened;
    await s?.close().catch(() => undefined);
  }
}
