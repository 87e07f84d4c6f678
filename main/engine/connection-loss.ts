/**
 * Telling a lost connection (server restarted, backend terminated, network gone) from other
 * errors, and saying so with the target and what to run next instead of the driver's words.
 */
import { UserError } from './errors.js';
import { describeTarget, type Session } from './session.js';

const LOST_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '08000', '08003', '08006']);
const LOST_TEXT = /Connection terminated|connection error and is not queryable|terminating connection|server closed the connection|Client was closed/i;

/** Whether `err` means the session's connection is gone (nothing more can run on it). */
export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  return (e.code !== undefined && LOST_CODES.has(e.code)) || LOST_TEXT.test(e.message ?? '');
}

/** One line: "lost the connection to user@host:port/db (why) <then>". */
export function lostConnectionError(session: Session, err: unknown, then: string): UserError {
  const why = ((err as Error).message ?? String(err)).split('\n')[0];
  return new UserError(`lost the connection to ${describeTarget(session.profile)} (${why}) ${then}`, 'connection');
}
