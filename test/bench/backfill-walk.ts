/**
 * `npm run bench -- backfill-walk [--rows N] [--batch-size N] [--rounds N] [--nice N]`: the server
 * CPU per row of the backfill's two batch statements (sql.ts: counting N keys off the index, and
 * the range of N integer key values, walk.ts) and of the hand-written peer, `UPDATE t SET col = v
 * WHERE id > x AND id <= x + N AND col IS NULL`, side by side under the backfill bench's load (two
 * connections of single-row reads and updates back to back, in their own process). Each statement
 * runs as the engine runs a batch (BEGIN with lock_timeout, the statement, COMMIT), back to back on
 * its own backend for a window (default 2.5 s), in rounds (default 4) interleaved with windows of
 * the load alone; each window fills a fresh NULL column, so every batch updates `--batch-size`
 * rows (default 20,000). Prints, per statement: rows/s, its backend's CPU, rows per CPU-second, and
 * the load's p99 against the windows alone; then the ratios of CPU per row. The state row's advance
 * (the same in both walks) is left out. `--nice N` runs the statements' backends at nice N, as
 * `tenancy backfill --nice` does. No target: what a change of the batch statement costs or saves.
 */
import os from 'node:os';
import pg from 'pg';
import { setNice } from '../../main/engine/backfill/nice.js';
import { batchSql } from '../../main/engine/backfill/sql.js';
import type { BackfillTarget } from '../../main/engine/backfill/target.js';
import { startEmbeddedPostgres } from '../../main/engine/pg/embedded.js';
import { cpuSeconds, epochMs, startLoadLoop } from './load/loop.js';

type Arm = 'counting keys' | 'range of values' | 'hand-written';
const ARMS: Arm[] = ['counting keys', 'range of values', 'hand-written'];

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0;

/** One batch of `arm` after key `from` on column `col`; returns the rows updated and the batch's last key. */
async function batch(c: pg.Client, arm: Arm, col: string, from: string, size: number): Promise<{ rows: number; to: string | null }> {
  await c.query("BEGIN; SET LOCAL lock_timeout = '1000ms'");
  try {
    if (arm === 'hand-written') {
      const to = (BigInt(from) + BigInt(size)).toString();
      const r = await c.query(`UPDATE bench_walk SET ${col} = 1 WHERE id > $1 AND id <= $2 AND ${col} IS NULL`, [from, to]);
      return { rows: r.rowCount ?? 0, to };
    }
    const target: BackfillTarget = { schema: 'public', table: 'bench_walk', column: col, columnType: 'integer', keyColumns: ['id'], integerKey: 'bigint' };
    const b = batchSql(target, { kind: 'constant', value: '1' }, [from], size, undefined, arm === 'range of values' ? 'range' : 'keys');
    const r = (await c.query<{ updated: number; last_key: string[] | null }>(b.sql, b.params)).rows[0]!;
    return { rows: r.updated, to: r.last_key?.[0] ?? null };
  } finally {
    await c.query('COMMIT');
  }
}

