/**
 * `npm run bench -- backfill [--rows N] [--batch-size N] [--max-batch-size N] [--batch-ms MS] [--max-latency-ratio X] [--duty D] [--throttle-ms MS] [--load-rate OPS] [--load-connections N] [--control-shares S,S] [--control-period-ms MS] [--control-memory] [--nice N] [--sample-waits] [--load-in-process]`:
 * fill N rows (default 2,000,000) with the batched backfill while a concurrent load of single-row
 * reads and writes runs on the same table, and print, from one run: the pacing settings, backfill
 * throughput vs one big UPDATE, the load's p99 latency idle / during the backfill / during the
 * big UPDATE (idle measured in pauses of the backfill interleaved with its running windows, and
 * before and after it), the longest single operation the load saw (its lock wait
 * bound), what the load's server processes were waiting on, the share of its operations slower
 * than 1, 2, 5 and 20 ms idle and during (what moves the p99), the batches' durations, the
 * pacing's duty and ratios (the probe's, and the load's backends' CPU stretch from
 * /proc/PID/schedstat), CPU used by the backfill's server process, and the machine's load average
 * (other work shares the cores).
 * Then the control: the same load beside a process that uses as much CPU as the backfill's server
 * process did and does no database work (and, with `--control-shares`, other shares of one core,
 * spread evenly or, with `--control-period-ms`, in bursts like paced batches), which is what the
 * CPU alone does to the p99 on this machine. Then what the whole server (every
 * PostgreSQL process, read from /proc) used besides the load's backends, beyond its use with the
 * load alone, and a second control at that share when it differs from the backend's by 5 points.
 * Then the ceiling: the machine's idle CPU in the backfill's paused windows (the load alone) and
 * the share of one core a process at nice 19 that only spins gets beside the load (what it costs
 * the load's p99 too), which a backfill that takes no CPU from the load cannot exceed, and the
 * throughput ratio each allows at the big UPDATE's CPU per row (the spin's also at the backfill's).
 * Targets: throughput at least 0.5x the big UPDATE's, the load's p99 at most 1.5x idle and no wait
 * over 1 s during the backfill. Pacing options left out use the engine's defaults (PACE_DEFAULTS),
 * which is what the targets are measured against. The load is two connections back to back (the
 * one every session measured with); `--load-rate OPS` makes it arrive at random times at that rate
 * instead, over a pool of `--load-connections` (default 8). The load runs in its own Node process
 * (load/process.ts), as an application does; `--load-in-process` runs it in the bench's own
 * process beside the backfill's driver and probe, as every session before 21 measured, where the
 * console's JavaScript delays the load's timing of its own operations.
 */
import os from 'node:os';
import pg from 'pg';
import { PACE_DEFAULTS, type PaceSettings } from '../../main/engine/backfill/pace.js';
import { PauseController } from '../../main/engine/backfill/pause.js';
import { startBackfill, type BatchTiming } from '../../main/engine/backfill/run.js';
import { machineIdleSeconds, parentPid, serverCpuSeconds } from './load/cluster-cpu.js';
import { cpuSeconds, epochMs, startLoadLoop, type LoadShape } from './load/loop.js';
import { cpuNeighbour, type NeighbourKind } from './load/neighbour.js';
import { ms, OVER_MS, PhaseClock, quantile, stats, type LoadStats } from './load/phases.js';
import { burstLine, slowLine } from './load/stalls.js';
import { verdict } from './verdict.js';
import { startEmbeddedPostgres } from '../../main/engine/pg/embedded.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';

const LOAD_APP = 'bench-load';

function arg(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : undefined;
}

/** `--control-memory`: also run a control whose neighbour writes memory, at the backfill's share. */
let memoryControl = false;

/** `--control-period-ms`: the `--control-shares` neighbours are busy share x this of every this many ms (10: spread evenly). */
let controlPeriodMs = 10;

/** `--nice N`: the backfill's server process runs at this nice (the engine's `nice` option), and so does the control's neighbour. */
let serverNice: number | null = null;

/**
 * `--sample-waits`: poll pg_stat_activity every 20 ms for what the load's server processes wait on.
 * Off by default: measured (session 24, one load connection), the poll alone raised the load's p99
 * in the backfill's pauses from 0.30 ms (the same as the idle window before) to 0.63 to 0.71 ms, and
 * during the backfill from 0.44 to 0.70 to 0.78 ms, hiding the backfill's own cost in a baseline
 * the poll inflated.
 */
let sampleWaitEvents = false;

/** Where the load runs: its own process unless `--load-in-process` (the way sessions before 21 measured). */
let loadInProcess = false;

