/**
 * The application's CPU wait, for the backfill's pacing, where the server runs on this host: how
 * long the database's other backends (every client backend of the backfilled database but the
 * console's own sessions) waited in the kernel's run queue per ms they ran, from
 * /proc/PID/schedstat, while batches run and while the backfill rests.
 *
 * The latency probe (probe.ts) cannot see this on a busy machine: its read comes after a quiet
 * gap, and the scheduler runs a task that has slept at once, while an application's backends that
 * keep the cores busy queue behind the batch (measured here, session 27: the probe's reads 0.81x
 * their speed at rest while the load's p99 was 5.56x its idle value). Each backend is proven to be
 * the server's before it is read: a child of the process proven to be this session's own backend
 * (nice.ts). Elsewhere (another host, a container, not Linux, /proc hidden) there is no meter and
 * the probe alone paces.
 */
import fs from 'node:fs';
import { APPLICATION_NAME } from '../config.js';
import type { Session } from '../session.js';
import { parentOf, whyNotThisBackend } from './nice.js';

/** CPU the application's backends used and waited for over one window, in ms. */
export interface CpuWindow {
  runMs: number;
  waitMs: number;
}

/** Each backend's cumulative [ran, waited] in ns at one moment. */
type Reading = Map<number, readonly [number, number]>;

/** The most backends read per moment (a pool of thousands is sampled by its first ones). */
const MAX_BACKENDS = 256;

/** How often the list of the application's backends is read again from pg_stat_activity, in ms. */
const RELIST_MS = 2000;

/** /proc/PID/schedstat's time on CPU and time waiting on a run queue, in ns; null when unreadable. */
function schedstat(pid: number): readonly [number, number] | null {
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return Number.isFinite(run) && Number.isFinite(wait) ? [run!, wait!] : null;
  } catch {
    return null;
  }
}

/** Reads the application's backends' CPU time and run-queue wait (see the module comment). */
export class CpuWaitMeter {
  private pids: number[] = [];
  private listedAt = -Infinity;
  private last: Reading | null = null;

  private constructor(private readonly lister: Session, private readonly postmaster: number) {}

  /**
   * A meter for `session`'s server, or the reason there is none (one line): the server is not on
   * this host, or its processes cannot be read. `lister` (default `session`) lists the
   * application's backends: the backfill passes the probe's unaudited read-only session, so a
   * poll every 2 s does not fill the audit log.
   */
  static async open(session: Session, lister: Session = session): Promise<CpuWaitMeter | string> {
    const why = await whyNotThisBackend(session, session.pid, session.clientPort);
    if (why) return why;
    const postmaster = parentOf(session.pid);
    if (postmaster === null || schedstat(session.pid) === null) return `/proc/${session.pid}/schedstat cannot be read on this machine`;
    return new CpuWaitMeter(lister, postmaster);
  }

  /** List the application's backends again when the list is older than RELIST_MS (call between batches). */
  async relist(): Promise<void> {
    if (performance.now() - this.listedAt < RELIST_MS) return;
    const { rows } = await this.lister.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND backend_type = 'client backend'
          AND application_name IS DISTINCT FROM $1
        ORDER BY pid LIMIT ${MAX_BACKENDS}`, [APPLICATION_NAME]);
    this.pids = rows.map((r) => r.pid).filter((pid) => parentOf(pid) === this.postmaster);
    this.listedAt = performance.now();
  }

  /** Start a window now (a batch starting, a rest starting). */
  mark(): void {
    this.last = this.read();
  }

  /** The window since the last mark (the backends present at both ends), and start the next; null without a mark. */
  window(): CpuWindow | null {
    const now = this.read();
    const before = this.last;
    this.last = now;
    if (!before) return null;
    let run = 0;
    let wait = 0;
    for (const [pid, [r1, w1]] of now) {
      const b = before.get(pid);
      if (!b || r1 < b[0] || w1 < b[1]) continue;
      run += r1 - b[0];
      wait += w1 - b[1];
    }
    return { runMs: run / 1e6, waitMs: wait / 1e6 };
  }

  private read(): Reading {
    const out: Reading = new Map();
    for (const pid of this.pids) {
      const s = schedstat(pid);
      if (s) out.set(pid, s);
    }
    return out;
  }
}
