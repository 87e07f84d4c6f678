/** The window view's clock words: durations, and elapsed time against a step's expected time. */
import type { RunWindowView } from './contract/runbooks.js';

/** "4 min 05 s", "12 s", "1 h 02 min". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Elapsed against expected: the words and whether it runs over. */
export function elapsedText(elapsedMs: number, expected: RunWindowView['expected'][string] | undefined): { text: string; over: boolean; share: number | null } {
  if (!expected) return { text: `${duration(elapsedMs)} elapsed · no expected time (give the step expectedMinutes, or it is measured on the first run)`, over: false, share: null };
  const from = expected.source === 'runbook' ? 'the runbook' : `the run of ${expected.source.startedAt.slice(0, 10)}`;
  const over = elapsedMs > expected.durationMs;
  return {
    text: `${duration(elapsedMs)} elapsed of ${duration(expected.durationMs)} expected (from ${from})${over ? ` · ${duration(elapsedMs - expected.durationMs)} over` : ''}`,
    over,
    share: elapsedMs / Math.max(1, expected.durationMs),
  };
}

