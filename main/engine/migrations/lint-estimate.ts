/**
 * How long a migration statement would hold its lock on a live table, from throughput measured on
 * this server, read-only. The work of each rule is read from the statement's parse tree and measured
 * by the query that does the same kind of work on (a sample of) the table:
 *
 * - a validating scan (SET NOT NULL, CHECK, FOREIGN KEY): the validation's own query: `count(*)`
 *   where the column is NULL / the CHECK is false / the referenced row is missing (the anti-join
 *   PostgreSQL runs to validate a foreign key);
 * - an index build: a sort of the index's keys with maintenance_work_mem, scaled n log n;
 * - a rewrite (ALTER COLUMN TYPE, ADD COLUMN with a volatile default, serial/identity/stored
 *   generated columns, VACUUM FULL, CLUSTER): a copy of every row through a sort (materializing each
 *   tuple, as the rewrite forms each new one), plus the new values' expressions, plus a rebuild of
 *   every index the table has (measured as above).
 *
 * A read-only lint cannot time the writes themselves (heap pages, WAL, index pages), so the copy and
 * the sort (and, for the statement's own per-row work, the scan) are scaled by the factors below: how much slower the write is than its read-only twin,
 * fitted on PostgreSQL 15 and 18 at 200k and 1M rows on two machines (test/integration/lint-live.test.ts checks
 * every estimate against the statement's real time on the same server, within 2x).
 */
import { quoteIdent } from '../ident.js';
import type { Session } from '../session.js';
import { nodeSql, typeNameSql } from './lint-deparse.js';
import { stringList, type ParsedStatement, type PgNode } from './parse.js';
import type { LintRuleId } from '../../../shared/migrations.js';

/**
 * A rewrite writes each tuple into a new heap: this much slower than the copy through a sort. ALTER
 * TABLE's rewrite (a new column value, a type change) inserts and WAL-logs tuple by tuple; VACUUM
 * FULL and CLUSTER copy whole pages (one WAL record a page), which is cheaper.
 */
export const REWRITE_FACTOR = { alter: 2.3, copy: 2 };
/**
 * A validating scan does more per row than its count query (the statement deforms and checks each
 * tuple, then updates the catalog and commits): this much slower, measured beside the real statement.
 */
export const SCAN_FACTOR = 1.35;
/** An index build writes its pages (and WAL) after the sort: this much slower than the sort alone. */
export const INDEX_FACTOR = 1.5;
/** Heap read per measurement at most; bigger tables are sampled (TABLESAMPLE SYSTEM). */
const SAMPLE_BYTES = 32 * 1024 * 1024;

/** What a statement does to the table while it holds the lock. */
export type Work =
  | { kind: 'scan'; where: string | null; fk?: { table: string; on: string; missing: string; present: string } }
  | { kind: 'index build'; keys: string[] }
  | { kind: 'rewrite'; exprs: string[]; indexesOnly?: boolean; pages?: boolean };

/** A table as the estimate sees it. */
export interface EstimateTable {
  key: string;
  /** Quoted "schema"."table". */
  sql: string;
  heapBytes: number;
  rows: number;
}

const cmds = (n: PgNode) => ((n.cmds as { AlterTableCmd: PgNode }[] | undefined) ?? []).map((c) => c.AlterTableCmd);
const conOf = (c: PgNode) => ((c.def as PgNode | undefined)?.Constraint ?? null) as PgNode | null;
const rv = (r: unknown) => {
  const x = r as { schemaname?: string; relname?: string };
  return x.schemaname ? `${quoteIdent(x.schemaname)}.${quoteIdent(x.relname ?? '')}` : quoteIdent(x.relname ?? '');
};

