/**
 * `npm run bench -- checks [--rows N] [--rounds N] [--estimate-only] [--curve ...]`: builds a
 * database of at least 5M rows over 8 tenant tables and 1,000 tenants, then measures side by side
 * in one run (median of 7 interleaved rounds, warm cache):
 *   exact `runChecks` vs hand-written optimal SQL for the same answers (one GROUP BY per table plus
 *   one join per FK) vs bare count(*) of every table, as ratios (target: check <= 1.0x hand-written),
 *   and the same check on one session (profile scanSessions: 1, samples read in turn: the "before");
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

/** Tenant tables in a chain (t1 -> organizations, tk -> t(k-1)), `rowsEach` rows each, for the table-count curve. */
function chainSchemaSql(tables: number, rowsEach: number): string {
  return `
CREATE TABLE organizations (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO organizations SELECT g, 'Org ' || g FROM generate_series(1, ${TENANTS}) g;
DO $$ BEGIN FOR i IN 1..${tables} LOOP
  EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY, org_id int REFERENCES organizations, parent_id bigint %s, v text)',
    't' || i, CASE WHEN i > 1 THEN format('REFERENCES %I', 't' || (i - 1)) ELSE '' END);
  EXECUTE format('INSERT INTO %I SELECT g, 1 + g %% ${TENANTS}, %s, ''x'' FROM generate_series(1, ${rowsEach}) g',
    't' || i, CASE WHEN i > 1 THEN 'g' ELSE 'NULL' END);
END LOOP; END $$;`;
}

interface ExactFigures { label: string; tables: number; fkJoins: number; findings: number; rows: number; count: number; hand: number; check: number; checkOneSession: number;
  /** check / hand-written and one-session check / hand-written within each round (the two sides timed back to back). */
  perRound: { check: number[]; one: number[] } }

/**
 * Build `sql` in a new database and time, interleaved in each of `rounds` rounds: bare count(*) of
 * every tenant table, the hand-written optimal SQL (one GROUP BY per table, one join per FK) and
 * the exact check (model loading included). Medians.
 */
async function measureExact(server: { adminUrl: string; urlFor(db: string): string }, db: string, sql: string, label: string, rounds: number): Promise<ExactFigures> {
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const loader = new pg.Client({ connectionString: server.urlFor(db) });
  await loader.connect();
  loader.on('error', () => undefined);
  const loadMs = await timeIt(async () => {
    await loader.query(sql);
    await loader.query('VACUUM ANALYZE');
  });
  const { rows: [sizes] } = await loader.query<{ rows: string }>(
    "SELECT sum(reltuples)::int8 AS rows FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace");
  await loader.end();
  process.stdout.write(`${label}: loaded ${Number(sizes!.rows).toLocaleString('en-US')} rows in ${(loadMs / 1000).toFixed(1)} s\n`);

  const { profile, urlPassword } = profileFromUrl(server.urlFor(db), { statementTimeoutMs: 0 });
  const session = await Session.open(profile, { password: urlPassword });
  // The same check with every read on one session (profile scanSessions: 1): samples in turn, as before session 5.
  const oneSession = await Session.open({ ...profile, scanSessions: 1 }, { password: urlPassword });
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
  const checkOn = (s: Session) => async () => {
    const m = await loadModel(s);
    await runChecks(s, m, { mode: 'exact' });
  };
  const cases = { count: bareCount, hand: handWritten, check: checkOn(session), one: checkOn(oneSession) };
  await bareCount();
  const times = { check: [] as number[], hand: [] as number[], count: [] as number[], one: [] as number[] };
  for (let i = 0; i < rounds; i += 1) {
    // Rotate the order so a neighbour's burst does not always land on the same side.
    const order = (['count', 'hand', 'check', 'one'] as const).map((_, j, all) => all[(i + j) % all.length]!);
    for (const k of order) times[k].push(await timeIt(cases[k]));
  }
  const found = await runChecks(session, model, { mode: 'exact' });
  const foundOne = await runChecks(oneSession, model, { mode: 'exact' });
  const summary = (r: typeof found) => JSON.stringify(r.findings.map((f) => [f.check, f.table, f.constraint, f.count, f.sample?.length]));
  if (summary(found) !== summary(foundOne)) throw new Error('the check on one session found something else than on two');
  await session.close();
  await oneSession.close();
  return {
    label, tables: tenantTables.length, fkJoins: fks.length, findings: found.findings.length, rows: Number(sizes!.rows),
    count: median(times.count), hand: median(times.hand), check: median(times.check), checkOneSession: median(times.one),
    perRound: { check: times.check.map((x, i) => x / times.hand[i]!), one: times.one.map((x, i) => x / times.hand[i]!) },
  };
}

/** Ratios of the rounds, in order, and how many of them meet 1.0x. */
const roundList = (xs: number[]): string =>
  `${xs.map((x) => x.toFixed(2)).join(', ')} (${xs.filter((x) => x <= 1).length} of ${xs.length} at or under 1.00x)`;

