/** Which large passes of an exact check run two at once, on one backend each (pass-pool.ts). */
import { describe, expect, it } from 'vitest';
import { PAIR_MIN_SCAN_MULTIPLE, pairLargePasses, type ParallelLimits } from '../../main/engine/checks/pass-pool.js';

const MB = 1024 * 1024;
const defaults: ParallelLimits = { minParallelTableScanBytes: 8 * MB, workersPerQuery: 2 };
const sizes: Record<string, number> = { comments: 400 * MB, tasks: 300 * MB, events: 200 * MB, users: 100 * MB };
const pair = (names: string[], limits: ParallelLimits | null = defaults, pairable = (_: string) => true) =>
  pairLargePasses(names, (n) => sizes[n]!, limits, pairable);

describe('pairLargePasses', () => {
  it('pairs the passes largest first when together they read enough', () => {
    expect(pair(['users', 'tasks', 'comments', 'events'])).toEqual({ alone: [], paired: ['comments', 'tasks', 'events', 'users'] });
  });

  it('runs alone a pass that reads more than all the others together, and pairs the rest', () => {
    sizes.huge = 2000 * MB;
    expect(pair(['users', 'huge', 'tasks', 'comments'])).toEqual({ alone: ['huge'], paired: ['comments', 'tasks', 'users'] });
    // One pass left over is not a pair.
    expect(pair(['huge', 'users'])).toEqual({ alone: ['huge', 'users'], paired: [] });
  });

  it('pairs nothing under the threshold, on a server without parallel query, or what may not be paired', () => {
    const under = (PAIR_MIN_SCAN_MULTIPLE * 8 * MB) / 2 - 1;
    sizes.a = under;
    sizes.b = under;
    expect(pair(['a', 'b']).paired).toEqual([]);
    expect(pair(['a', 'b'], { ...defaults, minParallelTableScanBytes: MB }).paired).toEqual(['a', 'b']);
    expect(pair(['tasks', 'events'], { ...defaults, workersPerQuery: 0 })).toEqual({ alone: ['tasks', 'events'], paired: [] });
    expect(pair(['tasks', 'events'], null).paired).toEqual([]);
    expect(pair(['comments', 'users', 'tasks', 'events'], defaults, (n) => n !== 'comments')).toEqual({ alone: ['comments'], paired: ['tasks', 'events', 'users'] });
  });
});