function fkWork(con: PgNode): Work {
  const fk = stringList(con.fk_attrs);
  const pk = stringList(con.pk_attrs);
  if (!fk.length || fk.length !== pk.length) return { kind: 'scan', where: null };
  const on = fk.map((c, i) => `p.${quoteIdent(pk[i]!)} = c.${quoteIdent(c)}`).join(' AND ');
  return {
    kind: 'scan', where: null,
    fk: { table: rv(con.pktable), on, missing: `p.${quoteIdent(pk[0]!)} IS NULL`, present: fk.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ') },
  };
}

/** The work of a finding's statement, read from its parse tree; null when the rule's statement does no table-sized work. */
export function workOf(rule: LintRuleId, stmt: ParsedStatement): Work | null {
  const n = stmt.node;
  switch (rule) {
    case 'not-null-without-check': {
      const cols = cmds(n).filter((c) => c.subtype === 'AT_SetNotNull').map((c) => `c.${quoteIdent(String(c.name))} IS NULL`);
      return { kind: 'scan', where: cols.length ? cols.join(' OR ') : null };
    }
    case 'constraint-not-valid-missing': {
      const con = cmds(n).map(conOf).find((k) => k && !k.skip_validation && (k.contype === 'CONSTR_FOREIGN' || k.contype === 'CONSTR_CHECK'));
      if (con?.contype === 'CONSTR_FOREIGN') return fkWork(con);
      if (con?.contype === 'CONSTR_CHECK' && con.raw_expr) return { kind: 'scan', where: `NOT (${nodeSql(con.raw_expr)})` };
      return { kind: 'scan', where: null };
    }
    case 'validate-same-transaction':
      return { kind: 'scan', where: null };
    case 'index-not-concurrent': {
      const keys = ((n.indexParams as { IndexElem?: PgNode }[] | undefined) ?? []).map((p) => p.IndexElem ?? {});
      return { kind: 'index build', keys: keys.map((k) => (k.name ? `c.${quoteIdent(String(k.name))}` : `(${nodeSql(k.expr)})`)) };
    }
    case 'constraint-builds-index': {
      const con = cmds(n).map(conOf).find((k) => k && ['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_EXCLUSION'].includes(String(k.contype)));
      const keys = stringList(con?.keys).map((k) => `c.${quoteIdent(k)}`);
      return { kind: 'index build', keys: keys.length ? keys : ['c.ctid'] };
    }
    case 'volatile-default':
    case 'rewriting-column': {
      const exprs = cmds(n).filter((c) => c.subtype === 'AT_AddColumn').flatMap((c) => {
        const def = (c.def as PgNode | undefined)?.ColumnDef as PgNode | undefined;
        return ((def?.constraints as { Constraint?: PgNode }[] | undefined) ?? []).map((k) => k.Constraint ?? {})
          .filter((k) => (k.contype === 'CONSTR_DEFAULT' || k.contype === 'CONSTR_GENERATED') && k.raw_expr)
          .map((k) => `(${nodeSql(k.raw_expr)})`);
      });
      return { kind: 'rewrite', exprs };
    }
    case 'column-type-change': {
      const exprs = cmds(n).filter((c) => c.subtype === 'AT_AlterColumnType').map((c) => {
        const def = ((c.def as PgNode | undefined)?.ColumnDef ?? {}) as PgNode;
        return def.raw_default ? `(${nodeSql(def.raw_default)})` : `(c.${quoteIdent(String(c.name))})::${typeNameSql(def.typeName)}`;
      });
      return { kind: 'rewrite', exprs };
    }
    case 'blocking-maintenance':
      if (stmt.type === 'ReindexStmt') return { kind: 'rewrite', exprs: [], indexesOnly: true };
      if (stmt.type === 'ClusterStmt' || stmt.type === 'VacuumStmt') return { kind: 'rewrite', exprs: [], pages: true };
      return null;
    default:
      return null;
  }
}

type Plan = { 'Execution Time': number };

/**
 * The server-side execution time of a read-only query (EXPLAIN ANALYZE, no timing per node), in
 * seconds: the fastest of two runs, three when a run is short (a shared machine's hiccup doubles a
 * short run, never halves it).
 */
async function executionSeconds(session: Session, sql: string, settings: string[] = []): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < (best < 0.2 ? 3 : 2); i += 1) {
    const r = await session.transaction(async () => {
      for (const s of settings) await session.query(s);
      return session.query<{ 'QUERY PLAN': Plan[] }>(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql}`);
    });
    best = Math.min(best, (r.rows[0]?.['QUERY PLAN'][0]?.['Execution Time'] ?? Infinity) / 1000);
  }
  return best;
}

/** What of a table a measurement reads: FROM suffix, a condition, how many times the table is bigger, the rows read. */
interface Sample {
  from: string;
  cond: string | null;
  scale: number;
  rows: number;
  label: string;
}

const PAGE = 8192;

/**
 * The part of the table a measurement reads: all of it up to 32 MB; else its first 32 MB as a
 * sequential slice (a TID range scan, PostgreSQL 14+, read like the statement reads the table), or
 * before 14 a TABLESAMPLE of that size.
 */
function sampleOf(t: EstimateTable, serverVersionNum: number): Sample {
  if (t.heapBytes <= SAMPLE_BYTES) return { from: '', cond: null, scale: 1, rows: t.rows, label: 'the whole table' };
  const scale = t.heapBytes / SAMPLE_BYTES;
  const rows = Math.max(1, t.rows / scale);
  if (serverVersionNum >= 140000) {
    return { from: '', cond: `c.ctid < '(${Math.floor(SAMPLE_BYTES / PAGE)},0)'::tid`, scale, rows, label: `its first ${SAMPLE_BYTES / 1024 / 1024} MB` };
  }
  const pct = Math.max(0.01, 100 / scale);
  return { from: ` TABLESAMPLE SYSTEM (${pct.toFixed(4)})`, cond: null, scale: 100 / pct, rows, label: `a ${pct.toFixed(1)}% sample` };
}

/** `FROM ONLY table AS c [sample]`, and the WHERE clause of the sample's condition and `conds`. */
function fromSample(t: EstimateTable, s: Sample, ...conds: (string | null)[]): string {
  const all = [s.cond, ...conds].filter((c): c is string => !!c);
  return `FROM ONLY ${t.sql} AS c${s.from}${all.length ? ` WHERE ${all.map((c) => `(${c})`).join(' AND ')}` : ''}`;
}

/** n log n from the sample's rows to the table's. */
const sortScale = (sampleRows: number, rows: number) => (rows / sampleRows) * (Math.log2(Math.max(rows, 2)) / Math.log2(Math.max(sampleRows, 2)));

/** The SET LOCAL that gives a query sort the memory an index build gets. */
async function maintenanceMemory(session: Session): Promise<string[]> {
  const r = await session.query<{ m: string }>("SELECT pg_catalog.current_setting('maintenance_work_mem') AS m");
  return [`SET LOCAL work_mem = '${(r.rows[0]?.m ?? '64MB').replace(/'/g, '')}'`];
}

