/**
 * Lock watch: while a migration writes, a second read-only session polls pg_stat_activity and
 * pg_locks for sessions blocking the applying backend (pg_blocking_pids) and sessions queued
 * behind it, with lock modes and ages, and emits them as events.
 */
import type { LockHolder, LockWatchEvent } from '../../../shared/migrations.js';
import { sqlFile } from '../paths.js';
import type { Session } from '../session.js';

interface LockRow {
  pid: number;
  role: 'self' | 'blocker' | 'waiter';
  user: string | null;
  application: string | null;
  state: string | null;
  query: string | null;
  xact_age: number | null;
  locks: { relation: string | null; mode: string; granted: boolean; waiting: number | null; lockType: string; transaction: string | null; heldBy: number | null }[];
}

/** A running lock watch. */
export interface LockWatch {
  /** Every session seen blocking the applying backend since the watch (or the last reset) began. */
  blockersSeen(): LockHolder[];
  /** Forget blockers seen so far (a new attempt begins). */
  reset(): void;
  /** Poll once now and return the picture (also emitted when something waits). */
  pollNow(): Promise<LockWatchEvent | null>;
  stop(): Promise<void>;
}

const round = (n: number | null) => (n == null ? null : Math.round(n * 10) / 10);

function holder(r: LockRow): LockHolder {
  const waiting = r.locks.find((l) => !l.granted);
  return {
    pid: r.pid,
    user: r.user,
    application: r.application,
    state: r.state,
    query: r.query,
    transactionAgeSeconds: round(r.xact_age),
    locks: r.locks.map((l) => ({ relation: l.relation, mode: l.mode, granted: l.granted, lockType: l.lockType, transaction: l.transaction, heldBy: l.heldBy })),
    waitingSeconds: waiting ? round(waiting.waiting) : null,
  };
}

/** Read the lock picture around `pid` once. */
export async function readLocks(watcher: Session, pid: number): Promise<LockWatchEvent> {
  let sql = sqlFile('migrations/lock-watch.sql');
  if (watcher.fingerprint.serverVersionNum < 140000) sql = sql.replace('/*WAITSTART*/l.waitstart', 'NULL::timestamptz');
  const { rows } = await watcher.query<LockRow>(sql, [pid]);
  const self = rows.find((r) => r.role === 'self');
  return {
    at: new Date().toISOString(),
    pid,
    blockers: rows.filter((r) => r.role === 'blocker').map(holder),
    waiters: rows.filter((r) => r.role === 'waiter').map(holder),
    waitingFor: (self?.locks ?? []).filter((l) => !l.granted).map((l) => ({ relation: l.relation, mode: l.mode, lockType: l.lockType, transaction: l.transaction, heldBy: l.heldBy })),
  };
}

/**
 * Start polling every `intervalMs`. `onEvent` gets each poll where something waits, and one more
 * when the waiting clears. Poll errors stop the watch (the apply itself is unaffected).
 */
export function startLockWatch(watcher: Session, pid: number, onEvent: (e: LockWatchEvent) => void, intervalMs = 500): LockWatch {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<LockWatchEvent | null> = Promise.resolve(null);
  let wasWaiting = false;
  const seen = new Map<number, LockHolder>();

  const poll = async (): Promise<LockWatchEvent | null> => {
    if (stopped) return null;
    try {
      const e = await readLocks(watcher, pid);
      for (const b of e.blockers) seen.set(b.pid, b);
      const waiting = e.blockers.length > 0 || e.waiters.length > 0;
      if (waiting || wasWaiting) onEvent(e);
      wasWaiting = waiting;
      return e;
    } catch {
      stopped = true;
      return null;
    }
  };
  const loop = () => {
    if (stopped) return;
    busy = poll().finally(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  loop();
  return {
    blockersSeen: () => [...seen.values()],
    reset: () => seen.clear(),
    pollNow: async () => {
      await busy;
      return poll();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await busy.catch(() => undefined);
    },
  };
}
