/**
 * What a run keeps in its target database (the console schema): the journal's signed head, and the
 * completion row of every `sql` step (written in the step's own transaction, so a continue knows
 * whether it committed). And the target's identity: system identifier, database oid and name.
 */
import { CONSOLE_SCHEMA } from '../config.js';
import { UserError } from '../errors.js';
import type { Session } from '../session.js';
import type { DatabaseHead, SignedHead } from './head.js';

const q = (name: string) => `"${CONSOLE_SCHEMA}"."${name}"`;
export const HEADS_TABLE = q('runbook_journal_heads');
export const STEP_COMMITS_TABLE = q('runbook_step_commits');

/** The target a run is bound to. */
export interface TargetIdentity {
  systemIdentifier: string | null;
  databaseOid: string;
  database: string;
  /** host:port as the server reports it, for messages. */
  server: string;
}

/** Read the session's target identity. */
export async function targetIdentity(session: Session): Promise<TargetIdentity> {
  const r = await session.query<{ oid: string; db: string }>('SELECT oid::text AS oid, datname AS db FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()');
  const fp = session.fingerprint;
  return {
    systemIdentifier: fp.systemIdentifier, databaseOid: r.rows[0]!.oid, database: r.rows[0]!.db,
    server: `${fp.serverAddress ?? session.profile.host}:${fp.serverPort ?? session.profile.port}`,
  };
}

/** One line naming both targets. */
export function describeIdentity(t: Pick<TargetIdentity, 'database' | 'databaseOid' | 'systemIdentifier' | 'server'>): string {
  return `database ${t.database} (oid ${t.databaseOid}) on server ${t.server} (system identifier ${t.systemIdentifier ?? 'unreadable'})`;
}

/** Refuse a session that is not the run's target. */
export function assertSameTarget(run: string, started: Partial<TargetIdentity> & { database: string }, now: TargetIdentity): void {
  const sysDiffers = started.systemIdentifier && now.systemIdentifier && started.systemIdentifier !== now.systemIdentifier;
  const sysUnknown = started.systemIdentifier && !now.systemIdentifier;
  const oidDiffers = started.databaseOid !== undefined && started.databaseOid !== now.databaseOid;
  if (started.database !== now.database || sysDiffers || sysUnknown || oidDiffers) {
    const was = describeIdentity({ database: started.database, databaseOid: started.databaseOid ?? '?', systemIdentifier: started.systemIdentifier ?? null, server: started.server ?? '?' });
    throw new UserError(`run ${run} was started on ${was}; this is ${describeIdentity(now)}: not the same target, start a new run`, 'usage');
  }
}

/** Create the runbook tables of the console schema (write mode). */
export async function ensureRunbookTables(session: Session): Promise<void> {
  // Quietly: "already exists, skipping" is the console's bookkeeping, not a NOTICE of the step.
  await session.quietly(async () => {
    await session.query(`CREATE SCHEMA IF NOT EXISTS "${CONSOLE_SCHEMA}"`);
    await session.query(`CREATE TABLE IF NOT EXISTS ${HEADS_TABLE} (
      run text PRIMARY KEY, seq integer NOT NULL, hash text NOT NULL, key_id text NOT NULL, signature text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await session.query(`CREATE TABLE IF NOT EXISTS ${STEP_COMMITS_TABLE} (
      run text NOT NULL, step text NOT NULL, sql_sha256 text NOT NULL, committed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (run, step))`);
  });
}

/** Write a signed head (never moves the head back). */
export async function writeDatabaseHead(session: Session, h: SignedHead): Promise<void> {
  await session.query(
    `INSERT INTO ${HEADS_TABLE} (run, seq, hash, key_id, signature) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (run) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, key_id = excluded.key_id, signature = excluded.signature, updated_at = now()
     WHERE ${HEADS_TABLE}.seq < excluded.seq`,
    [h.run, h.seq, h.hash, h.keyId, h.signature],
  );
}

async function tableExists(session: Session, name: string): Promise<boolean> {
  const r = await session.query<{ t: string | null }>('SELECT pg_catalog.to_regclass($1)::text AS t', [name]);
  return r.rows[0]?.t != null;
}

/** The head the target database holds for a run, or null. */
export async function readDatabaseHead(session: Session, run: string): Promise<DatabaseHead | null> {
  if (!(await tableExists(session, HEADS_TABLE))) return null;
  const r = await session.query<{ seq: number; hash: string; key_id: string }>(`SELECT seq, hash, key_id FROM ${HEADS_TABLE} WHERE run = $1`, [run]);
  const row = r.rows[0];
  return row ? { seq: row.seq, hash: row.hash, keyId: row.key_id } : null;
}

/** When an `sql` step of a run committed, or null (call inside the step's transaction: the row is locked). */
export async function stepCommittedAt(session: Session, run: string, step: string): Promise<string | null> {
  if (!(await tableExists(session, STEP_COMMITS_TABLE))) return null;
  const r = await session.query<{ at: string }>(`SELECT committed_at::text AS at FROM ${STEP_COMMITS_TABLE} WHERE run = $1 AND step = $2 FOR UPDATE`, [run, step]);
  return r.rows[0]?.at ?? null;
}

/** Record an `sql` step's completion (inside its transaction). */
export async function recordStepCommit(session: Session, run: string, step: string, sqlSha256: string): Promise<void> {
  await session.query(`INSERT INTO ${STEP_COMMITS_TABLE} (run, step, sql_sha256) VALUES ($1, $2, $3)`, [run, step, sqlSha256]);
}
