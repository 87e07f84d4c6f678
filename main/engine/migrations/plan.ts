/**
 * How one migration will run: its statements (parsed, with lines) and whether it can run in one
 * transaction. Drizzle files that the parser rejects fall back to their statement breakpoints.
 */
import { hasOwnTransaction, nonTransactionalReason, parseStatements, SqlParseError, type ParsedStatement } from './parse.js';
import type { MigrationFile } from './sources.js';

/** A statement to send, with its line in the file. */
export interface PlannedStatement {
  text: string;
  line: number;
}

/** The execution plan of one migration. */
export interface MigrationPlan {
  statements: PlannedStatement[];
  parsed: ParsedStatement[] | null;
  /** null when the whole migration runs in one transaction with its ledger row. */
  outsideTransaction: string | null;
  parseError: SqlParseError | null;
  /** Supabase's record of the file: statements split at semicolons, trimmed. */
  supabaseStatements: string[];
}

function lineOf(sql: string, charIndex: number): number {
  return (sql.slice(0, charIndex).match(/\n/g) ?? []).length + 1;
}

function fallbackChunks(sql: string): PlannedStatement[] {
  const parts = sql.split('--> statement-breakpoint');
  const out: PlannedStatement[] = [];
  let offset = 0;
  for (const p of parts) {
    const lead = p.length - p.trimStart().length;
    if (p.trim()) out.push({ text: p.trim(), line: lineOf(sql, offset + lead) });
    offset += p.length + '--> statement-breakpoint'.length;
  }
  return out;
}

/** Plan a migration: statements in order and whether it needs to run outside a transaction. */
export async function planMigration(m: MigrationFile, serverVersionNum?: number): Promise<MigrationPlan> {
  const sql = m.sql ?? '';
  try {
    const parsed = await parseStatements(sql);
    let outside: string | null = null;
    for (const s of parsed) {
      const why = nonTransactionalReason(s, serverVersionNum);
      if (why) {
        outside = `line ${s.line}: ${why} cannot run inside a transaction`;
        break;
      }
    }
    if (!outside && hasOwnTransaction(parsed)) outside = 'the file manages its own transaction (BEGIN/COMMIT)';
    return {
      statements: parsed.map((s) => ({ text: s.text, line: s.line })),
      parsed,
      outsideTransaction: outside,
      parseError: null,
      supabaseStatements: parsed.map((s) => s.raw),
    };
  } catch (err) {
    if (!(err instanceof SqlParseError)) throw err;
    const chunks = fallbackChunks(sql);
    return { statements: chunks, parsed: null, outsideTransaction: null, parseError: err, supabaseStatements: chunks.map((c) => c.text) };
  }
}

const COMMENT_ONLY = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*$/;

/** Compare Supabase statement lists, ignoring comment-only entries and surrounding blanks. */
export function sameStatements(a: readonly string[], b: readonly string[]): boolean {
  const norm = (xs: readonly string[]) => xs.map((x) => x.replace(/;+\s*$/, '').trim()).filter((x) => !COMMENT_ONLY.test(x));
  const x = norm(a);
  const y = norm(b);
  return x.length === y.length && x.every((s, i) => s === y[i]);
}
