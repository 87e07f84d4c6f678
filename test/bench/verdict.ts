/**
 * Target verdicts of a benchmark run: each benchmark prints `met`/`MISSED` through `verdict`, and
 * `npm run bench` exits 1 when any target was missed (0 when all were met, 2 when the run failed).
 */
let missed = 0;

/** The word to print for a target, remembering a miss for the exit code. */
export function verdict(met: boolean, words: [string, string] = ['met', 'MISSED']): string {
  if (!met) missed += 1;
  return met ? words[0] : words[1];
}

/** How many targets this run missed so far. */
export function missedTargets(): number {
  return missed;
}