const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(', ');

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const rowsArg = args.indexOf('--rows');
  const total = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 5_000_000;
  const roundsArg = args.indexOf('--rounds');
  const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 7;
  const server = await startEmbeddedPostgres({ fast: true });
  try {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE bench_wide');
    await admin.end();
    if (args.includes('--estimate-only')) {
      await estimateCase(server);
      return;
    }
    if (args.includes('--curve')) {
      await costCurve(server, args);
      return;
    }
    process.stdout.write(`building ${total.toLocaleString('en-US')} rows over 8 tenant tables and ${TENANTS} tenants (load average ${loadavg()})...\n`);
    const f = await measureExact(server, 'bench_checks', schemaSql(total), `${total.toLocaleString('en-US')} rows`, rounds);
    process.stdout.write([
      '',
      `tables scanned: ${f.tables}, FK joins: ${f.fkJoins}, findings: ${f.findings} (median of ${rounds} interleaved rounds)`,
      `bare count(*) of every table:    ${f.count.toFixed(0).padStart(7)} ms   1.00x`,
      `hand-written GROUP BY + FK joins: ${f.hand.toFixed(0).padStart(7)} ms   ${(f.hand / f.count).toFixed(2)}x count`,
      `check on one session (before):    ${f.checkOneSession.toFixed(0).padStart(7)} ms   ${(f.checkOneSession / f.count).toFixed(2)}x count   ${(f.checkOneSession / f.hand).toFixed(2)}x hand-written (samples read in turn; profile scanSessions: 1)`,
      `tenancy check (exact, all checks):${f.check.toFixed(0).padStart(7)} ms   ${(f.check / f.count).toFixed(2)}x count   ${(f.check / f.hand).toFixed(2)}x hand-written (target <= 1.00x) ${verdict(f.check / f.hand <= 1.0, ['OK', 'MISSED'])}`,
      `  per round, check / hand-written: ${roundList(f.perRound.check)}; on one session: ${roundList(f.perRound.one)}`,
      `load average (1, 5, 15 min): ${loadavg()} (${os.cpus().length} cores, shared)`,
      '',
    ].join('\n'));
    await estimateCase(server);
  } finally {
    await server.stop();
  }
}

/**
 * `--curve [--curve-rows 1000000,5000000] [--curve-tables 10,100,1000] [--rounds N]`: exact check and the
 * hand-written SQL against rows (the 8-table schema) and against tables (a chain of tenant
 * tables, 2,000 rows each, one FK each). 20M rows is left out by default: building it takes
 * longer than the shared 2-core machine can spare; add it to --curve-rows to include it.
 */
async function costCurve(server: { adminUrl: string; urlFor(db: string): string }, args: string[]): Promise<void> {
  const list = (name: string, dflt: number[]) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1]!.split(',').map(Number) : dflt;
  };
  const roundsArg = args.indexOf('--rounds');
  const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 3;
  const out: ExactFigures[] = [];
  for (const [i, n] of list('--curve-rows', [1_000_000, 5_000_000]).entries()) {
    out.push(await measureExact(server, `curve_rows_${i}`, schemaSql(n), `${n.toLocaleString('en-US')} rows, 8 tables`, rounds));
  }
  for (const [i, n] of list('--curve-tables', [10, 100, 1000]).entries()) {
    out.push(await measureExact(server, `curve_tables_${i}`, chainSchemaSql(n, 2000), `${n} tables x 2,000 rows`, rounds));
  }
  process.stdout.write(`\ncost curve (median of ${rounds} interleaved rounds; load average ${loadavg()}, ${os.cpus().length} cores, shared):\n`);
  process.stdout.write(`  ${'case'.padEnd(26)} ${'rows'.padStart(11)} ${'FKs'.padStart(5)} ${'count(*)'.padStart(9)} ${'hand'.padStart(8)} ${'check'.padStart(8)}  check/hand  ${'one session'.padStart(11)}  one/hand  check ms per 1M rows\n`);
  for (const f of out) {
    process.stdout.write(`  ${f.label.padEnd(26)} ${f.rows.toLocaleString('en-US').padStart(11)} ${String(f.fkJoins).padStart(5)} ${f.count.toFixed(0).padStart(9)} ${f.hand.toFixed(0).padStart(8)} ${f.check.toFixed(0).padStart(8)}  ${(f.check / f.hand).toFixed(2).padStart(9)}x  ${f.checkOneSession.toFixed(0).padStart(11)}  ${(f.checkOneSession / f.hand).toFixed(2).padStart(7)}x  ${((f.check / Math.max(f.rows, 1)) * 1e6).toFixed(0).padStart(8)}\n`);
  }
  process.stdout.write('  per round, check / the same check on one session (scanSessions 1), timed back to back:\n');
  for (const f of out) process.stdout.write(`    ${f.label.padEnd(26)} ${roundList(f.perRound.check.map((x, i) => x / f.perRound.one[i]!))}\n`);
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
  const modelMs: number[] = [];
  let estFindings = 0;
  for (let i = 0; i < 5; i += 1) {
    est.push(await timeIt(async () => {
      const t0 = performance.now();
      const m = await loadModel(ws);
      modelMs.push(performance.now() - t0);
      estFindings = (await runChecks(ws, m, { mode: 'estimate' })).findings.length;
    }));
  }
  await ws.close();
  const e = median(est);
  process.stdout.write(`estimate mode, 1,000 tables (model + checks): ${e.toFixed(0)} ms, ${estFindings} findings (median of 5: ${est.map((x) => x.toFixed(0)).join(', ')} ms; target < 500 ms) ${verdict(e < 500, ['OK', 'MISSED'])}\n`);
  process.stdout.write(`  of which the model load: ${median(modelMs).toFixed(0)} ms median (${modelMs.map((x) => x.toFixed(0)).join(', ')} ms)\n`);
  process.stdout.write(`  load average (1, 5, 15 min): ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} (${os.cpus().length} cores, shared)\n`);
}
