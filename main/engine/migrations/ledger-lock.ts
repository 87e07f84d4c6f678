/**
 * The advisory lock that serialises writers of one migration ledger. Prisma folders use the key
 * Prisma's own migrator takes (pg_advisory_lock(72707369)), so the console and `prisma migrate
 * deploy` also exclude each other; the other kinds use a key derived from the ledger table's name.
 */
import { advisoryKey, type AdvisoryKey } from '../advisory-lock.js';
import type { MigrationSource } from './sources.js';

/** Prisma's migrate advisory lock key (prisma-engines, postgres connector). */
export const PRISMA_ADVISORY_KEY = 72707369n;

/** "schema.table" of the ledger, for messages. */
export function ledgerName(source: MigrationSource): string {
  return `${source.ledger.schema}.${source.ledger.table}`;
}

/** The lock key of `source`'s ledger in the target database. */
export function ledgerLockKey(source: MigrationSource): AdvisoryKey {
  const what = `the migration ledger ${ledgerName(source)}`;
  if (source.kind === 'prisma') return { key: PRISMA_ADVISORY_KEY, what };
  return advisoryKey(`migrate:${source.ledger.schema}.${source.ledger.table}`, what);
}
