/**
 * Performance criteria a check step can prove: query times and plans (EXPLAIN ANALYZE of the
 * runbook's typical queries, optionally impersonated as a member, in a READ ONLY transaction that
 * is rolled back), and the database's growth since the run started (its size less the console's
 * own schema, journaled with run-started).
 */
import type { JournalLine, QueryPlans } from '../../../shared/runbook.js';
import { CONSOLE_SCHEMA } from '../config.js';
import { quoteIdent } from '../ident.js';
import type { Session } from '../session.js';

/** What a performance expectation found: what ran, problems (empty: it holds), counts and rows for the evidence. */
export interface PerformanceResult {
  ran: string[];
  problems: string[];
  counts: Record<string, number>;
  sample: Record<string, unknown>[];
}

/** The database's size in bytes, less the console's own schema (backup tables are the console's copies, not growth). */
export async function databaseBytes(session: Session): Promise<number> {
  const r = await session.query<{ bytes: string }>(
    `SELECT (pg_database_size(current_database()) - coalesce((SELECT sum(pg_total_relation_size(c.oid)) FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')), 0))::int8 AS bytes`,
    [CONSOLE_SCHEMA],
  );
  return Number(r.rows[0]!.bytes);
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

/** The database grew at most `maxPercent` since the run started (the size journaled with run-started). */
export async function growthCheck(session: Session, journal: readonly JournalLine[], maxPercent: number): Promise<PerformanceResult> {
  const started = journal[0]?.event;
  const ran = [`database size now against the size journaled at the run's start (less ${CONSOLE_SCHEMA}), at most +${maxPercent} %`];
  const before = started?.type === 'run-started' ? started.databaseBytes : undefined;
  if (before === undefined || before <= 0) return { ran, problems: ['the run\'s journal has no database size from its start (it started before sizes were recorded): start a new run'], counts: {}, sample: [] };
  const now = await databaseBytes(session);
  const percent = Math.round(((now - before) / before) * 1000) / 10;
  const counts = { bytesAtStart: before, bytesNow: now, growthPermille: Math.round(((now - before) / before) * 1000) };
  const sample = [{ at_start: mb(before), now: mb(now), growth_percent: percent }];
  const problems = percent > maxPercent ? [`the database grew ${percent} % since the run started (${mb(before)} -> ${mb(now)}), more than ${maxPercent} %`] : [];
  return { ran, problems, counts, sample };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(n: PlanNode, out: PlanNode[] = []): PlanNode[] {
  out.push(n);
  for (const c of n.Plans ?? []) nodes(c, out);
  return out;
}

/** A plan in one line: "Index Scan using idx on audit_reports; Seq Scan on organizations". */
function planText(all: readonly PlanNode[]): string {
  return all.filter((n) => n['Relation Name'] || n['Index Name'])
    .map((n) => `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}`).join('; ') || all[0]?.['Node Type'] || 'no plan';
}

/**
 * Each query explained and timed (EXPLAIN (ANALYZE, FORMAT JSON), READ ONLY, rolled back): its
 * planning plus execution time under `maxMs`, and with `indexOn` an index leading with that column
 * in its plan. `statements` are the parsed queries (same order), `param` the parsed param query.
 */
export async function planChecks(session: Session, p: QueryPlans, statements: { param?: string; queries: string[] }): Promise<PerformanceResult> {
  const ran: string[] = [];
  const problems: string[] = [];
  const counts: Record<string, number> = {};
  const sample: Record<string, unknown>[] = [];
  let params: unknown[] = [];
  if (statements.param !== undefined) {
    const r = await session.transaction(() => session.query(statements.param!), { readOnly: true, rollback: true });
    const v = r.rows[0] ? Object.values(r.rows[0] as object)[0] : undefined;
    ran.push(`$1: ${p.param!.trim()}`);
    if (v === undefined || v === null) return { ran, problems: ['the param query returned no value: nothing was explained'], counts, sample };
    params = [String(v)];
  }
  for (const [i, q] of p.queries.entries()) {
    const sql = statements.queries[i]!;
    ran.push(`EXPLAIN (ANALYZE)${p.as ? ` as ${p.as} with $1's JWT claims` : ''}${q.seqscan ? '' : ', sequential scans off'}: ${q.sql.trim()}`);
    const plan = await session.transaction(async () => {
      if (!q.seqscan) await session.query('SET LOCAL enable_seqscan = off');
      if (p.as) {
        const claims = JSON.stringify({ sub: params[0], role: p.as, aud: p.as });
        await session.query(`SET LOCAL ROLE ${quoteIdent(p.as)}`);
        await session.query("SELECT set_config('request.jwt.claims', $1, true), set_config('request.jwt.claim.sub', $2, true), set_config('request.jwt.claim.role', $3, true)", [claims, params[0], p.as]);
      }
      // $1 only for the queries that use it (a query of the block may need no value).
      const r = await session.query<{ 'QUERY PLAN': { Plan: PlanNode; 'Planning Time': number; 'Execution Time': number }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, /\$1\b/.test(sql) ? params : []);
      return r.rows[0]!['QUERY PLAN'][0]!;
    }, { readOnly: true, rollback: true }).catch((err: Error) => err);
    if (plan instanceof Error) {
      problems.push(`query "${q.name}" failed: ${plan.message}`);
      continue;
    }
    const ms = Math.round((plan['Planning Time'] + plan['Execution Time']) * 10) / 10;
    const all = nodes(plan.Plan);
    counts[`ms:${q.name}`] = ms;
    const row: Record<string, unknown> = { query: q.name, ms, plan: planText(all) };
    if (ms > q.maxMs) problems.push(`query "${q.name}" took ${ms} ms, over ${q.maxMs} ms (${planText(all)})`);
    if (q.indexOn) {
      const used = [...new Set(all.flatMap((n) => (n['Index Name'] ? [n['Index Name']] : [])))];
      const leading = used.length
        ? (await session.query<{ relname: string }>(
          `SELECT c.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
             JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
           WHERE c.relname = ANY($1) AND a.attname = $2`, [used, q.indexOn])).rows.map((r) => r.relname)
        : [];
      row.index = leading[0] ?? null;
      if (!leading.length) problems.push(`query "${q.name}" reads no index leading with ${q.indexOn}: ${planText(all)}`);
    }
    sample.push(row);
  }
  counts.queries = p.queries.length;
  return { ran, problems, counts, sample };
}