/**
 * Connect, then run single-row reads and writes on `table` in the given shape until stop() is
 * called. Each operation's latency is filed under the phase current when it arrived, and under
 * `${phase}:read` or `${phase}:update`.
 */
async function startLoad(url: string, table: string, rows: number, shape: LoadShape, clock = new PhaseClock('all')) {
  const load = await startLoadLoop({ url, table, rows, shape, appName: LOAD_APP }, loadInProcess);
  return {
    /**
     * Stop; per phase the latencies, the CPU the load's server processes used (in cores: 1 is one
     * core busy), how often and how long the load's own timers ran late, and the slow operations
     * (over 20 ms) of each phase as [arrival, kind, latency] triples.
     */
    async stop(): Promise<{ phases: Record<string, LoadStats>; cores: number | null; late: Record<string, { n: number; max: number }>; slow: Record<string, number[][]> }> {
      const { ops, count, cores, late: lateAt } = await load.stop();
      const late: Record<string, { n: number; max: number }> = {};
      for (let i = 0; i < lateAt.length; i += 2) {
        const tag = clock.tagAt(lateAt[i]!);
        if (!tag) continue;
        const l = (late[tag] ??= { n: 0, max: 0 });
        l.n += 1;
        l.max = Math.max(l.max, lateAt[i + 1]!);
      }
      const slow: Record<string, number[][]> = {};
      const lat = new Map<string, number[]>();
      const push = (tag: string, x: number) => (lat.get(tag) ?? lat.set(tag, []).get(tag)!).push(x);
      for (let i = 0; i < count; i += 1) {
        const tag = clock.tagAt(ops[3 * i]!);
        if (!tag) continue;
        const latency = ops[3 * i + 2]!;
        if (latency > 20) (slow[tag] ??= []).push([ops[3 * i]!, ops[3 * i + 1]!, latency]);
        push(tag, latency);
        push(`${tag}:${ops[3 * i + 1] === 0 ? 'read' : 'update'}`, latency);
      }
      return { phases: Object.fromEntries([...lat].map(([tag, xs]) => [tag, stats(xs)])), cores, late, slow };
    },
  };
}

/** The bench's own connections that are not the backfill: the load's and the wait sampler's. */
const NOT_BACKFILL_APPS = [LOAD_APP, 'bench-sampler'];

/**
 * CPU seconds used so far by every PostgreSQL process of the server except the load's and the
 * sampler's backends (the backfill's backend and whatever work it causes: autovacuum, WAL,
 * checkpoints); null where /proc is missing.
 */
async function serverCpuBesidesLoad(c: pg.Client, postmaster: number | null): Promise<number | null> {
  if (postmaster == null) return null;
  const { rows } = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = ANY($1)', [NOT_BACKFILL_APPS]);
  const total = serverCpuSeconds(postmaster);
  const load = rows.map((r) => cpuSeconds(r.pid));
  if (total == null || load.some((x) => x == null)) return null;
  return total - (load as number[]).reduce((a, b) => a + b, 0);
}

/**
 * Run the load alone for `ms` (the idle baseline), ending on a timer, not a sleep in a test; with
 * `serverCores`, the CPU the server used over that time besides the load's backends (in cores).
 */
async function idleLoad(url: string, table: string, rows: number, shape: LoadShape, ms: number, cpuNow: () => Promise<number | null> = async () => null): Promise<LoadStats & { cores: number | null; serverCores: number | null }> {
  const load = await startLoad(url, table, rows, shape);
  const cpu0 = await cpuNow();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const cpu1 = await cpuNow();
  const secs = (performance.now() - t0) / 1000;
  const r = await load.stop();
  return { ...r.phases.all!, cores: r.cores, serverCores: cpu0 != null && cpu1 != null ? (cpu1 - cpu0) / secs : null };
}

/**
 * While the backfill runs, pause it for `idleMs` every `runMs`, so the load's idle latency is
 * measured in windows interleaved with the backfill's: same minutes, same neighbours on the
 * machine, same table. The first `settleMs` of each pause (the batch in flight commits) and of each
 * resume count for neither side.
 */
