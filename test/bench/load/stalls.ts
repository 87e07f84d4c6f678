/**
 * The backfill bench's lines on the load's slow operations (over 20 ms): where they ended
 * against the batches' commits, and the largest stall.
 */
import { ms } from './phases.js';

/**
 * Where the slow operations ended relative to the batches' commits: within 5 ms after one (they
 * waited for the batch, or for something its commit released), or elsewhere; reads and updates apart.
 */
export function slowLine(slow: number[][], commits: number[]): string {
  const sorted = [...commits].sort((a, b) => a - b);
  const nearAfterCommit = (end: number) => {
    let lo = 0;
    let hi = sorted.length - 1;
    let best = -Infinity;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! <= end) {
        best = sorted[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // The commit's return reaches the bench a little after the server released the locks.
    return end - best <= 5 || sorted.some((c) => c > end && c - end <= 2);
  };
  const part = (kind: number, name: string) => {
    const xs = slow.filter((o) => o[1] === kind);
    const near = xs.filter((o) => nearAfterCommit(o[0]! + o[2]!)).length;
    return `${name} ${xs.length} (${near} within 5 ms of a batch's commit)`;
  };
  return `${part(0, 'reads')}, ${part(1, 'updates')}`;
}

/**
 * The largest stall: slow operations whose spans overlap, merged, the group with the most
 * operations; when it began against the backfill's start and its first commit (a stall of
 * everything at once is not a row lock, which holds one row).
 */
export function burstLine(slow: number[][], startedAt: number, firstCommit: number | undefined): string {
  const spans = [...slow].sort((a, b) => a[0]! - b[0]!);
  let best = { n: 0, reads: 0, from: 0, to: 0 };
  let cur = { n: 0, reads: 0, from: 0, to: -Infinity };
  for (const [start, kind, dur] of spans) {
    if (start! > cur.to) cur = { n: 0, reads: 0, from: start!, to: start! };
    cur.n += 1;
    cur.reads += kind === 0 ? 1 : 0;
    cur.to = Math.max(cur.to, start! + dur!);
    if (cur.n > best.n) best = { ...cur };
  }
  if (best.n === 0) return 'none';
  const first = firstCommit === undefined ? 'no batch committed' : `the first batch committed at +${ms(firstCommit - startedAt)}`;
  return `${best.n} operations (${best.reads} reads) overlapping over ${ms(best.to - best.from)}, from +${ms(best.from - startedAt)} after the backfill started (${first})`;
}
