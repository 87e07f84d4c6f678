/**
 * `npm run bench -- checks [--rows N] [--estimate-only]`: builds a database of at least 5M rows over 8 tenant tables
 * and 1,000 tenants, then measures side by side in one run (median of 3, warm cache):
 *   exact `runChecks` vs hand-written optimal SQL for the same answers (one GROUP BY per table plus
 *   one join per FK) vs bare count(*) of every table, as ratios (target: check <= 1.3x hand-written);
 * and estimate mode on a database of 1,000 tables, model loading included (target: under 0.5 s,
 * median of 5). `--estimate-only` runs just that case.
 */
import os from 'node:os';
import pg from 'pg';
import { runChecks } from '../../main/engine/checks/run.js';
import { crossTenantCandidates } from '../../main/engine/checks/scan.js';
import { qualified, quoteIdent } from '../../main/engine/ident.js';
import { loadModel } from '../../main/engine/model/load.js';
import { verdict } from './verdict.js';
import { startEmbeddedPostgres } from '../../main/engine/pg/embedded.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';

const TENANTS = 1000;

/** The benchmark schema and data for `total` rows (exported for profiling scripts). */
export function schemaSqlForTest(total: number): string {
  return schemaSql(total);
}

function schemaSql(total: number): string {
  const n = (share: number) => Math.round(total * share);
  return `
CREATE TABLE organizations (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO organizations SELECT g, 'Org ' || g FROM generate_series(1, ${TENANTS}) g;
CREATE TABLE users (id bigint PRIMARY KEY, org_id int REFERENCES organizations, email text);
INSERT INTO users SELECT g, 1 + (g::bigint * 7919) % ${TENANTS}, 'u' || g FROM generate_series(1, ${n(0.1)}) g;
CREATE TABLE projects (id bigint PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, name text);
INSERT INTO projects SELECT g, 1 + (g * 31) % ${TENANTS}, 'p' || g FROM generate_series(1, ${n(0.04)}) g;
CREATE TABLE tasks (id bigint PRIMARY KEY, org_id int REFERENCES organizations, project_id bigint REFERENCES projects, title text);
INSERT INTO tasks SELECT g, CASE WHEN g % 100000 = 0 THEN NULL ELSE 1 + ((1 + g % ${n(0.04)}) * 31) % ${TENANTS} END, 1 + g % ${n(0.04)}, 't' FROM generate_series(1, ${n(0.3)}) g;
CREATE TABLE comments (id bigint PRIMARY KEY, org_id int REFERENCES organizations, task_id bigint REFERENCES tasks, body text);
INSERT INTO comments SELECT g, 1 + ((1 + g % ${n(0.04)}) * 31) % ${TENANTS}, g, 'c' FROM generate_series(1, ${n(0.25)}) g;
UPDATE comments SET org_id = 1 + org_id % ${TENANTS} WHERE id % 50000 = 0;
CREATE TABLE events (id bigint PRIMARY KEY, org_id int, kind text);
INSERT INTO events SELECT g, CASE WHEN g % 200000 = 0 THEN 5000 ELSE 1 + g % ${TENANTS} END, 'e' FROM generate_series(1, ${n(0.16)}) g;
CREATE TABLE invoices (id bigint PRIMARY KEY, org_id int REFERENCES organizations, user_id bigint REFERENCES users, amount numeric);
INSERT INTO invoices SELECT g, 1 + ((1 + g % ${n(0.1)})::bigint * 7919) % ${TENANTS}, 1 + g % ${n(0.1)}, g FROM generate_series(1, ${n(0.06)}) g;
CREATE TABLE audit_logs (id bigint PRIMARY KEY, org_id int REFERENCES organizations, line text);
INSERT INTO audit_logs SELECT g, 1 + g % ${TENANTS}, 'l' FROM generate_series(1, ${n(0.05)}) g;
CREATE TABLE api_keys (id bigint PRIMARY KEY, org_id int REFERENCES organizations, key text UNIQUE);
INSERT INTO api_keys SELECT g, 1 + g % ${TENANTS}, md5(g::text) FROM generate_series(1, ${n(0.04)}) g;`;
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

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const rowsArg = args.indexOf('--rows');
  const total = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 5_000_000;
  const server = await startEmbeddedPostgres({ fast: true });
  try {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE bench_wide');
    if (args.includes('--estimate-only')) {
      await admin.end();
      await estimateCase(server);
      return;
    }
    await admin.query('CREATE DATABASE bench_checks');
    await admin.end();

    process.stdout.write(`building ${total.toLocaleString()} rows over 8 tenant tables and ${TENANTS} tenants...\n`);
    const loader = new pg.Client({ connectionString: server.urlFor('bench_checks') });
    await loader.connect();
    loader.on('error', () => undefined);
    const loadMs = await timeIt(async () => {
      await loader.query(schemaSql(total));
      await loader.query('VACUUM ANALYZE');
    });
    const { rows: [sizes] } = await loader.query<{ rows: string }>(
      "SELECT sum(reltuples)::int8 AS rows FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace");
    await loader.end();
    process.stdout.write(`loaded ${Number(sizes!.rows).toLocaleString()} rows in ${(loadMs / 1000).toFixed(1)} s\n`);

    const { profile, urlPassword } = profileFromUrl(server.urlFor('bench_checks'), { statementTimeoutMs: 0 });
    const session = await Session.open(profile, { password: urlPassword });
    const model = await loadModel(session);
    const tenantTables = model.tables.filter((t) => t.role === 'tenant');
    const fks = crossTenantCandidates(model);

    const handWritten = async () => {
      await session.query('SELECT id::text FROM organizations');
      for (const t of tenantTables) {
        await session.query(`SELECT org_id, count(*) FROM ${qualified(t.schema, t.table)} GROUP BY org_id`);
      }
      for (const c of fks) {
        const on = c.fk.columns.map((col, i) => `c.${quoteIdent(col)} = p.${quoteIdent(c.fk.refColumns[i]!)}`).join(' AND ');
        await session.query(`SELECT count(*) FROM ${qualified(c.child.schema, c.child.table)} c JOIN ${qualified(c.parent.schema, c.parent.table)} p ON ${on} WHERE c.org_id <> p.org_id`);
      }
    };
    const bareCount = async () => {
      for (const t of tenantTables) await session.query(`SELECT count(*) FROM ${qualified(t.schema, t.table)}`);
    };
    const check = async () => {
      const m = await loadModel(session);
      await runChecks(session, m, { mode: 'exact' });
    };

    await bareCount();
    const times = { check: [] as number[], hand: [] as number[], count: [] as number[] };
    for (let i = 0; i < 3; i += 1) {
      times.count.push(await timeIt(bareCount));
      times.hand.push(await timeIt(handWritten));
      times.check.push(await timeIt(check));
    }
    const c = median(times.check);
    const h = median(times.hand);
    const n = median(times.count);
    const found = await runChecks(session, model, { mode: 'exact' });
    process.stdout.write([
      '',
      `tables scanned: ${tenantTables.length}, FK joins: ${fks.length}, findings: ${found.findings.length}`,
      `bare count(*) of every table:    ${n.toFixed(0).padStart(7)} ms   1.00x`,
      `hand-written GROUP BY + FK joins: ${h.toFixed(0).padStart(7)} ms   ${(h / n).toFixed(2)}x count`,
      `tenancy check (exact, all checks):${c.toFixed(0).padStart(7)} ms   ${(c / n).toFixed(2)}x count   ${(c / h).toFixed(2)}x hand-written (target <= 1.30x) ${verdict(c / h <= 1.3, ['OK', 'MISSED'])}`,
      '',
    ].join('\n'));
    await session.close();

    await estimateCase(server);
  } finally {
    await server.stop();
  }
}

