/**
 * Runbook SQL is untrusted input. Every statement a runbook carries (a check's `sql`, a probe's
 * `fails.sql`, an `sql` step) is parsed with the real PostgreSQL parser before anything runs, and
 * transaction control and session changes are refused with the file's line, the field and the
 * step: the console owns the transaction each step runs in (a check READ ONLY, a probe inside a
 * savepoint that is always rolled back, an `sql` step committed together with its completion row).
 */
import { LineCounter, isNode, parseDocument } from 'yaml';
import type { Runbook, RunbookIssue } from '../../../shared/runbook.js';
import { UserError } from '../errors.js';
import { parseStatements, SqlParseError, type ParsedStatement, type PgNode } from '../migrations/parse.js';
import { formatIssues } from './parse.js';

/** Where a piece of runbook SQL is used: decides what it may contain. */
export type SqlUse = 'check' | 'probe' | 'sql';

/** One piece of SQL in a runbook, with its place in the file. */
export interface RunbookSql {
  step: string;
  stepIndex: number;
  use: SqlUse;
  /** The YAML path of the field, e.g. ['steps', 4, 'expect', 'fails', 'sql']. */
  path: (string | number)[];
  sql: string;
}

/** Statement kinds no runbook statement may be: they end, nest or escape the console's transaction, or change the session. */
const REFUSED: Record<string, string> = {
  TransactionStmt: 'transaction control (the console runs each step in its own transaction)',
  VariableSetStmt: 'a session or transaction setting (SET/RESET; the console owns the session)',
  DiscardStmt: 'DISCARD (the console owns the session)',
  ListenStmt: 'LISTEN (the console owns the session)',
  UnlistenStmt: 'UNLISTEN (the console owns the session)',
  LoadStmt: 'LOAD (loads code into the session)',
  PrepareStmt: 'PREPARE (a prepared statement outlives the step)',
  ExecuteStmt: 'EXECUTE of a prepared statement',
  DeallocateStmt: 'DEALLOCATE (the console owns the session)',
  DeclareCursorStmt: 'a cursor (it outlives the statement)',
  FetchStmt: 'FETCH from a cursor',
  ClosePortalStmt: 'CLOSE of a cursor',
  CheckPointStmt: 'CHECKPOINT',
  VacuumStmt: 'VACUUM/ANALYZE (cannot run inside the step\'s transaction)',
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  AlterSystemStmt: 'ALTER SYSTEM',
};

/** Functions that change the session from inside a query. */
const REFUSED_FUNCTIONS = new Set(['set_config', 'pg_advisory_lock', 'pg_advisory_lock_shared', 'dblink', 'dblink_exec', 'lo_import', 'lo_export']);

/** Every piece of SQL in a runbook, its rollback section included. */
export function runbookSql(runbook: Runbook): RunbookSql[] {
  const out: RunbookSql[] = [];
  const section = (key: readonly string[], steps: readonly (Runbook['steps'][number] | Runbook['rollback'][number])[], offset: number) => steps.forEach((s, i) => {
    const stepIndex = offset + i;
    if (s.kind === 'sql') out.push({ step: s.id, stepIndex, use: 'sql', path: [...key, i, 'sql'], sql: s.sql });
    if (s.kind === 'check') {
      if (s.expect.sql !== undefined) out.push({ step: s.id, stepIndex, use: 'check', path: [...key, i, 'expect', 'sql'], sql: s.expect.sql });
      if (s.expect.fails !== undefined) out.push({ step: s.id, stepIndex, use: 'probe', path: [...key, i, 'expect', 'fails', 'sql'], sql: s.expect.fails.sql });
      if (s.expect.plans !== undefined) {
        if (s.expect.plans.param !== undefined) out.push({ step: s.id, stepIndex, use: 'check', path: [...key, i, 'expect', 'plans', 'param'], sql: s.expect.plans.param });
        s.expect.plans.queries.forEach((q, j) => out.push({ step: s.id, stepIndex, use: 'check', path: [...key, i, 'expect', 'plans', 'queries', j, 'sql'], sql: q.sql }));
      }
      if (s.expect.member !== undefined) {
        out.push({ step: s.id, stepIndex, use: 'check', path: [...key, i, 'expect', 'member', 'users'], sql: s.expect.member.users });
        out.push({ step: s.id, stepIndex, use: 'check', path: [...key, i, 'expect', 'member', 'sql'], sql: s.expect.member.sql });
      }
    }
  });
  section(['steps'], runbook.steps, 0);
  section(['rollback'], runbook.rollback ?? [], runbook.steps.length);
  let offset = runbook.steps.length + (runbook.rollback ?? []).length;
  for (const [name, steps] of Object.entries(runbook.rollbacks ?? {})) {
    section(['rollbacks', name], steps, offset);
    offset += steps.length;
  }
  for (const [name, f] of Object.entries(runbook.followUps ?? {})) {
    section(['followUps', name, 'steps'], f.steps, offset);
    offset += f.steps.length;
  }
  return out;
}

