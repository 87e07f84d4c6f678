/**
 * Backfill state in the target database: tenancy_console.backfills, one row per backfill. The
 * batch loop advances it in the same transaction as each batch, so it is never ahead of the data.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { BackfillSourceSchema, type BackfillSource, type BackfillState, type BackfillStatus } from '../../../shared/backfill.js';
import { UserError } from '../errors.js';
import { sqlFile } from '../paths.js';
import type { Session } from '../session.js';

const STATE_COLUMNS = `id, schema_name, table_name, column_name, source, key_columns, last_key, rows_done, batches,
  status, operator, started_at, updated_at, error`;

const StateRowSchema = z.object({
  id: z.string(),
  schema_name: z.string(),
  table_name: z.string(),
  column_name: z.string(),
  source: BackfillSourceSchema,
  key_columns: z.array(z.string()),
  last_key: z.array(z.string()).nullable(),
  rows_done: z.coerce.number(),
  batches: z.number(),
  status: z.enum(['running', 'paused', 'done', 'cancelled', 'failed']),
  operator: z.string(),
  started_at: z.date(),
  updated_at: z.date(),
  error: z.string().nullable(),
});

/** Turn a state row into a BackfillState. */
export function stateFromRow(row: unknown): BackfillState {
  const r = StateRowSchema.parse(row);
  return {
    id: r.id, schema: r.schema_name, table: r.table_name, column: r.column_name, source: r.source,
    keyColumns: r.key_columns, lastKey: r.last_key, rowsDone: r.rows_done, batches: r.batches, status: r.status,
    operator: r.operator, startedAt: r.started_at.toISOString(), updatedAt: r.updated_at.toISOString(), error: r.error,
  };
}

/** Create the console schema and the backfill state table if missing (needs write mode). */
export async function ensureBackfillTable(session: Session): Promise<void> {
  await session.query(sqlFile('backfill/tables.sql'));
}

/** Whether the state table exists yet. */
async function hasStateTable(session: Session): Promise<boolean> {
  const { rows } = await session.query<{ ok: boolean }>(`SELECT to_regclass('tenancy_console.backfills') IS NOT NULL AS ok`);
  return rows[0]!.ok;
}

/** A new backfill id: bf_ and 10 hex digits. */
export function newBackfillId(): string {
  return `bf_${crypto.randomBytes(5).toString('hex')}`;
}

/** Insert the state row of a new backfill. */
export async function createBackfillState(
  session: Session,
  spec: { id: string; schema: string; table: string; column: string; source: BackfillSource; keyColumns: string[]; operator: string; run?: string },
): Promise<BackfillState> {
  const { rows } = await session.query(
    `INSERT INTO tenancy_console.backfills (id, schema_name, table_name, column_name, source, key_columns, operator, run_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${STATE_COLUMNS}`,
    [spec.id, spec.schema, spec.table, spec.column, JSON.stringify(spec.source), spec.keyColumns, spec.operator, spec.run ?? null],
  );
  return stateFromRow(rows[0]);
}

/** Read one backfill's state; a UserError when there is none with this id. */
export async function getBackfillState(session: Session, id: string): Promise<BackfillState> {
  if (!(await hasStateTable(session))) throw new UserError(`no backfill ${id}: this database has no tenancy_console.backfills yet`, 'usage');
  const { rows } = await session.query(`SELECT ${STATE_COLUMNS} FROM tenancy_console.backfills WHERE id = $1`, [id]);
  if (!rows[0]) throw new UserError(`no backfill ${id} in this database; list them with tenancy backfill --list`, 'usage');
  return stateFromRow(rows[0]);
}

/** Every backfill in this database, newest first. */
export async function listBackfills(session: Session): Promise<BackfillState[]> {
  if (!(await hasStateTable(session))) return [];
  const { rows } = await session.query(`SELECT ${STATE_COLUMNS} FROM tenancy_console.backfills ORDER BY started_at DESC, id`);
  return rows.map(stateFromRow);
}

/** The unfinished backfill (not done) of this table and column, if any: the one to resume. */
export async function findUnfinishedBackfill(session: Session, schema: string, table: string, column: string): Promise<BackfillState | null> {
  if (!(await hasStateTable(session))) return null;
  const { rows } = await session.query(
    `SELECT ${STATE_COLUMNS} FROM tenancy_console.backfills
     WHERE schema_name = $1 AND table_name = $2 AND column_name = $3 AND status <> 'done'
     ORDER BY started_at DESC LIMIT 1`,
    [schema, table, column],
  );
  return rows[0] ? stateFromRow(rows[0]) : null;
}

/** Set a backfill's status (outside a batch: done, cancelled, failed, paused, running). */
export async function setBackfillStatus(session: Session, id: string, status: BackfillStatus, error: string | null = null): Promise<void> {
  await session.transaction(async () => {
    await session.query(`UPDATE tenancy_console.backfills SET status = $2, error = $3, updated_at = now() WHERE id = $1`, [id, status, error]);
  }, { readOnly: false });
}
