/**
 * The backfill bench's application load: single-row primary-key reads and updates on one table,
 * half each, in a closed or open loop (LoadShape). It records, per operation, the wall-clock time it
 * arrived (ms since the epoch, comparable across processes on one machine), its kind and its
 * latency; the bench files each under the phase that was current when it arrived.
 *
 * By default the load runs in its own Node process (process.ts), as an application does: the
 * console's JavaScript (its driver, its probe, its timers) then cannot delay the load's own
 * measurement, which it did while both shared one event loop. `inProcess` keeps the old way.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * How the bench's application load arrives:
 * - open: operations arrive at random (Poisson) times at `rate` per second, as an application's
 *   requests do, whatever the server is doing, and are served by a pool of `connections`; an
 *   operation that arrives while every connection is busy queues for one, and its latency counts
 *   from its arrival (so a stall is charged to every operation it delays, not hidden by the load
 *   slowing down);
 * - closed (`rate` 0): each connection sends its next operation as soon as the last one returns,
 *   which keeps the server's cores as busy as the connections can make them (a saturated server).
 */
export interface LoadShape { rate: number; connections: number }

/** What the load was told to do. */
export interface LoadConfig { url: string; table: string; rows: number; shape: LoadShape; appName: string }

/**
 * Every operation the load ran: arrival (epoch ms), kind (0 read, 1 update) and latency (ms), three
 * numbers each; and `late`, each time the load's own event loop ran a 5 ms timer more than 5 ms
 * late: when (epoch ms) and by how much (ms), two numbers each (the load's client losing the CPU).
 */
export interface LoadResult { ops: Float64Array; count: number; cores: number | null; late: Float64Array }

/** A running load. */
export interface RunningLoad { stop(): Promise<LoadResult> }

