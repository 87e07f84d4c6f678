/**
 * The ledger tables of the four tools, read and written exactly as each tool does, so that the
 * tool's own migrator agrees with the console afterwards:
 * - plain: tenancy_console.schema_migrations (the console's own)
 * - Drizzle: drizzle.__drizzle_migrations(id serial, hash text, created_at bigint), hash = sha256 of
 *   the file, created_at = the journal's `when` (drizzle-orm's pg dialect migrate())
 * - Prisma: _prisma_migrations, one row per attempt, checksum = sha256 hex of migration.sql
 * - Supabase: supabase_migrations.schema_migrations(version, statements text[], name)
 */
import crypto from 'node:crypto';
import type { MigrationKind } from '../../../shared/migrations.js';
import { qualified, quoteIdent } from '../ident.js';
import { consoleVersion } from '../paths.js';
import { currentOperator, type Session } from '../session.js';
import type { MigrationFile, MigrationSource } from './sources.js';

/** One ledger row, reduced to what status needs. */
export interface LedgerRow {
  /** Migration id (plain, Prisma, Supabase) or created_at (Drizzle) as text. */
  key: string;
  checksum: string | null;
  appliedAt: string | null;
  outcome: 'applied' | 'failed' | 'rolled-back';
  /** Supabase: the statements recorded. */
  statements: string[] | null;
  logs: string | null;
}

/** The ledger of one database for one source. */
export interface Ledger {
  exists: boolean;
  rows: LedgerRow[];
}

const table = (s: MigrationSource) => qualified(s.ledger.schema, s.ledger.table);

/** Whether the ledger table exists (without needing any privilege on it). */
export async function ledgerExists(session: Session, source: MigrationSource): Promise<boolean> {
  const r = await session.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table(source)]);
  return r.rows[0]?.t != null;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? null : String(v));

/** Read the ledger rows; an absent ledger table means nothing was applied. */
export async function readLedger(session: Session, source: MigrationSource): Promise<Ledger> {
  if (!(await ledgerExists(session, source))) return { exists: false, rows: [] };
  const t = table(source);
  const base = { statements: null, logs: null } as const;
  switch (source.kind) {
    case 'plain': {
      const r = await session.query<{ id: string; checksum: string; applied_at: Date }>(`SELECT id, checksum, applied_at FROM ${t} ORDER BY id`);
      return { exists: true, rows: r.rows.map((x) => ({ ...base, key: x.id, checksum: x.checksum, appliedAt: iso(x.applied_at), outcome: 'applied' })) };
    }
    case 'drizzle': {
      const r = await session.query<{ hash: string; created_at: string | null }>(`SELECT hash, created_at::text AS created_at FROM ${t} ORDER BY created_at, id`);
      return { exists: true, rows: r.rows.map((x) => ({ ...base, key: x.created_at ?? '', checksum: x.hash, appliedAt: x.created_at ? new Date(Number(x.created_at)).toISOString() : null, outcome: 'applied' })) };
    }
    case 'prisma': {
      const r = await session.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; logs: string | null }>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM ${t} ORDER BY started_at`,
      );
      return {
        exists: true,
        rows: r.rows.map((x) => ({
          ...base,
          key: x.migration_name,
          checksum: x.checksum,
          appliedAt: iso(x.finished_at),
          outcome: x.rolled_back_at ? 'rolled-back' : x.finished_at ? 'applied' : 'failed',
          logs: x.logs,
        })),
      };
    }
    case 'supabase': {
      const r = await session.query<{ version: string; statements: string[] | null }>(`SELECT version, statements FROM ${t} ORDER BY version`);
      return { exists: true, rows: r.rows.map((x) => ({ ...base, key: x.version, checksum: null, appliedAt: null, outcome: 'applied', statements: x.statements })) };
    }
  }
}

/** The DDL that creates a tool's ledger, as the tool itself would (idempotent). */
export function ledgerDdl(source: MigrationSource): string[] {
  const schema = quoteIdent(source.ledger.schema);
  const t = table(source);
  const ddl: Record<MigrationKind, string[]> = {
    plain: [
      `CREATE SCHEMA IF NOT EXISTS ${schema}`,
      `CREATE TABLE IF NOT EXISTS ${t} (id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), applied_by text, duration_ms integer, console_version text)`,
    ],
    drizzle: [
      `CREATE SCHEMA IF NOT EXISTS ${schema}`,
      `CREATE TABLE IF NOT EXISTS ${t} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
    ],
    prisma: [
      `CREATE SCHEMA IF NOT EXISTS ${schema}`,
      `CREATE TABLE IF NOT EXISTS ${t} ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`,
    ],
    supabase: [
      `CREATE SCHEMA IF NOT EXISTS ${schema}`,
      `CREATE TABLE IF NOT EXISTS ${t} (version text NOT NULL PRIMARY KEY)`,
      `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS statements text[]`,
      `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS name text`,
    ],
  };
  return ddl[source.kind];
}

/** Create the ledger if it is missing, in its own transaction (the session must be writable). */
export async function ensureLedger(session: Session, source: MigrationSource): Promise<void> {
  if (await ledgerExists(session, source)) return;
  await session.transaction(async () => {
    for (const stmt of ledgerDdl(source)) await session.query(stmt);
  }, { readOnly: false });
}

/** What apply knows when it records a migration. */
export interface LedgerWrite {
  migration: MigrationFile;
  startedAt: Date;
  durationMs: number;
  /** Supabase: the statements as its CLI splits them. */
  statements: string[];
  /** Prisma: set to record a failed attempt (finished_at stays null). */
  failure?: string;
}

/** Write the ledger row for one migration the way its tool does (inside the caller's transaction). */
export async function writeLedgerRow(session: Session, source: MigrationSource, w: LedgerWrite): Promise<void> {
  const t = table(source);
  const m = w.migration;
  switch (source.kind) {
    case 'plain':
      await session.query(
        `INSERT INTO ${t} (id, checksum, applied_at, applied_by, duration_ms, console_version) VALUES ($1, $2, now(), $3, $4, $5)`,
        [m.id, m.checksum, currentOperator(), Math.round(w.durationMs), consoleVersion()],
      );
      return;
    case 'drizzle':
      await session.query(`INSERT INTO ${t} ("hash", "created_at") VALUES ($1, $2)`, [m.checksum, m.when]);
      return;
    case 'prisma':
      await session.query(
        `INSERT INTO ${t} (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, CASE WHEN $3::text IS NULL THEN clock_timestamp() END, $4, $3, NULL, $5, CASE WHEN $3::text IS NULL THEN 1 ELSE 0 END)`,
        [crypto.randomUUID(), m.checksum, w.failure ?? null, m.id, w.startedAt],
      );
      return;
    case 'supabase':
      await session.query(`INSERT INTO ${t} (version, name, statements) VALUES ($1, $2, $3::text[])`, [m.id, m.name, w.statements]);
      return;
  }
}
