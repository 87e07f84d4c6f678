/**
 * The backfill's latency probe (probe.ts): its reads during batches and at rest are timed alike,
 * each after the same quiet gap, and stopping it never waits out that gap (the next batch would).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatencyProbe } from '../../main/engine/backfill/probe.js';
import { resolveBackfillTarget } from '../../main/engine/backfill/target.js';
import type { Session } from '../../main/engine/session.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let s: Session;
let probe: LatencyProbe;
beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE SCHEMA "P; s";
    CREATE TABLE "P; s"."t ""x""" ("k id" bigint PRIMARY KEY, org int);
    INSERT INTO "P; s"."t ""x""" SELECT g, NULL FROM generate_series(1, 100) g;`);
  s = await db.session();
  const target = await resolveBackfillTarget(s, `"P; s"."t ""x"""`, 'org', { kind: 'constant', value: '1' });
  probe = (await LatencyProbe.open(s, target))!;
  probe.useKey(['42']);
});
afterAll(async () => {
  await probe?.close();
  await s?.close();
  await db?.drop();
});

describe('latency probe', () => {
  it('takes no read before its first gap and stops at once in the middle of one', async () => {
    probe.take();
    const t0 = performance.now();
    probe.startDuring(60_000);
    await probe.stopDuring();
    // A stop waited for the 60 s timer before; the bound is far above a round trip and far below the gap.
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(probe.take()).toEqual({ duringMs: [], idleMs: [] });
  });

  it('times reads during a batch after each gap, and one read at rest after the same gap', async () => {
    probe.startDuring(5);
    // Wait on readings, not on time: poll the probe's own count.
    while ((probe as unknown as { during: number[] }).during.length < 3) await new Promise((r) => setImmediate(r));
    await probe.stopDuring();
    const t0 = performance.now();
    await probe.idleAfterGap(50);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(49);
    const sample = probe.take();
    expect(sample.duringMs.length).toBeGreaterThanOrEqual(3);
    expect(sample.idleMs).toHaveLength(1);
    expect(sample.idleMs[0]).toBeGreaterThan(0);
  });
});
