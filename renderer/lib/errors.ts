/** Error text for the UI: the host's one-line message. */
import { ApiError } from '../../shared/contract/channel.js';

/** The one line to show for an error. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Whether an error means the operator cancelled. */
export function isCancelled(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'cancelled';
}