/** Seconds to build an index over `keys` of the table. */
async function indexSeconds(session: Session, t: EstimateTable, s: Sample, keys: string[]): Promise<number> {
  const list = keys.join(', ');
  const sec = await executionSeconds(session, `SELECT ${list} ${fromSample(t, s)} ORDER BY ${list}`, await maintenanceMemory(session));
  return sec * sortScale(s.rows, t.rows) * INDEX_FACTOR;
}

/** The key expressions of every index the table has, from the catalog. */
async function existingIndexKeys(session: Session, t: EstimateTable): Promise<string[][]> {
  const r = await session.query<{ keys: string[] }>(
    `SELECT array(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k) AS keys
     FROM pg_catalog.pg_index i WHERE i.indrelid = pg_catalog.to_regclass($1)`, [t.sql]);
  return r.rows.map((x) => x.keys.map((k) => `(${k})`));
}

/** The estimated seconds of the work on the table, and how it was measured. */
export async function estimateWork(session: Session, t: EstimateTable, work: Work): Promise<{ seconds: number; basis: string } | null> {
  if (t.heapBytes <= 0 || t.rows <= 0) return null;
  const s = sampleOf(t, session.fingerprint.serverVersionNum);
  const count = () => executionSeconds(session, `SELECT count(*) ${fromSample(t, s)}`);
  if (work.kind === 'scan') {
    const sql = work.fk
      ? `SELECT count(*) FROM ONLY ${t.sql} AS c${s.from} LEFT JOIN ONLY ${work.fk.table} AS p ON ${work.fk.on} WHERE ${[s.cond, work.fk.missing, work.fk.present].filter(Boolean).join(' AND ')}`
      : `SELECT count(*) ${fromSample(t, s, work.where)}`;
    const sec = await executionSeconds(session, sql).catch(count);
    return { seconds: sec * s.scale * SCAN_FACTOR, basis: `the validation's query (${work.fk ? 'the foreign-key anti-join' : work.where ? 'rows failing it' : 'a count'}) timed on ${s.label} x${SCAN_FACTOR}, measured on this server` };
  }
  if (work.kind === 'index build') {
    return { seconds: await indexSeconds(session, t, s, work.keys), basis: `a sort of the index keys on ${s.label} with maintenance_work_mem, x${INDEX_FACTOR} for writing the index, measured on this server` };
  }
  const indexes = await existingIndexKeys(session, t);
  let rebuild = 0;
  for (const keys of indexes) rebuild += await indexSeconds(session, t, s, keys);
  if (work.indexesOnly) return { seconds: rebuild, basis: `${indexes.length} index build(s): sorts of their keys on ${s.label}, measured on this server` };
  const memory = await maintenanceMemory(session);
  const copy = await executionSeconds(session, `SELECT c.* ${fromSample(t, s)} ORDER BY c.ctid`, memory);
  let exprs = 0;
  if (work.exprs.length) {
    // The new values computed in the copy itself (as the rewrite forms each new tuple): measured apart
    // in a count, gen_random_uuid() came out at half its cost in the rewrite.
    const withExprs = await executionSeconds(session, `SELECT c.*, ${work.exprs.join(', ')} ${fromSample(t, s)} ORDER BY c.ctid`, memory).catch(() => copy);
    exprs = Math.max(0, withExprs - copy);
  }
  const factor = work.pages ? REWRITE_FACTOR.copy : REWRITE_FACTOR.alter;
  return {
    seconds: copy * s.scale * factor + exprs * s.scale + rebuild,
    basis: `a copy of every row through a sort on ${s.label} x${factor} for writing the new table${work.exprs.length ? ', the new values computed' : ''}, and ${indexes.length} index rebuild(s), measured on this server`,
  };
}
