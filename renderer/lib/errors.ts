/** Error text for the UI: the host's one-line message, and a lost database connection said plainly. */
import { ApiError } from '../../shared/contract/channel.js';

/** What the driver and server say when the connection to the database is gone. */
const LOST = [
  /connection error and is not queryable/i,
  /Connection terminated/i,
  /terminating connection due to administrator command/i,
  /server closed the connection unexpectedly/i,
  /ECONNRESET|EPIPE/,
];

/** The one line shown for a lost connection, on every page. */
export const LOST_CONNECTION_TEXT = 'The connection to the database was lost: reconnect it on Connections.';

let onLost: ((detail: string) => void) | null = null;

/** Register who hears of a lost connection (the connection store marks the connection lost). */
export function setConnectionLostListener(fn: (detail: string) => void): void {
  onLost = fn;
}

/** Whether an error means the database connection is gone (not a bad query or a refusal). */
export function isConnectionLost(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return LOST.some((re) => re.test(message));
}

/** The host's message as it is, for errors that are not about the current connection (a new connect, a profile test). */
export function plainErrorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The one line to show for an error on the current connection (a lost connection also marks it lost). */
export function errorText(err: unknown): string {
  if (isConnectionLost(err)) {
    onLost?.(err instanceof Error ? err.message : String(err));
    return LOST_CONNECTION_TEXT;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Whether an error means the operator cancelled. */
export function isCancelled(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'cancelled';
}