function interleave(pause: PauseController, clock: PhaseClock, runMs = 7000, idleMs = 3000, settleMs = 500) {
  let pausedMs = 0;
  // The machine's idle CPU over the idle windows (null once /proc could not be read).
  let idleCpu: number | null = 0;
  let idleWindowMs = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const at = (ms: number, fn: () => void) => {
    if (!stopped) timer = setTimeout(fn, ms);
  };
  const run = () => {
    clock.set(null);
    pause.resume();
    at(settleMs, () => {
      clock.set('during');
      at(runMs, () => {
        clock.set(null);
        pause.pause();
        const t = performance.now();
        at(settleMs, () => {
          clock.set('idle');
          const idle0 = machineIdleSeconds();
          const w = performance.now();
          at(idleMs, () => {
            const idle1 = machineIdleSeconds();
            idleCpu = idleCpu != null && idle0 != null && idle1 != null ? idleCpu + (idle1 - idle0) : null;
            idleWindowMs += performance.now() - w;
            pausedMs += performance.now() - t;
            run();
          });
        });
      });
    });
  };
  run();
  return {
    clock,
    /** Stop switching; returns the time the backfill spent paused for the idle windows. */
    stop(): number {
      stopped = true;
      clearTimeout(timer);
      clock.set(null);
      pause.resume();
      return pausedMs;
    },
    /** The share of one core the machine left idle over the idle windows (the load alone), null without /proc or a window. */
    idleCores(): number | null {
      return idleCpu != null && idleWindowMs > 0 ? idleCpu / (idleWindowMs / 1000) : null;
    },
  };
}

