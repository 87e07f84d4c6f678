/**
 * `npm run bench -- backfill [--rows N] [--batch-size N] [--max-batch-size N] [--batch-ms MS] [--max-latency-ratio X] [--duty D] [--throttle-ms MS]`:
 * fill N rows (default 2,000,000) with the batched backfill while a concurrent load of single-row
 * reads and writes runs on the same table, and print, from one run: the pacing settings, backfill
 * throughput vs one big UPDATE, the load's p99 latency idle / during the backfill / during the
 * big UPDATE (idle measured in pauses of the backfill interleaved with its running windows, and
 * before and after it), the longest single operation the load saw (its lock wait
 * bound), what the load's server processes were waiting on, the share of its operations slower
 * than 1, 2, 5 and 20 ms idle and during (what moves the p99), the batches' durations, CPU used by
 * the backfill's server process, and the machine's load average (other work shares the cores).
 * Targets: throughput at least 0.5x the big UPDATE's, the load's p99 at most 1.5x idle and no wait
 * over 1 s during the backfill. Pacing options left out use the engine's defaults (PACE_DEFAULTS),
 * which is what the targets are measured against.
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { PACE_DEFAULTS } from '../../main/engine/backfill/pace.js';
import { PauseController } from '../../main/engine/backfill/pause.js';
import { startBackfill, type BatchTiming } from '../../main/engine/backfill/run.js';
import { verdict } from './verdict.js';
import { startEmbeddedPostgres } from '../../main/engine/pg/embedded.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';

interface LoadStats { ops: number; p50: number; p99: number; max: number; over: Record<string, number> }

/** The latency bounds whose share of operations is printed: over 2 ms is CPU or I/O queueing, over 20 ms a lock wait. */
const OVER_MS = [1, 2, 5, 20] as const;

const LOAD_APP = 'bench-load';

function arg(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : undefined;
}

/**
 * A seeded PRNG in [0, 1) over 32-bit integer arithmetic. (The float LCG this bench used before
 * lost precision and cycled through only ~12,000 of the rows, a far hotter working set than an
 * application's.)
 */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stats(lat: number[]): LoadStats {
  const s = [...lat].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0;
  const over = Object.fromEntries(OVER_MS.map((x) => [x, s.filter((v) => v > x).length / Math.max(1, s.length)]));
  return { ops: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1] ?? 0, over };
}

/**
 * Run single-row reads and writes on `table` over `clients` connections until stop() is called.
 * Each operation's latency is filed under the phase current when it started (null: not counted).
 */
function startLoad(url: string, table: string, rows: number, phase: () => string | null = () => 'all', clients = 2) {
  let running = true;
  const lat = new Map<string, number[]>();
  const loops = Array.from({ length: clients }, async (_, k) => {
    const c = new pg.Client({ connectionString: url, application_name: LOAD_APP });
    await c.connect();
    const rand = mulberry32(12345 + k);
    while (running) {
      const id = 1 + Math.floor(rand() * rows);
      const read = rand() < 0.5;
      const tag = phase();
      const t0 = performance.now();
      if (read) await c.query(`SELECT v FROM ${table} WHERE id = $1`, [id]);
      else await c.query(`UPDATE ${table} SET v = v + 1 WHERE id = $1`, [id]);
      const ms = performance.now() - t0;
      if (tag) (lat.get(tag) ?? lat.set(tag, []).get(tag)!).push(ms);
    }
    await c.end();
  });
  return {
    async stop(): Promise<Record<string, LoadStats>> {
      running = false;
      await Promise.all(loops);
      return Object.fromEntries([...lat].map(([tag, xs]) => [tag, stats(xs)]));
    },
  };
}

/** Run the load alone for `ms` (the idle baseline), ending on a timer, not a sleep in a test. */
async function idleLoad(url: string, table: string, rows: number, ms: number): Promise<LoadStats> {
  const load = startLoad(url, table, rows);
  await new Promise((r) => setTimeout(r, ms));
  return (await load.stop()).all!;
}

/**
 * While the backfill runs, pause it for `idleMs` every `runMs`, so the load's idle latency is
 * measured in windows interleaved with the backfill's: same minutes, same neighbours on the
 * machine, same table. The first `settleMs` of each pause (the batch in flight commits) and of each
 * resume count for neither side.
 */
function interleave(pause: PauseController, runMs = 7000, idleMs = 3000, settleMs = 500) {
  let phase: 'during' | 'idle' | null = null;
  let pausedMs = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const at = (ms: number, fn: () => void) => {
    if (!stopped) timer = setTimeout(fn, ms);
  };
  const run = () => {
    phase = null;
    pause.resume();
    at(settleMs, () => {
      phase = 'during';
      at(runMs, () => {
        phase = null;
        pause.pause();
        const t = performance.now();
        at(settleMs, () => {
          phase = 'idle';
          at(idleMs, () => {
            pausedMs += performance.now() - t;
            run();
          });
        });
      });
    });
  };
  run();
  return {
    phase: () => phase,
    /** Stop switching; returns the time the backfill spent paused for the idle windows. */
    stop(): number {
      stopped = true;
      clearTimeout(timer);
      phase = null;
      pause.resume();
      return pausedMs;
    },
  };
}

