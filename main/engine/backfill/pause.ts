/**
 * Pause and resume a running backfill between batches (the UI's pause button, a runbook step).
 */
import { abortableDelay } from '../delay.js';

/** Holds a backfill between batches while paused; cancelling (the AbortSignal) also releases it. */
export class PauseController {
  private waiting: (() => void)[] = [];
  private pausedNow = false;
  private listeners = new Set<(paused: boolean) => void>();

  /** Whether a pause is requested. */
  get paused(): boolean {
    return this.pausedNow;
  }

  /** Stop before the next batch (the batch running now still commits). */
  pause(): void {
    if (this.pausedNow) return;
    this.pausedNow = true;
    for (const l of this.listeners) l(true);
  }

  /** Continue with the next batch. */
  resume(): void {
    if (!this.pausedNow) return;
    this.pausedNow = false;
    for (const l of this.listeners) l(false);
    const w = this.waiting;
    this.waiting = [];
    for (const resolve of w) resolve();
  }

  /** Be told when the pause state changes; returns an unsubscribe function. */
  onChange(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolve at once when not paused, else when resumed or the signal aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    if (!this.pausedNow || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiting.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** Wait `ms` (the throttle between batches), ending early when the signal aborts. */
export function throttle(ms: number, signal?: AbortSignal): Promise<void> {
  return abortableDelay(ms, signal);
}
