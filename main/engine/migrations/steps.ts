/**
 * Non-transactional migrations, resumable: the file is cut into units (one statement that cannot
 * run in a transaction; one ordinary statement in its own transaction; a BEGIN ... COMMIT block of
 * the file as one transaction; a session SET, re-run every attempt), and each completed unit is
 * recorded in the ledger's companion table tenancy_console.migration_steps - in the same
 * transaction as the unit when it has one - so a retry continues after the last completed unit
 * and never runs an earlier one again. The rows go when the ledger row is written.
 */
import type { Session } from '../session.js';
import type { ParsedStatement } from './parse.js';
import { nonTransactionalReason } from './parse.js';

/** The companion table of every ledger. */
export const STEPS_TABLE = 'tenancy_console.migration_steps';

/** One unit of a non-transactional migration. */
export interface StepUnit {
  /** Statement indexes (0-based) the unit covers, in order. */
  indexes: number[];
  /** 'bare': runs alone outside a transaction; 'tx': our own BEGIN/COMMIT around it; 'session': SET, re-run on every attempt. */
  kind: 'bare' | 'tx' | 'session';
  /** For a BEGIN ... ROLLBACK block of the file: end with ROLLBACK. */
  rollback?: boolean;
  /** Statements of the unit to send (the file's own BEGIN/COMMIT left out: the runner issues them). */
  run: number[];
}

const txKind = (s: ParsedStatement) => (s.type === 'TransactionStmt' ? String((s.node as { kind?: string }).kind ?? '') : '');
const isBegin = (s: ParsedStatement) => ['TRANS_STMT_BEGIN', 'TRANS_STMT_START'].includes(txKind(s));
const isEnd = (s: ParsedStatement) => ['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK'].includes(txKind(s));
const isSessionSet = (s: ParsedStatement) => s.type === 'VariableSetStmt' && !(s.node as { is_local?: boolean }).is_local;

/** Cut a parsed file into units; a BEGIN never closed is reported with its line. */
export function stepUnits(parsed: readonly ParsedStatement[], serverVersionNum?: number): StepUnit[] {
  const units: StepUnit[] = [];
  let block: StepUnit | null = null;
  for (const s of parsed) {
    if (block) {
      block.indexes.push(s.index);
      if (isEnd(s)) {
        block.rollback = txKind(s) === 'TRANS_STMT_ROLLBACK';
        units.push(block);
        block = null;
      } else {
        block.run.push(s.index);
      }
      continue;
    }
    if (isBegin(s)) block = { indexes: [s.index], kind: 'tx', run: [] };
    else if (nonTransactionalReason(s, serverVersionNum)) units.push({ indexes: [s.index], kind: 'bare', run: [s.index] });
    else if (isSessionSet(s)) units.push({ indexes: [s.index], kind: 'session', run: [s.index] });
    else units.push({ indexes: [s.index], kind: 'tx', run: [s.index] });
  }
  if (block) throw new Error(`the BEGIN at statement ${block.indexes[0]! + 1} is never committed`);
  return units;
}

/** Create the companion table if missing. */
export async function ensureStepsTable(session: Session): Promise<void> {
  const { rows } = await session.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [STEPS_TABLE]);
  if (rows[0]!.ok) return;
  // Checked first: IF NOT EXISTS would send a NOTICE that apply streams as the migration's.
  const schema = await session.query(`SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'tenancy_console'`);
  if (!schema.rowCount) await session.query('CREATE SCHEMA IF NOT EXISTS tenancy_console');
  await session.query(`CREATE TABLE IF NOT EXISTS ${STEPS_TABLE} (
    ledger text NOT NULL, migration text NOT NULL, checksum text NOT NULL, statement integer NOT NULL, line integer NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (ledger, migration, statement))`);
}

/** A completed statement as recorded. */
export interface StepRow {
  checksum: string;
  statement: number;
  completedAt: Date;
}

/** The recorded statements of one migration (none when the table does not exist). */
export async function readSteps(session: Session, ledger: string, migration: string): Promise<StepRow[]> {
  const { rows: t } = await session.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [STEPS_TABLE]);
  if (!t[0]!.ok) return [];
  const { rows } = await session.query<{ checksum: string; statement: number; completed_at: Date }>(
    `SELECT checksum, statement, completed_at FROM ${STEPS_TABLE} WHERE ledger = $1 AND migration = $2 ORDER BY statement`, [ledger, migration]);
  return rows.map((r) => ({ checksum: r.checksum, statement: r.statement, completedAt: r.completed_at }));
}

/** Record statements as completed (in the caller's transaction, or on its own). */
export async function recordSteps(session: Session, ledger: string, migration: string, checksum: string, statements: { index: number; line: number }[]): Promise<void> {
  if (!statements.length) return;
  await session.query(
    `INSERT INTO ${STEPS_TABLE} (ledger, migration, checksum, statement, line)
     SELECT $1, $2, $3, s, l FROM unnest($4::int[], $5::int[]) AS x(s, l) ON CONFLICT DO NOTHING`,
    [ledger, migration, checksum, statements.map((s) => s.index), statements.map((s) => s.line)]);
}

/** Forget a migration's recorded statements (with its ledger row, or to start over). */
export async function clearSteps(session: Session, ledger: string, migration: string): Promise<void> {
  const { rows } = await session.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [STEPS_TABLE]);
  if (rows[0]!.ok) await session.query(`DELETE FROM ${STEPS_TABLE} WHERE ledger = $1 AND migration = $2`, [ledger, migration]);
}