/** Sample what the load's active server processes wait on (pg_stat_activity) every 20 ms. */
function sampleWaits(url: string, phase: () => string | null) {
  let running = true;
  const counts = new Map<string, number>();
  let samples = 0;
  const loop = (async () => {
    const c = new pg.Client({ connectionString: url, application_name: 'bench-sampler' });
    await c.connect();
    while (running) {
      const { rows } = await c.query<{ w: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU (no wait event)') AS w FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'`, [LOAD_APP]);
      if (phase() !== 'during') {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      samples += 1;
      for (const r of rows) counts.set(r.w, (counts.get(r.w) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 20));
    }
    await c.end();
  })();
  return {
    async stop(): Promise<string> {
      running = false;
      await loop;
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5)
        .map(([w, n]) => `${w} ${((100 * n) / Math.max(total, 1)).toFixed(0)}%`).join(', ') + ` (${total} active samples in ${samples} polls)`;
    },
  };
}

/** CPU seconds (user + system) a local process has used, from /proc; null where /proc is missing. */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0;
}

const ms = (x: number) => `${x.toFixed(2)} ms`;
const shares = (l: LoadStats) => OVER_MS.map((x) => `${(100 * l.over[x]!).toFixed(2)}%`).join(' / ');
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(', ');

/** The benchmark. */
export async function run(args: string[]): Promise<void> {
  const rows = arg(args, '--rows') ?? 2_000_000;
  const pace = {
    batchSize: arg(args, '--batch-size') ?? PACE_DEFAULTS.batchSize,
    maxBatchSize: arg(args, '--max-batch-size') ?? PACE_DEFAULTS.maxBatchSize,
    targetBatchMs: arg(args, '--batch-ms') ?? PACE_DEFAULTS.targetBatchMs,
    maxLatencyRatio: arg(args, '--max-latency-ratio') ?? PACE_DEFAULTS.maxLatencyRatio,
    dutyCycle: arg(args, '--duty') ?? PACE_DEFAULTS.dutyCycle,
    throttleMs: arg(args, '--throttle-ms') ?? PACE_DEFAULTS.throttleMs,
  };
  const isDefault = (Object.keys(pace) as (keyof typeof pace)[]).every((k) => pace[k] === PACE_DEFAULTS[k]);
  const describePace = (p: typeof pace) => `first batch ${p.batchSize} keys, ${p.maxBatchSize === null ? 'no cap' : `at most ${p.maxBatchSize}`}, target ${p.targetBatchMs} ms per batch, ` +
    `${p.dutyCycle === null ? `rest following the probe's latency (at most ${p.maxLatencyRatio}x at rest)` : `fixed duty cycle ${p.dutyCycle}`}, throttle ${p.throttleMs} ms`;
  const loadAtStart = loadavg();
  const server = await startEmbeddedPostgres({ fast: true });
  try {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE bench_backfill');
    await admin.end();
    const url = server.urlFor('bench_backfill');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    process.stderr.write(`loading 2 x ${rows.toLocaleString('en-US')} rows...\n`);
    for (const t of ['batched', 'big']) {
      await c.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, v int NOT NULL DEFAULT 0, org int) WITH (fillfactor = 90)`);
      await c.query(`INSERT INTO ${t} (id) SELECT g FROM generate_series(1, $1) g`, [rows]);
      await c.query(`VACUUM ANALYZE ${t}`);
    }
    await c.query('CHECKPOINT');

    process.stderr.write('load alone (idle baseline)...\n');
    const idle = await idleLoad(url, 'batched', rows, 5000);

    const { profile, urlPassword } = profileFromUrl(url, { statementTimeoutMs: 0 });
    const s = await Session.open(profile, { password: urlPassword });
    await s.enableWrite();
    const timings: BatchTiming[] = [];
    process.stderr.write('batched backfill under the load...\n');
    const pause = new PauseController();
    const windows = interleave(pause);
    const load = startLoad(url, 'batched', rows, windows.phase);
    const waits = sampleWaits(url, windows.phase);
    const cpu0 = cpuSeconds(s.pid);
    const t0 = performance.now();
    const r = await startBackfill(s, { table: 'public.batched', column: 'org', source: { kind: 'constant', value: '1' } },
      { ...pace, lockTimeoutMs: 1000, pause, onBatch: (t) => timings.push(t) });
    const pausedSecs = windows.stop() / 1000;
    const backfillSecs = (performance.now() - t0) / 1000 - pausedSecs;
    const cpu1 = cpuSeconds(s.pid);
    const { during, idle: idleBetween } = (await load.stop()) as { during: LoadStats; idle: LoadStats };
    const waitsDuring = await waits.stop();
    await s.close();

    process.stderr.write('load alone again (idle after)...\n');
    const idleAfter = await idleLoad(url, 'batched', rows, 5000);

    process.stderr.write('one big UPDATE under the load...\n');
    const bigLoad = startLoad(url, 'big', rows);
    const t1 = performance.now();
    await c.query('UPDATE big SET org = 1 WHERE org IS NULL');
    const bigSecs = (performance.now() - t1) / 1000;
    const duringBig = (await bigLoad.stop()).all!;
    await c.end();

    // Other work on the machine moves the idle p99 from one minute to the next: judge against the
    // idle windows interleaved with the backfill, measured under the same conditions.
    const ratio = during.p99 / idleBetween.p99;
    const batchMs = timings.map((t) => t.ms);
    const sizes = timings.map((t) => t.size);
    const duties = timings.map((t) => t.duty);
    const ratios = timings.map((t) => t.latencyRatio).filter((x): x is number => x !== null);
    const throughput = (rows / backfillSecs) / (rows / bigSecs);
    const rested = timings.reduce((a, t) => a + t.restMs, 0) / 1000;
    const cpu = cpu0 != null && cpu1 != null ? `${(cpu1 - cpu0).toFixed(1)} s CPU in its server process (${((100 * (cpu1 - cpu0)) / backfillSecs).toFixed(0)}% of one core)` : 'CPU not measured (no /proc)';
    const lines = [
      `backfill benchmark: ${rows.toLocaleString('en-US')} rows, 2 load connections (random PK reads and updates), embedded PostgreSQL 18 (fsync off) on port ${server.port}`,
      `  settings: ${describePace(pace)}${isDefault ? ' (the engine\'s default pacing)' : ` (NOT the default pacing: ${describePace(PACE_DEFAULTS)})`}`,
      `  load average (1, 5, 15 min): ${loadAtStart} at start, ${loadavg()} at the end (${os.cpus().length} cores, shared)`,
      `  batched backfill: ${backfillSecs.toFixed(1)} s, ${Math.round(r.rowsDone / backfillSecs).toLocaleString('en-US')} rows/s, ${r.batches} batches, ${r.nullsLeft} NULL left; ${rested.toFixed(1)} s of it resting (not counting ${pausedSecs.toFixed(1)} s paused for the idle windows); ${cpu}`,
      `  batches: ${ms(quantile(batchMs, 0.5))} median, ${ms(quantile(batchMs, 0.99))} p99, ${ms(Math.max(0, ...batchMs))} longest; size ${Math.min(...sizes)}..${Math.max(...sizes)} keys (median ${quantile(sizes, 0.5)})`,
      `  pacing: duty ${quantile(duties, 0.5).toFixed(2)} median (${Math.min(...duties).toFixed(2)}..${Math.max(...duties).toFixed(2)}); probe latency during batches / at rest ${ratios.length ? `${quantile(ratios, 0.5).toFixed(2)} median, ${Math.max(...ratios).toFixed(2)} highest` : 'not measured'}`,
      `  one big UPDATE:   ${bigSecs.toFixed(1)} s, ${Math.round(rows / bigSecs).toLocaleString('en-US')} rows/s`,
      `  throughput ratio (batched / big UPDATE): ${throughput.toFixed(2)}; target >= 0.5: ${verdict(throughput >= 0.5)}`,
      `  load idle, paused windows between batches: p50 ${ms(idleBetween.p50)}, p99 ${ms(idleBetween.p99)}, max ${ms(idleBetween.max)} (${idleBetween.ops} ops)`,
      `  load idle before:        p50 ${ms(idle.p50)}, p99 ${ms(idle.p99)}, max ${ms(idle.max)} (${idle.ops} ops)`,
      `  load during backfill:    p50 ${ms(during.p50)}, p99 ${ms(during.p99)}, max ${ms(during.max)} (${during.ops} ops)`,
      `  load idle after:         p50 ${ms(idleAfter.p50)}, p99 ${ms(idleAfter.p99)}, max ${ms(idleAfter.max)} (${idleAfter.ops} ops)`,
      `  load during big UPDATE:  p50 ${ms(duringBig.p50)}, p99 ${ms(duringBig.p99)}, max ${ms(duringBig.max)} (${duringBig.ops} ops)`,
      `  the load's server processes during the backfill: ${waitsDuring}`,
      `  share of the load's operations slower than ${OVER_MS.map((x) => `${x} ms`).join(' / ')}: idle windows ${shares(idleBetween)}; during the backfill ${shares(during)}`,
      `  p99 during backfill / idle: ${ratio.toFixed(2)}x against the interleaved idle windows (${(during.p99 / idle.p99).toFixed(2)}x vs idle before, ${(during.p99 / idleAfter.p99).toFixed(2)}x vs idle after); target <= 1.5x: ${verdict(ratio <= 1.5)}`,
      `  longest wait seen by the load during the backfill: ${ms(during.max)}; target < 1000 ms: ${verdict(during.max < 1000)}`,
      `  longest wait during the big UPDATE: ${ms(duringBig.max)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await server.stop();
  }
}
