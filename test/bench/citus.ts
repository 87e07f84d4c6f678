/**
 * `npm run bench -- citus [--rows N]`: the exact checks on a Citus cluster (TENANCY_CITUS_URL, the
 * coordinator) against the hand-written SQL for the same answers, as `bench -- checks` does on one
 * server: a schema of 5 tenant tables distributed by org_id and co-located with 1,000 tenants
 * (default 1M rows), median of 3, warm cache; and whether the per-tenant GROUP BY is pushed down.
 * Without a cluster it skips with one loud line (exit 0): Citus is in no registry here.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { runChecks } from '../../main/engine/checks/run.js';
import { crossTenantCandidates, scanTableSql } from '../../main/engine/checks/scan.js';
import { qualified, quoteIdent } from '../../main/engine/ident.js';
import { loadModel } from '../../main/engine/model/load.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { verdict } from './verdict.js';

const TENANTS = 1000;

/** The benchmark schema as statements, for `total` rows (exported for profiling scripts). */
export function schemaSql(total: number): string[] {
  const n = (share: number) => Math.round(total * share);
  const org = (expr: string) => `1 + (${expr}) % ${TENANTS}`;
  return [
    'CREATE TABLE organizations (id int PRIMARY KEY, name text NOT NULL)',
    'CREATE TABLE projects (org_id int NOT NULL REFERENCES organizations, id bigint, name text, PRIMARY KEY (org_id, id))',
    'CREATE TABLE tasks (org_id int NOT NULL REFERENCES organizations, id bigint, project_id bigint, title text, PRIMARY KEY (org_id, id), FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id))',
    'CREATE TABLE comments (org_id int NOT NULL REFERENCES organizations, id bigint, task_id bigint, body text, PRIMARY KEY (org_id, id), FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id))',
    'CREATE TABLE events (org_id int NOT NULL REFERENCES organizations, id bigint, kind text, PRIMARY KEY (org_id, id))',
    'CREATE TABLE audit_logs (org_id int NOT NULL REFERENCES organizations, id bigint, line text, PRIMARY KEY (org_id, id))',
    `SELECT create_distributed_table('organizations', 'id')`,
    ...['projects', 'tasks', 'comments', 'events', 'audit_logs'].map((t) => `SELECT create_distributed_table('${t}', 'org_id', colocate_with => 'organizations')`),
    `INSERT INTO organizations SELECT g, 'Org ' || g FROM generate_series(1, ${TENANTS}) g`,
    // A project g belongs to org 1 + g % 1000; a task, comment points at a row of its own org.
    `INSERT INTO projects SELECT ${org('g')}, g, 'p' FROM generate_series(1, ${n(0.05)}) g`,
    `INSERT INTO tasks SELECT ${org(`g % ${n(0.05)} + 1`)}, g, g % ${n(0.05)} + 1, 't' FROM generate_series(1, ${n(0.4)}) g`,
    `INSERT INTO comments SELECT ${org(`(g % ${n(0.05)}) + 1`)}, g, g, 'c' FROM generate_series(1, ${n(0.3)}) g`,
    `INSERT INTO events SELECT ${org('g')}, g, 'e' FROM generate_series(1, ${n(0.15)}) g`,
    `INSERT INTO audit_logs SELECT ${org('g')}, g, 'l' FROM generate_series(1, ${n(0.1)}) g`,
    ...['organizations', 'projects', 'tasks', 'comments', 'events', 'audit_logs'].map((t) => `VACUUM ANALYZE ${t}`),
  ];
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Run the benchmark, or skip it loudly without a cluster. */
export async function run(args: string[]): Promise<void> {
  const url = process.env.TENANCY_CITUS_URL;
  if (!url) {
    const line = '!'.repeat(78);
    process.stdout.write(`${line}\n!! SKIPPED: bench citus: no Citus cluster (set TENANCY_CITUS_URL to a coordinator with the citus extension; see docs/scale-out.md)\n${line}\n`);
    return;
  }
  const rowsArg = args.indexOf('--rows');
  const total = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 1_000_000;
  const schema = `bench_citus_${crypto.randomBytes(4).toString('hex')}`;
  const loader = new pg.Client({ connectionString: url });
  loader.on('error', () => undefined);
  await loader.connect();
  const ext = await loader.query(`SELECT extversion FROM pg_extension WHERE extname = 'citus'`);
  if (ext.rows.length === 0) throw new Error(`TENANCY_CITUS_URL's database has no citus extension`);
  const workers = await loader.query(`SELECT count(*)::int AS n FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0`);
  const shardCount = await loader.query(`SHOW citus.shard_count`);
  try {
    await loader.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    await loader.query(`SET search_path = ${quoteIdent(schema)}`);
    process.stdout.write(`Citus ${ext.rows[0].extversion}, ${workers.rows[0].n} workers, ${shardCount.rows[0]['citus.shard_count']} shards per table; building ${total.toLocaleString()} rows over 5 tenant tables and ${TENANTS} tenants in ${schema}...\n`);
    const loadMs = await timeIt(async () => { for (const st of schemaSql(total)) await loader.query(st); });
    process.stdout.write(`loaded in ${(loadMs / 1000).toFixed(1)} s\n`);

    const { profile, urlPassword } = profileFromUrl(url, { statementTimeoutMs: 0 });
    const session = await Session.open(profile, { password: urlPassword });
    const settings = { schemas: [schema] };
    const model = await loadModel(session, settings);
    const tenantTables = model.tables.filter((t) => t.role === 'tenant');
    const fks = crossTenantCandidates(model);

    const handWritten = async () => {
      await session.query(`SELECT id::text FROM ${qualified(schema, 'organizations')}`);
      for (const t of tenantTables) await session.query(`SELECT org_id, count(*) FROM ${qualified(t.schema, t.table)} GROUP BY org_id`);
      for (const c of fks) {
        const on = c.fk.columns.map((col, i) => `c.${quoteIdent(col)} = p.${quoteIdent(c.fk.refColumns[i]!)}`).join(' AND ');
        await session.query(`SELECT count(*) FROM ${qualified(c.child.schema, c.child.table)} c JOIN ${qualified(c.parent.schema, c.parent.table)} p ON ${on} WHERE c.org_id <> p.org_id`);
      }
    };
    const bareCount = async () => {
      for (const t of tenantTables) await session.query(`SELECT count(*) FROM ${qualified(t.schema, t.table)}`);
    };
    const check = async () => {
      const m = await loadModel(session, settings);
      await runChecks(session, m, { mode: 'exact' });
    };

    const load = async () => loadModel(session, settings);
    const checksOnly = async () => runChecks(session, model, { mode: 'exact' });

    await bareCount();
    const times = { check: [] as number[], hand: [] as number[], count: [] as number[], load: [] as number[], only: [] as number[] };
    for (let i = 0; i < 3; i += 1) {
      times.count.push(await timeIt(bareCount));
      times.hand.push(await timeIt(handWritten));
      times.check.push(await timeIt(check));
      times.load.push(await timeIt(load));
      times.only.push(await timeIt(checksOnly));
    }
    const c = median(times.check);
    const h = median(times.hand);
    const n = median(times.count);
    const l = median(times.load);
    const o = median(times.only);
    const found = await runChecks(session, model, { mode: 'exact' });
    const plan = (await session.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${scanTableSql(tenantTables.find((t) => t.table === 'tasks')!, 'org_id')}`)).rows.map((r) => r['QUERY PLAN']);
    const pushed = /^Custom Scan \(Citus Adaptive\)/.test(plan[0] ?? '') && plan.some((l) => /Group Key: org_id/.test(l));
    const tasks = plan.find((l) => /Task Count/.test(l))?.trim() ?? 'no task count';
    const citusFindings = found.findings.filter((f) => f.check.startsWith('citus-')).length;
    process.stdout.write([
      '',
      `tables scanned: ${tenantTables.length}, FK joins: ${fks.length}, findings: ${found.findings.length} (Citus checks: ${citusFindings})`,
      `per-tenant GROUP BY pushed down to the workers: ${pushed ? 'yes' : 'NO'} (${tasks}) ${verdict(pushed, ['OK', 'MISSED'])}`,
      `bare count(*) of every table:    ${n.toFixed(0).padStart(7)} ms   1.00x`,
      `hand-written GROUP BY + FK joins: ${h.toFixed(0).padStart(7)} ms   ${(h / n).toFixed(2)}x count`,
      `tenancy check (exact, all checks):${c.toFixed(0).padStart(7)} ms   ${(c / n).toFixed(2)}x count   ${(c / h).toFixed(2)}x hand-written (target <= 1.30x) ${verdict(c / h <= 1.3, ['OK', 'MISSED'])}`,
      `  of which the model load:        ${l.toFixed(0).padStart(7)} ms   (catalogs, Citus metadata, shard statistics from every node)`,
      `  checks on a loaded model:       ${o.toFixed(0).padStart(7)} ms   ${(o / h).toFixed(2)}x hand-written`,
      '',
    ].join('\n'));
    await session.close();
  } finally {
    await loader.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch(() => undefined);
    await loader.end();
  }
}