/** Sample what the load's active server processes wait on (pg_stat_activity) every 20 ms. */
function sampleWaits(url: string, clock: PhaseClock) {
  let running = true;
  const counts = new Map<string, number>();
  let samples = 0;
  const loop = (async () => {
    const c = new pg.Client({ connectionString: url, application_name: 'bench-sampler' });
    await c.connect();
    while (running) {
      const { rows } = await c.query<{ w: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU (no wait event)') AS w FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'`, [LOAD_APP]);
      if (clock.current() !== 'during') {
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

/** Work the server did on its own: checkpoints (PostgreSQL 17+), and autovacuums and autoanalyzes of one table, so far. */
interface BackgroundCounts { checkpoints: number | null; autovacuums: number; autoanalyzes: number }

async function backgroundCounts(c: pg.Client, table: string): Promise<BackgroundCounts> {
  await c.query('SELECT pg_stat_clear_snapshot()');
  const t = (await c.query<{ v: string; a: string }>(
    'SELECT autovacuum_count AS v, autoanalyze_count AS a FROM pg_stat_user_tables WHERE relid = $1::regclass', [table])).rows[0];
  let checkpoints: number | null = null;
  try {
    const r = (await c.query<{ n: string }>('SELECT num_timed + num_requested AS n FROM pg_stat_checkpointer')).rows[0];
    checkpoints = Number(r?.n);
  } catch {
    // pg_stat_checkpointer is PostgreSQL 17+.
  }
  return { checkpoints, autovacuums: Number(t?.v ?? 0), autoanalyzes: Number(t?.a ?? 0) };
}

/** What the server did on its own while the backfill ran, from the counters before and after it, and a vacuum of the table still running at the end. */
async function backgroundLine(c: pg.Client, table: string, before: BackgroundCounts): Promise<string> {
  const after = await backgroundCounts(c, table);
  const running = Number((await c.query<{ n: string }>(
    'SELECT count(*) AS n FROM pg_stat_progress_vacuum WHERE relid = $1::regclass', [table])).rows[0]!.n);
  const cp = after.checkpoints != null && before.checkpoints != null ? `${after.checkpoints - before.checkpoints} checkpoints` : 'checkpoints not counted (PostgreSQL before 17)';
  return `${cp}, ${after.autovacuums - before.autovacuums} autovacuums and ${after.autoanalyzes - before.autoanalyzes} autoanalyzes of the table finished, ${running} vacuum of it still running at the end`;
}

const shares = (l: LoadStats) => OVER_MS.map((x) => `${(100 * l.over[x]!).toFixed(2)}%`).join(' / ');
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(', ');


/**
 * The control for the p99 target: the load alone, in 2.5 s windows alternating with the load plus
 * a process using `share` of one core (cpuNeighbour), four of each, the first 0.3 s after each
 * switch counted for neither. What that does to the load's p99 is what any work using that much
 * CPU on this machine does, however it is paced within the window. The neighbour runs at `nice`
 * (by default the backfill's, with `--nice`); `used` is the share of one core it actually got
 * (null without /proc).
 */
async function cpuControl(url: string, table: string, rows: number, shape: LoadShape, share: number, kind: NeighbourKind = 'spin', periodMs = 10, nice = serverNice): Promise<{ off: LoadStats; on: LoadStats; used: number | null }> {
  const clock = new PhaseClock();
  const load = await startLoad(url, table, rows, shape, clock);
  const windowOf = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let cpu: number | null = 0;
  let secs = 0;
  for (let i = 0; i < 4; i += 1) {
    clock.set(null);
    await windowOf(300);
    clock.set('off');
    await windowOf(2500);
    clock.set(null);
    const t = performance.now();
    const stop = await cpuNeighbour(share, kind, periodMs, nice);
    await windowOf(300);
    clock.set('on');
    await windowOf(2500);
    clock.set(null);
    const used = await stop();
    secs += (performance.now() - t) / 1000;
    cpu = cpu != null && used != null ? cpu + used : null;
  }
  const { phases } = await load.stop();
  return { off: phases.off!, on: phases.on!, used: cpu != null && secs > 0 ? cpu / secs : null };
}

/**
 * The ceiling line: how much CPU the load leaves beside it, measured two ways: the machine's idle
 * CPU in the backfill's paused windows (the load alone, the same minutes as the backfill: `idle`,
 * every core summed, the most any added work could use) and the share a process at nice 19 that
 * only spins gets beside the load (`ceiling.used`, in windows of its own; it gets less than the
 * idle time, the load's scheduling gaps being too short to fill). Each is turned into the most
 * rows/s it allows at the big UPDATE's CPU per row (and the spin also at the backfill's), against
 * the big UPDATE's rows/s. A backfill that takes no CPU from the load cannot go faster.
 */
function ceilingLine(ceiling: { off: LoadStats; on: LoadStats; used: number | null }, idle: number | null, rows: number, backfillCpu: number | null, bigCpu: number | null, bigSecs: number): string {
  const ratio = (share: number | null, cpu: number | null) => share != null && cpu != null && cpu > 0 ? (share * (rows / cpu)) / (rows / bigSecs) : null;
  const x = (r: number | null) => (r == null ? 'not measured' : `${r.toFixed(2)}x`);
  const perMillion = (cpu: number | null) => cpu != null ? `${((cpu * 1e6) / rows).toFixed(2)} CPU s per million rows` : 'not measured';
  const best = ratio(idle, bigCpu);
  const reach = best == null ? '' : best < 0.5
    ? '; even the idle CPU at the big UPDATE\'s CPU per row is below the 0.5x target: on this machine under this load no backfill that takes no CPU from the load can meet it'
    : '; the 0.5x target is within the idle CPU at the big UPDATE\'s CPU per row';
  const idlePart = idle == null ? 'the machine\'s idle CPU in the paused windows not measured (the backfill ended before its first paused window, or no /proc)'
    : `in the backfill's paused windows (the load alone) the machine's cores were idle ${(100 * idle).toFixed(0)}% of one core, which at the big UPDATE's CPU per row (${perMillion(bigCpu)}) fills at most ${x(best)} the big UPDATE's rows/s`;
  const spinPart = ceiling.used == null ? 'the nice-19 spin not measured (no /proc)'
    : `a process at nice 19 spinning beside the load got ${(100 * ceiling.used).toFixed(0)}% of one core, costing the load's p99 ${(ceiling.on.p99 / ceiling.off.p99).toFixed(2)}x (${ms(ceiling.on.p99)} against ${ms(ceiling.off.p99)} alone): ` +
      `${x(ratio(ceiling.used, bigCpu))} at the big UPDATE's CPU per row, ${x(ratio(ceiling.used, backfillCpu))} at the backfill's own (${perMillion(backfillCpu)})`;
  return `  ceiling: ${idlePart}; ${spinPart}${reach}`;
}

const describeShape = (l: LoadShape) => l.rate === 0
  ? `closed loop: ${l.connections} connections, each sending its next operation as soon as the last returns (a saturated server)`
  : `open loop: ${l.rate.toLocaleString('en-US')} operations/s arriving at random (Poisson) times, served by a pool of ${l.connections} connections`;

type Pace = PaceSettings;

const lateLine = (late: Record<string, { n: number; max: number }>) => (['idle', 'during'] as const)
  .map((t) => `${t === 'idle' ? 'idle windows' : 'during the backfill'} ${late[t]?.n ?? 0} times (longest ${ms(late[t]?.max ?? 0)})`).join('; ');

/** One measurement under one load shape, on its own pair of tables; returns its printed lines and whether each target was met. */
async function measure(url: string, c: pg.Client, rows: number, shape: LoadShape, pace: Pace, extraShares: number[]): Promise<{ lines: string[]; met: boolean }> {
  const batched = 'batched';
  const big = 'big';
  for (const t of [batched, big]) {
    await c.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, v int NOT NULL DEFAULT 0, org int) WITH (fillfactor = 90)`);
    await c.query(`INSERT INTO ${t} (id) SELECT g FROM generate_series(1, $1) g`, [rows]);
    await c.query(`VACUUM ANALYZE ${t}`);
  }
  await c.query('CHECKPOINT');

  const ownPid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const postmaster = parentPid(ownPid);
  process.stderr.write(`load alone (idle baseline)...\n`);
  const cpuNow = () => serverCpuBesidesLoad(c, postmaster);
  const idle = await idleLoad(url, batched, rows, shape, 5000, cpuNow);

  const { profile, urlPassword } = profileFromUrl(url, { statementTimeoutMs: 0 });
  const s = await Session.open(profile, { password: urlPassword });
  await s.enableWrite();
  const timings: BatchTiming[] = [];
  /** When each batch's commit returned (epoch ms). */
  const commits: number[] = [];
  process.stderr.write(`batched backfill under the load...\n`);
  const pause = new PauseController();
  // The load warms up first, so that its cold start is charged to no phase.
  const clock = new PhaseClock();
  const load = await startLoad(url, batched, rows, shape, clock);
  const windows = interleave(pause, clock);
  const waits = sampleWaitEvents ? sampleWaits(url, windows.clock) : null;
  const background0 = await backgroundCounts(c, batched);
  const cpu0 = cpuSeconds(s.pid);
  const server0 = await cpuNow();
  const t0 = performance.now();
  const startedAt = epochMs();
  const r = await startBackfill(s, { table: `public.${batched}`, column: 'org', source: { kind: 'constant', value: '1' } },
    { ...pace, lockTimeoutMs: 1000, pause, nice: serverNice, onBatch: (t) => { timings.push(t); commits.push(epochMs()); } });
  // A nice the engine could not apply is not given to the control's neighbour either.
  if (r.serverNice && !r.serverNice.applied) serverNice = null;
  const pausedSecs = windows.stop() / 1000;
  const idleCores = windows.idleCores();
  const wallSecs = (performance.now() - t0) / 1000;
  const backfillSecs = wallSecs - pausedSecs;
  const cpu1 = cpuSeconds(s.pid);
  const server1 = await cpuNow();
  const stopped = await load.stop();
  const phases = stopped.phases;
  const during = phases.during;
  if (!during) throw new Error('the backfill finished before its first measured window: give more --rows');
  // A run shorter than one running window has no pause to measure idle in: use the idle before.
  const idleBetween = phases.idle ?? idle;
  const byKind = (tag: string) => (['read', 'update'] as const).map((k) => `${k}s p99 ${ms(phases[`${tag}:${k}`]?.p99 ?? 0)}`).join(', ');
  const waitsDuring = waits ? await waits.stop()
    : 'not sampled (give --sample-waits; the 20 ms poll of pg_stat_activity doubles the load\'s p99 on its own, so it is off when the p99 is judged)';
  const background = await backgroundLine(c, batched, background0);
  await s.close();

  process.stderr.write(`load alone again (idle after)...\n`);
  const idleAfter = await idleLoad(url, batched, rows, shape, 5000);

  const backfillShare = cpu0 != null && cpu1 != null ? (cpu1 - cpu0) / backfillSecs : null;
  let control: { off: LoadStats; on: LoadStats } | null = null;
  if (backfillShare != null) {
    process.stderr.write(`load alone and beside a process using ${(100 * backfillShare).toFixed(0)}% of one core (the control)...\n`);
    control = await cpuControl(url, batched, rows, shape, backfillShare);
  }
  // What the server used besides the load's backends, beyond what it used so while the load ran
  // alone, per second the backfill ran: its own backend plus the autovacuum, WAL and checkpoint
  // work it caused.
  const serverShare = server0 != null && server1 != null && idle.serverCores != null
    ? Math.max(0, (server1 - server0) - idle.serverCores * wallSecs) / backfillSecs : null;
  let serverControl: { off: LoadStats; on: LoadStats } | null = null;
  if (serverShare != null && backfillShare != null && Math.abs(serverShare - backfillShare) > 0.05) {
    process.stderr.write(`control at the whole server's added ${(100 * serverShare).toFixed(0)}% of one core...\n`);
    serverControl = await cpuControl(url, batched, rows, shape, Math.min(1, serverShare));
  }
  const sweep: string[] = [];
  for (const share of extraShares) {
    const how = controlPeriodMs === 10 ? 'spread evenly (busy in every 10 ms)'
      : `in bursts of ${(share * controlPeriodMs).toFixed(0)} ms every ${controlPeriodMs} ms`;
    process.stderr.write(`control at ${(100 * share).toFixed(0)}% of one core, ${how}...\n`);
    const x = await cpuControl(url, batched, rows, shape, share, 'spin', controlPeriodMs);
    sweep.push(`  control at ${(100 * share).toFixed(0)}% of one core, ${how}: p50 ${ms(x.on.p50)} against ${ms(x.off.p50)}, p99 ${ms(x.on.p99)} against ${ms(x.off.p99)} alone, ${(x.on.p99 / x.off.p99).toFixed(2)}x; ` +
      `slower than ${OVER_MS.map((v) => `${v} ms`).join(' / ')}: ${shares(x.on)} (alone ${shares(x.off)})`);
  }
  if (memoryControl && backfillShare != null) {
    process.stderr.write(`control writing memory at ${(100 * backfillShare).toFixed(0)}% of one core...\n`);
    const x = await cpuControl(url, batched, rows, shape, backfillShare, 'memory');
    sweep.push(`  control writing memory (one byte per cache line across 128 MB) at the backfill's ${(100 * backfillShare).toFixed(0)}% of one core: p99 ${ms(x.on.p99)} against ${ms(x.off.p99)} alone, ${(x.on.p99 / x.off.p99).toFixed(2)}x; slower than ${OVER_MS.map((v) => `${v} ms`).join(' / ')}: ${shares(x.on)} (alone ${shares(x.off)})`);
  }

  process.stderr.write(`load alone and beside a process at nice 19 taking all the CPU the load leaves (the ceiling)...\n`);
  const ceiling = await cpuControl(url, batched, rows, shape, 1, 'spin', 10, 19);

  process.stderr.write(`one big UPDATE under the load...\n`);
  const bigLoad = await startLoad(url, big, rows, shape);
  const bigCpu0 = cpuSeconds(ownPid);
  const t1 = performance.now();
  await c.query(`UPDATE ${big} SET org = 1 WHERE org IS NULL`);
  const bigSecs = (performance.now() - t1) / 1000;
  const bigCpu1 = cpuSeconds(ownPid);
  const bigCpu = bigCpu0 != null && bigCpu1 != null ? bigCpu1 - bigCpu0 : null;
  const duringBig = (await bigLoad.stop()).phases.all!;

  // Other work on the machine moves the idle p99 from one minute to the next: judge against the
  // idle windows interleaved with the backfill, measured under the same conditions.
  const ratio = during.p99 / idleBetween.p99;
  const batchMs = timings.map((t) => t.ms);
  const sizes = timings.map((t) => t.size);
  const duties = timings.map((t) => t.duty);
  const ratios = timings.map((t) => t.latencyRatio).filter((x): x is number => x !== null);
  const tails = timings.map((t) => t.tailRatio).filter((x): x is number => x !== null);
  const cpuRatios = timings.map((t) => t.cpuWaitRatio).filter((x): x is number => x !== null);
  const throughput = (rows / backfillSecs) / (rows / bigSecs);
  const rested = timings.reduce((a, t) => a + t.restMs, 0) / 1000;
  const inBatches = timings.reduce((a, t) => a + t.ms, 0) / 1000;
  // Neither a batch nor a rest: the engine's start (the estimate, the state row, the probe's connection), its final NULL count, and its steps between batches.
  const between = Math.max(0, backfillSecs - inBatches - rested);
  const cpu = cpu0 != null && cpu1 != null ? `${(cpu1 - cpu0).toFixed(1)} s CPU in its server process (${((100 * (cpu1 - cpu0)) / backfillSecs).toFixed(0)}% of one core)` : 'CPU not measured (no /proc)';
  const niceLine = r.serverNice
    ? (r.serverNice.applied ? `  --nice ${r.serverNice.nice}: the backfill's server process ${r.serverNice.pid} ran at nice ${r.serverNice.nice} (was ${r.serverNice.previous}); the control's neighbour too; the big UPDATE at the default`
      : `  --nice ${r.serverNice.nice}: NOT applied (${r.serverNice.reason})`)
    : null;
  const loadCpu = idle.cores != null ? `; alone, the load's server processes used ${(100 * idle.cores).toFixed(0)}% of one core` : '';
  const lines = [
    `load: ${describeShape(shape)}, random primary-key reads and updates, half each${loadCpu}; ${Math.round(idle.ops / 5).toLocaleString('en-US')} operations/s served alone`,
    `  batched backfill: ${backfillSecs.toFixed(1)} s, ${Math.round(r.rowsDone / backfillSecs).toLocaleString('en-US')} rows/s, ${r.batches} batches, ${r.nullsLeft} NULL left; ${inBatches.toFixed(1)} s of it in batches, ${rested.toFixed(1)} s resting, ${between.toFixed(1)} s between the two (not counting ${pausedSecs.toFixed(1)} s paused for the idle windows); ${cpu}`,
    ...(niceLine ? [niceLine] : []),
    `  batches: ${ms(quantile(batchMs, 0.5))} median, ${ms(quantile(batchMs, 0.99))} p99, ${ms(Math.max(0, ...batchMs))} longest; size ${Math.min(...sizes)}..${Math.max(...sizes)} keys (median ${quantile(sizes, 0.5)}); ${timings.filter((t) => t.walk === 'range').length} took a range of key values, ${timings.filter((t) => t.walk === 'keys').length} counted keys`,
    `  pacing: duty ${quantile(duties, 0.5).toFixed(2)} median (${Math.min(...duties).toFixed(2)}..${Math.max(...duties).toFixed(2)}); probe latency during batches / at rest ${ratios.length ? `${quantile(ratios, 0.5).toFixed(2)} median, ${Math.max(...ratios).toFixed(2)} highest; at the 90th percentile ${quantile(tails, 0.5).toFixed(2)} median, ${Math.max(...tails).toFixed(2)} highest` : 'not measured'}`,
    `  the load's backends' CPU stretch (ran plus run-queue wait, over ran) during batches / at rest: ${cpuRatios.length ? `${quantile(cpuRatios, 0.5).toFixed(2)} median, ${Math.max(...cpuRatios).toFixed(2)} highest` : 'not measured (no meter: the server is not on this host, or too little of their CPU was seen)'}`,
    `  one big UPDATE:   ${bigSecs.toFixed(1)} s, ${Math.round(rows / bigSecs).toLocaleString('en-US')} rows/s${bigCpu != null ? `, ${bigCpu.toFixed(1)} s CPU in its server process (${((100 * bigCpu) / bigSecs).toFixed(0)}% of one core)` : ''}`,
    `  throughput ratio (batched / big UPDATE): ${throughput.toFixed(2)}; target >= 0.5: ${verdict(throughput >= 0.5)}`,
    ceilingLine(ceiling, idleCores, rows, cpu0 != null && cpu1 != null ? cpu1 - cpu0 : null, bigCpu, bigSecs),
    `  load idle, paused windows between batches: p50 ${ms(idleBetween.p50)}, p99 ${ms(idleBetween.p99)}, max ${ms(idleBetween.max)} (${idleBetween.ops} ops)`,
    `  load idle before:        p50 ${ms(idle.p50)}, p99 ${ms(idle.p99)}, max ${ms(idle.max)} (${idle.ops} ops)`,
    `  load during backfill:    p50 ${ms(during.p50)}, p99 ${ms(during.p99)}, max ${ms(during.max)} (${during.ops} ops)`,
    `  load idle after:         p50 ${ms(idleAfter.p50)}, p99 ${ms(idleAfter.p99)}, max ${ms(idleAfter.max)} (${idleAfter.ops} ops)`,
    `  load during big UPDATE:  p50 ${ms(duringBig.p50)}, p99 ${ms(duringBig.p99)}, max ${ms(duringBig.max)} (${duringBig.ops} ops)`,
    `  the load's server processes during the backfill: ${waitsDuring}`,
    `  the server's own work while the backfill ran: ${background}`,
    `  by kind: idle windows ${byKind('idle')}; during the backfill ${byKind('during')}`,
    `  share of the load's operations slower than ${OVER_MS.map((x) => `${x} ms`).join(' / ')}: idle windows ${shares(idleBetween)}; during the backfill ${shares(during)}`,
    `  p99 during backfill / idle: ${ratio.toFixed(2)}x against the interleaved idle windows (${(during.p99 / idle.p99).toFixed(2)}x vs idle before, ${(during.p99 / idleAfter.p99).toFixed(2)}x vs idle after); target <= 1.5x: ${verdict(ratio <= 1.5)}`,
    control
      ? `  control: the load beside a process that only uses the same ${(100 * backfillShare!).toFixed(0)}% of one core (no database work), in interleaved windows: p99 ${ms(control.on.p99)} against ${ms(control.off.p99)} alone, ${(control.on.p99 / control.off.p99).toFixed(2)}x; ` +
        `slower than ${OVER_MS.map((x) => `${x} ms`).join(' / ')}: ${shares(control.on)} (alone ${shares(control.off)})`
      : '  control: not run (no /proc to read the backfill\'s CPU from)',
    serverShare == null
      ? '  the whole server\'s CPU: not measured (no /proc)'
      : `  the whole server (every PostgreSQL process) besides the load's backends used ${(100 * serverShare).toFixed(0)}% of one core per second of backfill beyond the ${(100 * idle.serverCores!).toFixed(0)}% it used so with the load alone` +
        (serverControl
          ? `; a process using ${(100 * Math.min(1, serverShare)).toFixed(0)}% of one core: p99 ${ms(serverControl.on.p99)} against ${ms(serverControl.off.p99)} alone, ${(serverControl.on.p99 / serverControl.off.p99).toFixed(2)}x`
          : '; within 5 points of its own backend: the control above covers it'),
    ...sweep,
    `  the load's own event loop (a 5 ms timer over 5 ms late): ${lateLine(stopped.late)}`,
    `  the load's operations over 20 ms during the backfill, by when they ended: ${slowLine(stopped.slow.during ?? [], commits)}`,
    `  the largest stall of the load during the backfill: ${burstLine(stopped.slow.during ?? [], startedAt, commits[0])}`,
    `  longest wait seen by the load during the backfill: ${ms(during.max)}; target < 1000 ms: ${verdict(during.max < 1000)}`,
    `  longest wait during the big UPDATE: ${ms(duringBig.max)}`,
  ];
  return { lines, met: throughput >= 0.5 && ratio <= 1.5 && during.max < 1000 };
}

/** The load the targets are judged under (the one earlier sessions measured with): two connections, back to back. */
export const DEFAULT_LOAD: LoadShape = { rate: 0, connections: 2 };

/** The benchmark. */
export async function run(args: string[]): Promise<void> {
  const rows = arg(args, '--rows') ?? 2_000_000;
  const pace: Pace = {
    batchSize: arg(args, '--batch-size') ?? PACE_DEFAULTS.batchSize,
    maxBatchSize: arg(args, '--max-batch-size') ?? PACE_DEFAULTS.maxBatchSize,
    targetBatchMs: arg(args, '--batch-ms') ?? PACE_DEFAULTS.targetBatchMs,
    maxLatencyRatio: arg(args, '--max-latency-ratio') ?? PACE_DEFAULTS.maxLatencyRatio,
    dutyCycle: arg(args, '--duty') ?? PACE_DEFAULTS.dutyCycle,
    throttleMs: arg(args, '--throttle-ms') ?? PACE_DEFAULTS.throttleMs,
  };
  const rate = arg(args, '--load-rate');
  const connections = arg(args, '--load-connections');
  const shape: LoadShape = { rate: rate ?? DEFAULT_LOAD.rate, connections: connections ?? (rate ? 8 : DEFAULT_LOAD.connections) };
  loadInProcess = args.includes('--load-in-process');
  memoryControl = args.includes('--control-memory');
  controlPeriodMs = arg(args, '--control-period-ms') ?? 10;
  if (!(controlPeriodMs >= 10 && controlPeriodMs <= 2000)) throw new RangeError('--control-period-ms takes a period between 10 and 2000 ms');
  sampleWaitEvents = args.includes('--sample-waits');
  serverNice = arg(args, '--nice') ?? null;
  const isDefault = (Object.keys(pace) as (keyof Pace)[]).every((k) => pace[k] === PACE_DEFAULTS[k]);
  const describePace = (p: Pace) => `first batch ${p.batchSize} keys, ${p.maxBatchSize === null ? 'no cap' : `at most ${p.maxBatchSize}`}, target ${p.targetBatchMs} ms per batch, ` +
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
    const shares = args.includes('--control-shares') ? String(args[args.indexOf('--control-shares') + 1]).split(',').map(Number) : [];
    if (shares.some((x) => !(x > 0 && x <= 1))) throw new RangeError('--control-shares takes shares of one core between 0 and 1, comma-separated (0.1,0.25)');
    const m = await measure(url, c, rows, shape, pace, shares);
    await c.end();
    const lines = [
      `backfill benchmark: ${rows.toLocaleString('en-US')} rows, embedded PostgreSQL 18 (fsync off) on port ${server.port}`,
      `  settings: ${describePace(pace)}${isDefault ? ' (the engine\'s default pacing)' : ` (NOT the default pacing: ${describePace(PACE_DEFAULTS)})`}`,
      `  the load ran in ${loadInProcess ? 'the bench\'s own process, beside the backfill\'s driver and probe (--load-in-process: how sessions before 21 measured)' : 'its own Node process, as an application does'}`,
      `  load average (1, 5, 15 min): ${loadAtStart} at start, ${loadavg()} at the end (${os.cpus().length} cores, shared)`,
      ...m.lines,
      `  all three targets: ${verdict(m.met)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await server.stop();
  }
}
