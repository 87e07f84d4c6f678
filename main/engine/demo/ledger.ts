/**
 * Migration ledgers for the demo: read a tool's migration folder, run the first N migrations and
 * record each in the tool's own ledger format (drizzle, Supabase CLI, Prisma), so that the tool
 * itself, and the console's migrations page, agree on what is applied and what is pending.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { z } from 'zod';
import { projectRoot } from '../paths.js';
import { parseStatements } from '../migrations/parse.js';
import type { DemoLedger } from './scenarios.js';

/** One migration file as its tool sees it. */
export interface DemoMigration {
  /** The tool's name for it: drizzle tag, Supabase "<version>_<name>", Prisma folder name. */
  name: string;
  file: string;
  sql: string;
}

const DrizzleJournalSchema = z.object({
  version: z.string(),
  dialect: z.string(),
  entries: z.array(z.object({ idx: z.number(), version: z.string(), when: z.number(), tag: z.string(), breakpoints: z.boolean() })),
});

/** drizzle-orm's statement separator in generated migration files. */
const DRIZZLE_BREAKPOINT = '--> statement-breakpoint';

function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

function drizzleJournal(folder: string) {
  const text = fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8');
  return DrizzleJournalSchema.parse(JSON.parse(text));
}

/** The migrations of a ledger's folder, in the order the tool applies them. */
export function listDemoMigrations(ledger: DemoLedger): DemoMigration[] {
  const folder = path.join(projectRoot(), 'sql', ledger.folder);
  const read = (file: string) => fs.readFileSync(file, 'utf8');
  switch (ledger.tool) {
    case 'drizzle':
      return drizzleJournal(folder).entries.map((e) => {
        const file = path.join(folder, `${e.tag}.sql`);
        return { name: e.tag, file, sql: read(file) };
      });
    case 'supabase':
      return fs.readdirSync(folder).filter((f) => /^\d+_.+\.sql$/.test(f)).sort().map((f) => {
        const file = path.join(folder, f);
        return { name: f.replace(/\.sql$/, ''), file, sql: read(file) };
      });
    case 'prisma':
      return fs.readdirSync(folder, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort().map((dir) => {
        const file = path.join(folder, dir, 'migration.sql');
        return { name: dir, file, sql: read(file) };
      });
  }
}

const LEDGER_DDL: Record<DemoLedger['tool'], string> = {
  // drizzle-orm pg-core dialect.migrate()
  drizzle: `CREATE SCHEMA IF NOT EXISTS "drizzle";
CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
  // Supabase CLI (pkg/migration/history.go)
  supabase: `CREATE SCHEMA IF NOT EXISTS supabase_migrations;
CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY, statements text[], name text)`,
  // Prisma migrate (schema-engine's postgres connector)
  prisma: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`,
};

/** The statements as Supabase's CLI records them: the console's own split (what migrate status compares). */
async function splitStatements(sql: string): Promise<string[]> {
  return (await parseStatements(sql)).map((st) => st.raw);
}

/** A stable UUID for a Prisma ledger row (Prisma uses a random one; the demo stays deterministic). */
function ledgerUuid(name: string): string {
  const h = sha256Hex(`prisma-migration:${name}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Create the ledger table and apply the first `ledger.applied` migrations, each in its own
 * transaction together with its ledger row, as the tool does. The rest stay pending.
 */
export async function applyDemoMigrations(client: pg.Client, ledger: DemoLedger): Promise<{ applied: string[]; pending: string[] }> {
  const all = listDemoMigrations(ledger);
  const toApply = all.slice(0, ledger.applied);
  await client.query(LEDGER_DDL[ledger.tool]);
  const journal = ledger.tool === 'drizzle' ? drizzleJournal(path.join(projectRoot(), 'sql', ledger.folder)) : undefined;
  for (const [i, m] of toApply.entries()) {
    await client.query('BEGIN');
    try {
      if (ledger.tool === 'drizzle') {
        for (const stmt of m.sql.split(DRIZZLE_BREAKPOINT)) await client.query(stmt);
        await client.query('INSERT INTO "drizzle"."__drizzle_migrations" ("hash", "created_at") VALUES ($1, $2)', [
          sha256Hex(m.sql), journal!.entries[i]!.when,
        ]);
      } else if (ledger.tool === 'supabase') {
        await client.query(m.sql);
        const cut = m.name.indexOf('_');
        await client.query('INSERT INTO supabase_migrations.schema_migrations (version, statements, name) VALUES ($1, $2, $3)', [
          m.name.slice(0, cut), await splitStatements(m.sql), m.name.slice(cut + 1),
        ]);
      } else {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, now(), 1)`,
          [ledgerUuid(m.name), sha256Hex(m.sql), m.name],
        );
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw new Error(`demo migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return { applied: toApply.map((m) => m.name), pending: all.slice(ledger.applied).map((m) => m.name) };
}

/** Every file a ledger's folder contributes, for the loaded-content fingerprint. */
export function demoMigrationTexts(ledger: DemoLedger): string[] {
  return listDemoMigrations(ledger).map((m) => `${m.name}\n${m.sql}`);
}