function functionNames(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) functionNames(n, out);
  } else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    const fc = o.FuncCall as { funcname?: { String?: { sval?: string } }[] } | undefined;
    if (fc?.funcname) {
      const last = fc.funcname[fc.funcname.length - 1]?.String?.sval;
      if (last) out.push(last.toLowerCase());
    }
    for (const v of Object.values(o)) functionNames(v, out);
  }
  return out;
}

/** Why a statement may not be used here, or null when it may. */
export function refusal(st: Pick<ParsedStatement, 'type' | 'node'>, use: SqlUse): string | null {
  const why = REFUSED[st.type];
  if (why) return why;
  if (st.type === 'CopyStmt') {
    const c = st.node as { filename?: string; is_program?: boolean };
    if (c.filename || c.is_program) return 'COPY to or from a server file or program';
  }
  if (use !== 'sql' && (st.type === 'DoStmt' || st.type === 'CallStmt')) return `${st.type === 'DoStmt' ? 'a DO block' : 'CALL'} (its body cannot be checked; use an sql step)`;
  if (use === 'check' && st.type !== 'SelectStmt') return `${st.type.replace(/Stmt$/, '')} (a check query must be a single SELECT; it runs READ ONLY)`;
  const fn = functionNames(st.node as PgNode).find((f) => REFUSED_FUNCTIONS.has(f));
  if (fn) return `a call of ${fn}() (it changes the session or reaches outside the database)`;
  return null;
}

/** The statements of one piece of runbook SQL, or the reason it is refused. */
export async function checkRunbookSql(item: Pick<RunbookSql, 'sql' | 'use'>): Promise<{ statements: ParsedStatement[]; problem: string | null }> {
  let statements: ParsedStatement[];
  try {
    statements = await parseStatements(item.sql);
  } catch (err) {
    if (err instanceof SqlParseError) return { statements: [], problem: `does not parse (line ${err.line} of the SQL): ${err.message}` };
    throw err;
  }
  if (statements.length === 0) return { statements, problem: 'has no statement' };
  if (item.use === 'check' && statements.length !== 1) return { statements, problem: `has ${statements.length} statements; a check query is one SELECT` };
  for (const st of statements) {
    const why = refusal(st, item.use);
    if (why) return { statements, problem: `statement ${st.index + 1} (${st.text.split('\n')[0]!.slice(0, 60)}) is ${why}` };
  }
  return { statements, problem: null };
}

/** Every SQL problem of a runbook, each placed at its field's line. */
export async function runbookSqlIssues(text: string, runbook: Runbook): Promise<RunbookIssue[]> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const issues: RunbookIssue[] = [];
  for (const item of runbookSql(runbook)) {
    const { problem } = await checkRunbookSql(item);
    if (!problem) continue;
    let pos = { line: 1, col: 1 };
    for (let n = item.path.length; n >= 0; n -= 1) {
      const node = doc.getIn(item.path.slice(0, n), true);
      if (isNode(node) && node.range) {
        pos = lc.linePos(node.range[0]);
        break;
      }
    }
    const field = item.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('');
    issues.push({ line: pos.line, column: pos.col, field, message: `step "${item.step}": ${item.use === 'probe' ? 'the probe' : item.use === 'check' ? 'the check query' : 'the SQL'} ${problem}` });
  }
  return issues;
}

/** Refuse a runbook whose SQL is not allowed, before anything runs: one line per problem, FILE:LINE:COL FIELD: MESSAGE. */
export async function assertRunbookSql(file: string, text: string, runbook: Runbook): Promise<void> {
  const issues = await runbookSqlIssues(text, runbook);
  if (issues.length) throw new UserError(`${issues.length} problem(s) in the runbook, nothing ran: ${formatIssues(file, issues).replace(/\n/g, '; ')}`, 'usage');
}
