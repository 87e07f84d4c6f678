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
import { advisoryHolders, advisoryKey, type AdvisoryHolder, type AdvisoryKey } from '../advisory-lock.js';

/**
 * The advisory lock a running backfill holds on its session for the whole run: held means a live
 * process is working on it; a 'running' row whose lock is gone was interrupted.
 */
export function backfillLockKey(id: string): AdvisoryKey {
  return advisoryKey(`backfill:${id}`, `backfill ${id}`);
}

/** The unique partial index that allows one unfinished backfill per column (a constraint, not a check). */
const ONE_UNFINISHED_INDEX = 'backfills_one_unfinished';

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
  await session.quietly(() => session.query(sqlFile('backfill/tables.sql')));
  const { rows } = await session.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`tenancy_console.${ONE_UNFINISHED_INDEX}`]);
  if (rows[0]!.ok) return;
  try {
    await session.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${ONE_UNFINISHED_INDEX} ON tenancy_console.backfills (schema_name, table_name, column_name) WHERE status <> 'done'`);
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    // Two first runs at once: the other one created it.
    if (e.code === '23505' && e.constraint === 'pg_class_relname_nsp_index') return;
    if (e.code === '23505') {
      throw new UserError('tenancy_console.backfills holds two unfinished backfills of one column (from an older console); mark all but one done (UPDATE tenancy_console.backfills SET status = \'done\' WHERE id = ...)', 'conflict');
    }
    throw err;
  }
}

/** Whether `err` is the one-unfinished-backfill-per-column constraint refusing an insert. */
export function isUnfinishedConflict(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === ONE_UNFINISHED_INDEX;
}

/** Who holds a backfill's lock now (empty: no live process runs it). */
export async function backfillHolders(session: Session, id: string): Promise<AdvisoryHolder[]> {
  return advisoryHolders(session, backfillLockKey(id));
}

/** A 'running' state whose lock no process holds is reported as 'interrupted'. */
async function withLiveness(session: Session, state: BackfillState): Promise<BackfillState> {
  if (state.status !== 'running') return state;
  if ((await backfillHolders(session, state.id)).length) return state;
  return { ...state, status: 'interrupted', error: state.error ?? 'its process or connection ended mid-run (no session holds its lock)' };
}

/** Remove a backfill that never committed a batch (a failed start leaves nothing behind). */
export async function deleteUnstartedBackfill(session: Session, id: string): Promise<boolean> {
  const { rowCount } = await session.transaction(
    () => session.query(`DELETE FROM tenancy_console.backfills WHERE id = $1 AND batches = 0 AND rows_done = 0`, [id]), { readOnly: false });
  return (rowCount ?? 0) > 0;
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
  return withLiveness(session, stateFromRow(rows[0]));
}

/** Every backfill in this database, newest first. */
export async function listBackfills(session: Session): Promise<BackfillState[]> {
  if (!(await hasStateTable(session))) return [];
  const { rows } = await session.query(`SELECT ${STATE_COLUMNS} FROM tenancy_console.backfills ORDER BY started_at DESC, id`);
  return Promise.all(rows.map((r) => withLiveness(session, stateFromRow(r))));
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
  return rows[0] ? withLiveness(session, stateFromRow(rows[0])) : null;
}

/** Set a backfill's status (outside a batch: done, cancelled, failed, paused, running). */
export async function setBackfillStatus(session: Session, id: string, status: BackfillStatus, error: string | null = null): Promise<void> {
  await session.transaction(async () => {
    await session.query(`UPDATE tenancy_console.backfills SET status = $2, error = $3, updated_at = now() WHERE id = $1`, [id, status, error]);
  }, { readOnly: false });
}
