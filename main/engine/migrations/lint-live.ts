/**
 * The lint that knows the database: with a connection, the rules see the target's server version,
 * its tables' columns (tenant columns, types before a change), columns already NOT NULL or proven by
 * a validated CHECK, and policies; and each finding on an existing table says how big the table is
 * and about how long its lock would be held, from throughput measured on this server
 * (lint-estimate.ts). Read-only: catalog queries and timed sample queries, in READ ONLY transactions.
 */
import { parseSync } from 'libpg-query';
import type { LintFinding, LintOptions } from '../../../shared/migrations.js';
import { qualified } from '../ident.js';
import type { Session } from '../session.js';
import { estimateWork, workOf } from './lint-estimate.js';
import { isNotNullColumn } from './lint-facts.js';
import { statementOfFinding } from './lint.js';

type ColumnRow = { t: string; col: string; type: string; typmod: number; notnull: boolean };

function typmods(type: string, typmod: number): number[] {
  if (typmod < 0) return [];
  if (type === 'varchar' || type === 'bpchar') return [typmod - 4];
  if (type === 'numeric') return [((typmod - 4) >> 16) & 0xffff, (typmod - 4) & 0xffff];
  if (type === 'bit' || type === 'varbit') return [typmod];
  return [];
}

/** The CHECK constraint definition's `col IS NOT NULL` column, read with the parser. */
function notNullColumnOfCheck(def: string): string | null {
  try {
    const stmt = parseSync(`ALTER TABLE t ADD ${def}`).stmts?.[0]?.stmt as { AlterTableStmt?: { cmds?: { AlterTableCmd?: { def?: { Constraint?: { raw_expr?: unknown } } } }[] } } | undefined;
    return isNotNullColumn(stmt?.AlterTableStmt?.cmds?.[0]?.AlterTableCmd?.def?.Constraint?.raw_expr);
  } catch {
    return null;
  }
}

/** Lint options completed from the database: server version, policies, columns, proven NOT NULL columns. */
export async function liveLintOptions(session: Session, base: LintOptions = {}): Promise<LintOptions> {
  const serverVersionNum = base.serverVersionNum ?? session.fingerprint.serverVersionNum;
  // One query at a time: a pg client queues concurrent queries only with a deprecation warning.
  const [policies, cols, checks] = await session.transaction(async () => [
    await session.query<{ t: string }>("SELECT DISTINCT schemaname || '.' || tablename AS t FROM pg_catalog.pg_policies"),
    await session.query<ColumnRow>(`
      SELECT n.nspname || '.' || c.relname AS t, a.attname AS col, ty.typname AS type, a.atttypmod AS typmod, a.attnotnull AS notnull
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid
      WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
      LIMIT 200000`),
    await session.query<{ t: string; def: string }>(`
      SELECT n.nspname || '.' || c.relname AS t, pg_catalog.pg_get_constraintdef(k.oid) AS def
      FROM pg_catalog.pg_constraint k
      JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'c' AND k.convalidated AND n.nspname NOT IN ('pg_catalog', 'information_schema')`),
  ] as const);
  const columns: NonNullable<LintOptions['columns']> = {};
  const proven = new Set<string>();
  for (const r of cols.rows) {
    (columns[r.t] ??= []).push({ name: r.col, type: r.type, mods: typmods(r.type, r.typmod) });
    if (r.notnull) proven.add(`${r.t}|${r.col}`);
  }
  if (serverVersionNum >= 120000) {
    for (const r of checks.rows) {
      const col = notNullColumnOfCheck(r.def);
      if (col) proven.add(`${r.t}|${col}`);
    }
  }
  return {
    ...base,
    serverVersionNum,
    tablesWithPolicies: [...new Set([...(base.tablesWithPolicies ?? []), ...policies.rows.map((x) => x.t)])],
    columns: { ...columns, ...base.columns },
    provenNotNull: [...proven, ...(base.provenNotNull ?? [])],
  };
}

type Size = { rows: number; heap: number; total: number };

const relationOf = (lock: string | null) => (lock ? lock.slice(lock.indexOf(' on ') + 4) : null);
const splitKey = (key: string) => {
  const dot = key.indexOf('.');
  return { schema: key.slice(0, dot), table: key.slice(dot + 1) };
};
const mb = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);

async function sizes(session: Session, keys: string[]): Promise<Map<string, Size>> {
  const out = new Map<string, Size>();
  for (const key of keys) {
    const { schema, table } = splitKey(key);
    const name = qualified(schema, table);
    const r = await session.query<{ rows: string; heap: string; total: string }>(
      `SELECT c.reltuples::bigint AS rows, pg_catalog.pg_relation_size(c.oid) AS heap, pg_catalog.pg_total_relation_size(c.oid) AS total
       FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)`, [name]);
    const row = r.rows[0];
    if (!row) continue;
    let rows = Number(row.rows);
    // Never analyzed or vacuumed (reltuples -1): count the rows when that is a small read, else none are known.
    if (rows < 0) rows = Number(row.heap) <= 32 * 1024 * 1024 ? Number((await session.query<{ n: string }>(`SELECT count(*) AS n FROM ONLY ${name}`)).rows[0]?.n ?? 0) : 0;
    out.set(key, { rows, heap: Number(row.heap), total: Number(row.total) });
  }
  return out;
}

/** Findings with the size of the table they lock and, where the statement scans, builds an index or rewrites, an estimate of how long. */
export async function annotateTargets(session: Session, findings: readonly LintFinding[]): Promise<LintFinding[]> {
  const keys = [...new Set(findings.map((f) => relationOf(f.lock)).filter((k): k is string => !!k))];
  const known = await sizes(session, keys);
  const out: LintFinding[] = [];
  for (const f of findings) {
    const key = relationOf(f.lock);
    const size = key ? known.get(key) : undefined;
    if (!key || !size) {
      out.push(f);
      continue;
    }
    const stmt = statementOfFinding(f);
    const work = stmt ? workOf(f.rule, stmt) : null;
    const { schema, table } = splitKey(key);
    const estimate = work ? await estimateWork(session, { key, sql: qualified(schema, table), heapBytes: size.heap, rows: size.rows }, work) : null;
    const mode = f.lock ? f.lock.slice(0, f.lock.indexOf(' on ')) : '';
    const secs = estimate ? (estimate.seconds < 1 ? estimate.seconds.toFixed(2) : String(Math.round(estimate.seconds))) : '';
    const about = `${key} holds ${mb(size.total)} (~${size.rows.toLocaleString('en-US')} rows)${estimate ? `: the ${work!.kind} holds ${mode} for about ${secs} s` : ''}`;
    out.push({ ...f, message: `${f.message}; ${about}`, target: { table: key, rows: size.rows, bytes: size.total, estimateSeconds: estimate?.seconds ?? null, basis: estimate?.basis ?? null } });
  }
  return out;
}
