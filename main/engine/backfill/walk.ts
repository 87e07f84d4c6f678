/**
 * How each batch finds its rows: by counting the next N keys off the primary-key index ('keys',
 * any key), or, for a single integer key whose values are dense, by taking the next N key values
 * ('range': (last, next + N - 1]). The range walk skips the second walk of the index that counting
 * costs (counting: 1.09x to 1.10x its CPU per row under load, `npm run bench -- backfill-walk`), and N distinct
 * integers still hold at most N rows. Sparse values would make a range batch cover few rows and
 * let the duration-driven sizing grow its width until a dense stretch makes one batch many times
 * the target; so the range walk runs only while at least half of the key values a batch covers
 * are rows it had to fill (counting keys shows the same density first), and falls back to counting
 * keys, with the batch size cut to twice the rows it found, as soon as they are not.
 */
import type { BackfillTarget } from './target.js';

/** The share of key values that must be rows for the range walk to run. */
export const DENSE_ENOUGH = 0.5;

/** The last batch as the walk sees it. */
export interface WalkObservation {
  walk: 'keys' | 'range';
  /** The last key before the batch (null: the first batch, or a fresh pass) and the batch's last key. */
  from: readonly string[] | null;
  to: readonly string[] | null;
  /** Keys the batch found ('keys') or key values it covered ('range'). */
  scanned: number;
  /** Rows the range held that the batch saw (filled or left NULL by the source). */
  rows: number;
}

/** Chooses the walk of each batch from the last one. */
export class KeyWalk {
  private next: 'keys' | 'range' = 'keys';

  constructor(private readonly target: BackfillTarget) {}

  /** The walk of the next batch, which starts after `from`. */
  walkAfter(from: readonly string[] | null): 'keys' | 'range' {
    return this.target.integerKey && from ? this.next : 'keys';
  }

  /** Record a committed batch; when the walk falls back to counting keys, returns the most keys the next batch should take (else null). */
  observe(o: WalkObservation): number | null {
    if (!this.target.integerKey || !o.from || !o.to || o.scanned === 0) return null;
    if (o.walk === 'keys') {
      const span = BigInt(o.to[0]!) - BigInt(o.from[0]!);
      this.next = span > 0n && o.scanned / Number(span) >= DENSE_ENOUGH ? 'range' : 'keys';
      return null;
    }
    if (o.rows / o.scanned >= DENSE_ENOUGH) return null;
    this.next = 'keys';
    return Math.max(1, 2 * o.rows);
  }
}
