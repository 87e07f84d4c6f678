/**
 * The backfill bench's view of the load's operations: which phase of the run each arrived in
 * (PhaseClock), and the latency figures it prints per phase.
 */
import { epochMs } from './loop.js';

/** The latency figures of one phase. */
export interface LoadStats { ops: number; p50: number; p99: number; max: number; over: Record<string, number> }

/** The latency bounds whose share of operations is printed: over 2 ms is CPU or I/O queueing, over 20 ms a lock wait. */
export const OVER_MS = [1, 2, 5, 20] as const;

/** p50, p99, max and the share over each of OVER_MS, of latencies in ms. */
export function stats(lat: number[]): LoadStats {
  const s = [...lat].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0;
  const over = Object.fromEntries(OVER_MS.map((x) => [x, s.filter((v) => v > x).length / Math.max(1, s.length)]));
  return { ops: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1] ?? 0, over };
}

/**
 * Which phase of the run it is, as a list of wall-clock marks: the load (in its own process) records
 * when each operation arrived, and after it stops each is filed under the phase current then.
 */
export class PhaseClock {
  private readonly at: number[] = [-Infinity];
  private readonly tags: (string | null)[];

  constructor(initial: string | null = null) {
    this.tags = [initial];
  }

  /** From now on, operations count under `tag` (null: not counted). */
  set(tag: string | null): void {
    this.at.push(epochMs());
    this.tags.push(tag);
  }

  /** The phase now. */
  current(): string | null {
    return this.tags[this.tags.length - 1]!;
  }

  /** The phase at wall-clock time `t` (epoch ms). */
  tagAt(t: number): string | null {
    let lo = 0;
    let hi = this.at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.at[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.tags[lo]!;
  }
}

/** The value below which a share `p` of `xs` lie (the nearest rank). */
export function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0;
}

/** A latency in ms, as printed. */
export const ms = (x: number) => `${x.toFixed(2)} ms`;
