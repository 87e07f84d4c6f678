/**
 * `npm run bench -- backfill [--rows N] [--batch N]`: fill N rows (default 2,000,000) with the
 * batched backfill while a concurrent load of single-row reads and writes runs on the same table,
 * and print, from one run: backfill throughput vs one big UPDATE, the load's p99 latency idle /
 * during the backfill / during the big UPDATE, and the longest single operation the load saw
 * (its lock wait bound). Target: p99 under 2x idle and no wait over 1 s during the backfill.
 */
import pg from 'pg';
import { startBackfill } from '../../main/engine/backfill/run.js';
import { startEmbeddedPostgres } from '../../main/engine/pg/embedded.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';

interface LoadStats { ops: number; p50: number; p99: number; max: number }

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

/** Run single-row reads and writes on `table` over `clients` connections until stop() is called. */
function startLoad(url: string, table: string, rows: number, clients = 2) {
  let running = true;
  const lat: number[] = [];
  const loops = Array.from({ length: clients }, async (_, k) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    let seed = 12345 + k;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) % rows) + 1;
    while (running) {
      const id = rand();
      const t0 = performance.now();
      if (seed % 2) await c.query(`SELECT v FROM ${table} WHERE id = $1`, [id]);
      else await c.query(`UPDATE ${table} SET v = v + 1 WHERE id = $1`, [id]);
      lat.push(performance.now() - t0);
    }
    await c.end();
  });
  return {
    async stop(): Promise<LoadStats> {
      running = false;
      await Promise.all(loops);
      const s = [...lat].sort((a, b) => a - b);
      const q = (p: number) => s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0;
      return { ops: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1] ?? 0 };
    },
  };
}

const ms = (x: number) => `${x.toFixed(2)} ms`;

/** The benchmark. */
export async function run(args: string[]): Promise<void> {
  const rows = arg(args, '--rows', 2_000_000);
  const batch = arg(args, '--batch', 5_000);
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

    let load = startLoad(url, 'batched', rows);
    await new Promise((r) => setTimeout(r, 3000));
    const idle = await load.stop();

    const { profile, urlPassword } = profileFromUrl(url, { statementTimeoutMs: 0 });
    const s = await Session.open(profile, { password: urlPassword });
    await s.enableWrite();
    load = startLoad(url, 'batched', rows);
    const t0 = performance.now();
    const r = await startBackfill(s, { table: 'public.batched', column: 'org', source: { kind: 'constant', value: '1' } }, { batchSize: batch, lockTimeoutMs: 1000 });
    const backfillSecs = (performance.now() - t0) / 1000;
    const during = await load.stop();
    await s.close();

    load = startLoad(url, 'big', rows);
    const t1 = performance.now();
    await c.query('UPDATE big SET org = 1 WHERE org IS NULL');
    const bigSecs = (performance.now() - t1) / 1000;
    const duringBig = await load.stop();
    await c.end();

    const lines = [
      `backfill benchmark: ${rows.toLocaleString('en-US')} rows, batch ${batch}, 2 load connections (random PK reads and updates), embedded PostgreSQL on port ${server.port}`,
      `  batched backfill: ${backfillSecs.toFixed(1)} s, ${Math.round(r.rowsDone / backfillSecs).toLocaleString('en-US')} rows/s, ${r.batches} batches, ${r.nullsLeft} NULL left`,
      `  one big UPDATE:   ${bigSecs.toFixed(1)} s, ${Math.round(rows / bigSecs).toLocaleString('en-US')} rows/s`,
      `  throughput ratio (batched / big UPDATE): ${((rows / backfillSecs) / (rows / bigSecs)).toFixed(2)}`,
      `  load idle:               p50 ${ms(idle.p50)}, p99 ${ms(idle.p99)}, max ${ms(idle.max)} (${idle.ops} ops)`,
      `  load during backfill:    p50 ${ms(during.p50)}, p99 ${ms(during.p99)}, max ${ms(during.max)} (${during.ops} ops)`,
      `  load during big UPDATE:  p50 ${ms(duringBig.p50)}, p99 ${ms(duringBig.p99)}, max ${ms(duringBig.max)} (${duringBig.ops} ops)`,
      `  p99 during backfill / idle: ${(during.p99 / idle.p99).toFixed(2)}x (target < 2x); longest wait seen by the load: ${ms(during.max)} (target < 1000 ms)`,
      `  longest wait during the big UPDATE: ${ms(duringBig.max)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await server.stop();
  }
}