/** Runs the benchmark (see the file comment). */
export async function run(args: string[]): Promise<void> {
  const rows = arg(args, '--rows', 2_000_000);
  const size = arg(args, '--batch-size', 20_000);
  const rounds = arg(args, '--rounds', 4);
  const nice = arg(args, '--nice', 0);
  const windowMs = 2500;
  const server = await startEmbeddedPostgres({ fast: true });
  try {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE bench_walk');
    await admin.end();
    const url = server.urlFor('bench_walk');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    process.stderr.write(`loading ${rows.toLocaleString('en-US')} rows...\n`);
    await c.query('CREATE TABLE bench_walk (id bigint PRIMARY KEY, v int NOT NULL DEFAULT 0, org int) WITH (fillfactor = 90)');
    await c.query('INSERT INTO bench_walk (id) SELECT g FROM generate_series(1, $1::int) g', [rows]);
    await c.query('VACUUM ANALYZE bench_walk');
    const load1 = os.loadavg();
    const load = await startLoadLoop({ url, table: 'bench_walk', rows, shape: { rate: 0, connections: 2 }, appName: 'bench-load' }, false);
    const marks: [number, string | null][] = [[-Infinity, null]];
    const mark = (tag: string | null) => marks.push([epochMs(), tag]);
    const tagAt = (t: number) => {
      let i = marks.length - 1;
      while (marks[i]![0] > t) i -= 1;
      return marks[i]![1];
    };
    const got = new Map<Arm, { rows: number; cpu: number; secs: number }>(ARMS.map((a) => [a, { rows: 0, cpu: 0, secs: 0 }]));
    let column = 0;
    for (let round = 0; round < rounds; round += 1) {
      for (const arm of (round % 2 ? [...ARMS].reverse() : ARMS)) {
        process.stderr.write(`round ${round + 1} of ${rounds}: ${arm}...\n`);
        mark('alone');
        await new Promise((r) => setTimeout(r, windowMs));
        mark(null);
        const col = `c${column++}`;
        await c.query(`ALTER TABLE bench_walk ADD COLUMN ${col} int`);
        const u = new pg.Client({ connectionString: url });
        await u.connect();
        const pid = (await u.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        if (nice) setNice(pid, nice);
        let from = '0';
        const g = got.get(arm)!;
        const cpu0 = cpuSeconds(pid) ?? 0;
        const t0 = performance.now();
        mark(arm);
        while (performance.now() - t0 < windowMs) {
          const r = await batch(u, arm, col, from, size);
          g.rows += r.rows;
          from = r.to && BigInt(r.to) < BigInt(rows) ? r.to : '0';
        }
        mark(null);
        g.secs += (performance.now() - t0) / 1000;
        g.cpu += (cpuSeconds(pid) ?? 0) - cpu0;
        await u.end();
      }
    }
    const result = await load.stop();
    const lat = new Map<string, number[]>();
    for (let i = 0; i < result.count; i += 1) {
      const tag = tagAt(result.ops[3 * i]!);
      if (tag) (lat.get(tag) ?? lat.set(tag, []).get(tag)!).push(result.ops[3 * i + 2]!);
    }
    const alone = p99(lat.get('alone') ?? []);
    const perCpu = (a: Arm) => got.get(a)!.rows / got.get(a)!.cpu;
    const lines = [
      `backfill-walk benchmark: ${rows.toLocaleString('en-US')} rows, embedded PostgreSQL 18 (fsync off) on port ${server.port}`,
      `  settings: batches of ${size.toLocaleString('en-US')} rows, each BEGIN with lock_timeout, the statement, COMMIT; ${rounds} rounds of ${windowMs} ms windows per statement, interleaved with the load alone; statements' backends at nice ${nice}`,
      `  load: closed loop, 2 connections back to back, random primary-key reads and updates of the same table, in its own process; load average ${load1.map((x) => x.toFixed(2)).join(', ')} at start, ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} at the end (${os.cpus().length} cores)`,
      `  load alone: p99 ${alone.toFixed(2)} ms (${lat.get('alone')?.length ?? 0} ops)`,
      ...ARMS.map((a) => {
        const g = got.get(a)!;
        return `  ${a.padEnd(16)} ${Math.round(g.rows / g.secs).toLocaleString('en-US')} rows/s at ${(100 * g.cpu / g.secs).toFixed(0)}% of a core: ${Math.round(perCpu(a)).toLocaleString('en-US')} rows per CPU-second; load p99 ${(p99(lat.get(a) ?? []) / alone).toFixed(2)}x alone`;
      }),
      `  CPU per row, counting keys / range of values: ${(perCpu('range of values') / perCpu('counting keys')).toFixed(2)}x; range of values / hand-written: ${(perCpu('hand-written') / perCpu('range of values')).toFixed(2)}x`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await c.end();
  } finally {
    await server.stop();
  }
}
