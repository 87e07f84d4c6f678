/**
 * Split and parse migration SQL with the real PostgreSQL parser (libpg-query, WASM), keeping each
 * statement's text and line number. The parser reports byte offsets into UTF-8; we slice bytes.
 */
import { parse } from 'libpg-query';

/** A parse-tree node as libpg-query returns it: { NodeType: { ...fields } }. */
export type PgNode = Record<string, unknown>;

/** One statement of a migration file. */
export interface ParsedStatement {
  index: number;
  /** The statement text from its first token, without the trailing semicolon. */
  text: string;
  /** The raw slice libpg-query assigns (leading comments included), trimmed; what Supabase's CLI records. */
  raw: string;
  /** 1-based line of the statement's first token. */
  line: number;
  /** The node type, e.g. AlterTableStmt. */
  type: string;
  /** The node's fields. */
  node: PgNode;
}

/** A file that the parser rejects. */
export class SqlParseError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
    this.name = 'SqlParseError';
  }
}

/** Line numbers of ascending byte offsets, counted incrementally (one pass over the file). */
function lineCounter(buf: Buffer): (byteOffset: number) => number {
  let pos = 0;
  let line = 1;
  return (byteOffset) => {
    const end = Math.min(byteOffset, buf.length);
    if (end < pos) {
      pos = 0;
      line = 1;
    }
    for (; pos < end; pos += 1) if (buf[pos] === 0x0a) line += 1;
    return line;
  };
}

const LEADING_NOISE = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)/;

/** Strip leading whitespace and comments; returns the rest and how many newlines were skipped. */
function skipLeadingNoise(text: string): { rest: string; newlines: number } {
  let rest = text;
  let newlines = 0;
  for (;;) {
    const m = LEADING_NOISE.exec(rest);
    if (!m || m[0].length === 0) break;
    newlines += (m[0].match(/\n/g) ?? []).length;
    rest = rest.slice(m[0].length);
  }
  return { rest, newlines };
}

/** Parse SQL into statements with line numbers; throws SqlParseError naming the line. */
export async function parseStatements(sql: string): Promise<ParsedStatement[]> {
  const buf = Buffer.from(sql, 'utf8');
  let result;
  try {
    result = await parse(sql);
  } catch (err) {
    const e = err as { message?: string; sqlDetails?: { cursorPosition?: number } };
    const pos = e.sqlDetails?.cursorPosition ?? 0;
    const charPrefix = sql.slice(0, Math.max(0, pos));
    const line = (charPrefix.match(/\n/g) ?? []).length + 1;
    throw new SqlParseError(e.message ?? String(err), line);
  }
  const out: ParsedStatement[] = [];
  const lineOfByte = lineCounter(buf);
  let prevEnd = -1;
  for (const raw of result.stmts ?? []) {
    const start = raw.stmt_location ?? 0;
    const len = raw.stmt_len ?? 0;
    const end = len > 0 ? start + len : buf.length;
    const slice = buf.subarray(start, end).toString('utf8');
    // Everything since the previous statement's semicolon: Supabase's CLI keeps leading comments.
    const since = buf.subarray(prevEnd + 1, end).toString('utf8');
    prevEnd = end;
    const { rest, newlines } = skipLeadingNoise(slice);
    const text = rest.trimEnd();
    if (!text) continue;
    const stmt = (raw.stmt ?? {}) as Record<string, PgNode>;
    const type = Object.keys(stmt)[0] ?? 'Unknown';
    out.push({
      index: out.length,
      text,
      raw: since.trim(),
      line: lineOfByte(start) + newlines,
      type,
      node: stmt[type] ?? {},
    });
  }
  return out;
}

/** The string values of a list of { String: { sval } } nodes (names, column lists). */
export function stringList(nodes: unknown): string[] {
  if (!Array.isArray(nodes)) return [];
  return nodes.map((n) => ((n as { String?: { sval?: string } }).String?.sval ?? '')).filter(Boolean);
}

/** schema.table key of a RangeVar, with unqualified names read as public. */
export function relationKey(rangeVar: unknown): string | null {
  const r = rangeVar as { schemaname?: string; relname?: string } | undefined;
  if (!r?.relname) return null;
  return `${r.schemaname ?? 'public'}.${r.relname}`;
}

/** Walk a parse tree and call `visit` on every { Type: fields } node. */
export function walk(node: unknown, visit: (type: string, fields: PgNode) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node as PgNode)) {
    if (/^[A-Z]/.test(k) && v && typeof v === 'object' && !Array.isArray(v)) visit(k, v as PgNode);
    walk(v, visit);
  }
}

/**
 * Why a statement cannot run inside a transaction block, or null when it can.
 * ALTER TYPE ... ADD VALUE can since PostgreSQL 12.
 */
export function nonTransactionalReason(stmt: ParsedStatement, serverVersionNum = 999999): string | null {
  const n = stmt.node as Record<string, unknown>;
  switch (stmt.type) {
    case 'IndexStmt':
      return n.concurrent ? 'CREATE INDEX CONCURRENTLY' : null;
    case 'DropStmt':
      return n.concurrent ? 'DROP INDEX CONCURRENTLY' : null;
    case 'ReindexStmt': {
      // REINDEX (CONCURRENTLY false) is transactional: the option counts only when on.
      const params = (n.params as { DefElem?: { defname?: string; arg?: { String?: { sval?: string }; Integer?: { ival?: number }; Boolean?: { boolval?: boolean } } } }[] | undefined) ?? [];
      const el = params.map((p) => p.DefElem).find((d) => d?.defname === 'concurrently');
      const off = el?.arg && (el.arg.Boolean ? !el.arg.Boolean.boolval : el.arg.Integer ? !el.arg.Integer.ival : ['false', 'off', '0', 'no'].includes((el.arg.String?.sval ?? '').toLowerCase()));
      return el && !off ? 'REINDEX CONCURRENTLY' : null;
    }
    case 'VacuumStmt':
      return n.is_vacuumcmd ? 'VACUUM' : null;
    case 'AlterEnumStmt':
      return n.newVal && serverVersionNum < 120000 ? 'ALTER TYPE ... ADD VALUE (before PostgreSQL 12)' : null;
    case 'CreatedbStmt':
      return 'CREATE DATABASE';
    case 'DropdbStmt':
      return 'DROP DATABASE';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE';
    case 'AlterTableStmt': {
      let detach = false;
      walk(n.cmds, (t, f) => {
        if (t === 'PartitionCmd' && f.concurrent) detach = true;
      });
      return detach ? 'DETACH PARTITION CONCURRENTLY' : null;
    }
    default:
      return null;
  }
}

/** Whether the file manages its own transactions (BEGIN/COMMIT/ROLLBACK inside it). */
export function hasOwnTransaction(stmts: readonly ParsedStatement[]): boolean {
  return stmts.some((s) => s.type === 'TransactionStmt');
}