/** Wall-clock ms since the epoch at sub-millisecond resolution, the same clock in every process. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/** CPU seconds (user + system) a local process has used, from /proc; null where /proc is missing. */
export function cpuSeconds(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function sumCpu(pids: number[]): number | null {
  const each = pids.map(cpuSeconds);
  return each.every((x) => x != null) ? (each as number[]).reduce((a, b) => a + b, 0) : null;
}

/**
 * A seeded PRNG in [0, 1) over 32-bit integer arithmetic. (The float LCG this bench used before
 * lost precision and cycled through only ~12,000 of the rows, a far hotter working set than an
 * application's.)
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Operations the load runs before it counts any: one second's worth at an open loop's rate (at
 * least 500), 250 per connection in a closed loop. A new process's first operations run on new
 * backends (empty catalog and plan caches) and unoptimized JavaScript, and an open loop's arrivals
 * queue up behind them: measured, a stall of every operation for about a second, which was charged
 * to whatever phase began then (the backfill's start).
 */
export const warmupOps = (shape: LoadShape): number => (shape.rate > 0 ? Math.max(500, Math.round(shape.rate)) : 250 * shape.connections);

/**
 * Connect, then run the load in this process until stop(); resolves once every connection is open
 * and the warm-up (warmupOps) has run. Only operations after the warm-up are returned.
 */
export async function runLoadHere(cfg: LoadConfig): Promise<RunningLoad> {
  const { table, rows, shape } = cfg;
  let running = true;
  let ops = new Float64Array(3 * 65536);
  let count = 0;
  const record = (at: number, kind: 0 | 1, ms: number) => {
    if (3 * (count + 1) > ops.length) {
      const grown = new Float64Array(ops.length * 2);
      grown.set(ops);
      ops = grown;
    }
    ops.set([at, kind, ms], 3 * count);
    count += 1;
    if (count === warmup) warmed();
  };
  const rand = mulberry32(12345);
  const once = async (c: pg.Client): Promise<0 | 1> => {
    const id = 1 + Math.floor(rand() * rows);
    if (rand() < 0.5) {
      await c.query(`SELECT v FROM ${table} WHERE id = $1`, [id]);
      return 0;
    }
    await c.query(`UPDATE ${table} SET v = v + 1 WHERE id = $1`, [id]);
    return 1;
  };
  const queue: number[] = [];
  const idleWorkers: (() => void)[] = [];
  // Connect the pool before the first arrival, so no operation waits on a connection being opened.
  const clients = await Promise.all(Array.from({ length: shape.connections }, async () => {
    const c = new pg.Client({ connectionString: cfg.url, application_name: cfg.appName });
    // The bench's own failure, not a dropped load connection's, is the error to see.
    c.on('error', () => {});
    await c.connect();
    return c;
  }));
  const pids = await Promise.all(clients.map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
  let cpuAtStart: number | null = null;
  let startedAt = performance.now();
  const late: number[] = [];
  const warmup = warmupOps(shape);
  let warmed: () => void = () => undefined;
  const warm = new Promise<void>((resolve) => { warmed = resolve; });
  let expected = performance.now() + 5;
  const lateness = setInterval(() => {
    const now = performance.now();
    if (now - expected > 5) late.push(performance.timeOrigin + now, now - expected);
    expected = now + 5;
  }, 5);
  const workers = clients.map(async (c) => {
    while (running) {
      if (shape.rate === 0) {
        const t0 = performance.now();
        const kind = await once(c);
        record(performance.timeOrigin + t0, kind, performance.now() - t0);
        continue;
      }
      const at = queue.shift();
      if (at === undefined) {
        await new Promise<void>((r) => idleWorkers.push(r));
        continue;
      }
      const kind = await once(c);
      record(performance.timeOrigin + at, kind, performance.now() - at);
    }
    await c.end();
  });
  // Arrivals: exponential gaps at the rate; a timer that fires late (the event loop's 1 ms
  // granularity) delivers the arrivals due by then, each counted from when it was delivered.
  const arrivals = shape.rate === 0 ? Promise.resolve() : (async () => {
    const gap = mulberry32(777);
    let next = performance.now();
    while (running) {
      next += (-Math.log(1 - gap()) * 1000) / shape.rate;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      queue.push(performance.now());
      idleWorkers.shift()?.();
    }
  })();
  await Promise.race([warm, Promise.all(workers).then(() => { throw new Error('the load stopped during its warm-up'); })]);
  // Forget the warm-up: from here on every operation counts.
  count = 0;
  late.length = 0;
  warmed = () => undefined;
  cpuAtStart = sumCpu(pids);
  startedAt = performance.now();
  return {
    async stop(): Promise<LoadResult> {
      running = false;
      clearInterval(lateness);
      const cpuAtEnd = sumCpu(pids);
      const cores = cpuAtStart != null && cpuAtEnd != null ? (cpuAtEnd - cpuAtStart) / ((performance.now() - startedAt) / 1000) : null;
      await arrivals;
      queue.length = 0;
      const stopped = Promise.all(workers);
      // A worker that went idle after this wakes to see running false; wake those waiting now.
      for (const w of idleWorkers.splice(0)) w();
      await stopped;
      return { ops: ops.slice(0, 3 * count), count, cores, late: Float64Array.from(late) };
    },
  };
}

const childEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'process.ts');

/** Messages between the bench and its load process. */
export type LoadMessage = { ready: true } | { error: string } | { result: LoadResult };

/** Start the load in its own Node process; resolves once its connections are open and it has warmed up. */
export async function runLoadInChild(cfg: LoadConfig): Promise<RunningLoad> {
  const child = fork(childEntry, [JSON.stringify(cfg)], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () => new Promise<LoadMessage>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the load process exited (code ${code}) before it answered`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as LoadMessage);
    });
  });
  const first = await next();
  if ('error' in first) throw new Error(`the load process: ${first.error}`);
  return {
    async stop(): Promise<LoadResult> {
      const answer = next();
      child.send('stop');
      const m = await answer;
      if (!('result' in m)) throw new Error(`the load process: ${'error' in m ? m.error : 'no result'}`);
      return m.result;
    },
  };
}

/** Start the load in its own process (the default) or in this one. */
export function startLoadLoop(cfg: LoadConfig, inProcess: boolean): Promise<RunningLoad> {
  return inProcess ? runLoadHere(cfg) : runLoadInChild(cfg);
}
