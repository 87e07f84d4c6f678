/**
 * Blocking locks during a run: while each step runs, a second read-only session samples
 * pg_stat_activity / pg_locks (the migration lock watch) for sessions queued behind the run's own
 * backend. A step that blocked someone journals `lock-waits` with each blocked session; a step that
 * could not be watched journals that too. A check's `noBlocking` reads those lines.
 */
import type { LockHolder } from '../../../shared/migrations.js';
import type { JournalLine } from '../../../shared/runbook.js';
import { lockText } from '../../../shared/lock-wait.js';
import { startLockWatch } from '../migrations/lock-watch.js';
import type { Session } from '../session.js';

/** How often the run's backend is sampled: a wait shorter than this may be missed. */
export const LOCK_SAMPLE_MS = 200;

/** One session seen waiting on a lock the run's backend held, in words for the journal. */
export interface BlockedSession {
  pid: number;
  application: string | null;
  user: string | null;
  /** The longest wait seen, in seconds. */
  waitedSeconds: number | null;
  /** What it waited for and its query, in one line. */
  detail: string;
}

/** A watch over one step: stop() gives who was blocked, or why the step was not watched. */
export interface StepLockWatch {
  stop(): Promise<{ blocked: BlockedSession[]; unwatched: string | null }>;
}

function blocked(h: LockHolder): BlockedSession {
  const waiting = h.locks.filter((l) => !l.granted).map((l) => lockText(l)).join(', ');
  return {
    pid: h.pid, application: h.application, user: h.user, waitedSeconds: h.waitingSeconds,
    detail: `${waiting || 'a lock'} for ${h.query ? `"${h.query.replace(/\s+/g, ' ').slice(0, 120)}"` : 'its query'}`,
  };
}

/**
 * Watch `session`'s backend while a step runs, sampling with `watcher` (a sibling session, or an
 * Error when none could be opened: the step is then recorded as not watched).
 */
export function watchStep(session: Session, watcher: Session | Error): StepLockWatch {
  if (watcher instanceof Error) return { stop: async () => ({ blocked: [], unwatched: `no second session for the lock watch (${watcher.message})` }) };
  const seen = new Map<number, BlockedSession>();
  const watch = startLockWatch(watcher, session.pid, (e) => {
    for (const w of e.waiters) {
      const b = blocked(w);
      const prev = seen.get(w.pid);
      if (!prev || (b.waitedSeconds ?? 0) >= (prev.waitedSeconds ?? 0)) seen.set(w.pid, b);
    }
  }, LOCK_SAMPLE_MS);
  return {
    async stop() {
      await watch.stop();
      return { blocked: [...seen.values()], unwatched: null };
    },
  };
}

/** The blocked sessions and unwatched steps the journal records, in one line each ("step X blocked pid N ..."). */
export function blockingSeen(lines: readonly JournalLine[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const e = l.event;
    if (e.type !== 'lock-waits') continue;
    for (const b of e.blocked) {
      out.push(`step ${e.step} blocked pid ${b.pid}${b.application ? ` (${b.application})` : ''}${b.user ? ` of ${b.user}` : ''}${b.waitedSeconds !== null ? ` for ${b.waitedSeconds} s` : ''}: it waited on ${b.detail}`);
    }
    if (e.unwatched) out.push(`step ${e.step} was not watched for blocking locks: ${e.unwatched}`);
  }
  return out;
}