/** Estimate mode on 1,000 tables (999 tenant tables, each with an FK, an index and a unique key): model + checks. */
async function estimateCase(server: { urlFor(db: string): string }): Promise<void> {
  const wide = new pg.Client({ connectionString: server.urlFor('bench_wide') });
  wide.on('error', () => undefined);
  await wide.connect();
  await wide.query(`CREATE TABLE organizations (id int PRIMARY KEY, name text);
    DO $$ BEGIN FOR i IN 1..999 LOOP
      EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY, org_id int REFERENCES organizations, code text UNIQUE)', 't' || i);
      EXECUTE format('CREATE INDEX ON %I (org_id)', 't' || i);
    END LOOP; END $$;`);
  await wide.query('ANALYZE');
  await wide.end();
  const w = profileFromUrl(server.urlFor('bench_wide'));
  const ws = await Session.open(w.profile, { password: w.urlPassword });
  const est: number[] = [];
  let estFindings = 0;
  for (let i = 0; i < 5; i += 1) {
    est.push(await timeIt(async () => {
      const m = await loadModel(ws);
      estFindings = (await runChecks(ws, m, { mode: 'estimate' })).findings.length;
    }));
  }
  await ws.close();
  const e = median(est);
  process.stdout.write(`estimate mode, 1,000 tables (model + checks): ${e.toFixed(0)} ms, ${estFindings} findings (median of 5: ${est.map((x) => x.toFixed(0)).join(', ')} ms; target < 500 ms) ${verdict(e < 500, ['OK', 'MISSED'])}\n`);
  process.stdout.write(`  load average (1, 5, 15 min): ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} (${os.cpus().length} cores, shared)\n`);
}
