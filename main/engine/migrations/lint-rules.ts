/**
 * The migration lint rules: one registry of what each rule is about (severity, why, the lock at
 * stake, the safe sequence), read by the engine, the CLI's SARIF output and docs/migrations.md, and
 * the list of checks over statements. Each check lives in a lint-rules-*.ts module by topic.
 */
import type { Severity } from '../../../shared/checks.js';
import type { LintRuleId } from '../../../shared/migrations.js';
import type { RuleCheck } from './lint-facts.js';
import { alterTableRules } from './lint-rules-alter.js';
import { dropIndexRules, indexRules, maintenanceRules } from './lint-rules-index.js';
import { backfillRules, destructiveRules, domainRules, dropThenCreateRules, renameRules } from './lint-rules-misc.js';
import { createTableRules, uniqueConstraintRules, uniqueIndexRules } from './lint-rules-tenant.js';
import { concurrentlyInTransactionRules, nonTransactionalRules, transactionControlRules } from './lint-rules-tx.js';

/** What a rule is about. */
export interface LintRuleInfo {
  severity: Severity;
  /** Why it matters, in one sentence. */
  why: string;
  /** The safe way, in one sentence. */
  safe: string;
}

/** Every rule: default severity, why and the safe sequence. */
export const LINT_RULES: Record<LintRuleId, LintRuleInfo> = {
  'parse-error': { severity: 'error', why: "PostgreSQL's parser rejects the file, so nothing in it can be checked or run.", safe: 'Fix the SQL at the line named.' },
  'not-null-without-check': { severity: 'error', why: 'SET NOT NULL scans the whole table under ACCESS EXCLUSIVE.', safe: 'ADD CHECK (col IS NOT NULL) NOT VALID; next migration VALIDATE (SHARE UPDATE EXCLUSIVE); SET NOT NULL (no scan on PostgreSQL 12+); DROP the check.' },
  'index-not-concurrent': { severity: 'error', why: 'CREATE INDEX takes SHARE: every write waits until the index is built.', safe: 'CREATE INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE) in a migration of its own.' },
  'constraint-not-valid-missing': { severity: 'error', why: 'Adding a FOREIGN KEY (SHARE ROW EXCLUSIVE on both tables) or CHECK (ACCESS EXCLUSIVE), also inline in ADD COLUMN, checks every row while writes wait.', safe: 'ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in the next migration.' },
  'validate-same-transaction': { severity: 'error', why: "VALIDATE in the same transaction as ADD ... NOT VALID keeps the ADD's lock through the validation scan.", safe: 'VALIDATE in a later migration (its own transaction).' },
  'volatile-default': { severity: 'error', why: 'ADD COLUMN with a volatile default (or any function not known to be IMMUTABLE/STABLE, or any default before PostgreSQL 11) rewrites the table under ACCESS EXCLUSIVE.', safe: 'ADD COLUMN without default; SET DEFAULT for new rows; backfill in batches.' },
  'lock-timeout-missing': { severity: 'warning', why: 'A lock request queued behind a long transaction blocks every later query on the table; reported once per file, listing the statements.', safe: "SET lock_timeout = '3s' first; retry on timeout (the console's apply does)." },
  'statement-timeout-missing': { severity: 'info', why: 'With no statement_timeout in the file, the session default applies: a long build may be cut off, or run unbounded.', safe: 'SET statement_timeout to what the longest statement needs.' },
  'destructive-statement': { severity: 'error', why: 'DROP TABLE / COLUMN / SCHEMA / DATABASE, TRUNCATE and DELETE without WHERE delete data for good and break code still using it.', safe: 'Back up, stop using it in the app, rename now and drop in a later release; acknowledge with --ack.' },
  'rls-without-policy': { severity: 'error', why: 'Row level security with no policy hides every row from non-owner roles.', safe: 'CREATE POLICY before ENABLE ROW LEVEL SECURITY.' },
  'unique-without-tenant': { severity: 'error', why: 'A unique key without the tenant column stops two tenants from having the same value.', safe: 'Put the tenant column first in the key (CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX).' },
  'non-transactional': { severity: 'error', why: 'A statement that cannot run in a transaction (CONCURRENTLY, VACUUM, ...) makes the whole file run statement by statement: a failure part-way leaves earlier statements applied.', safe: 'One non-transactional statement per migration (SET statements beside it are fine).' },
  'column-type-change': { severity: 'error', why: 'ALTER COLUMN TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless the change is binary-coercible.', safe: 'Add a new column, keep it in step with a trigger, backfill, switch reads, drop the old one later.' },
  'required-column-without-default': { severity: 'error', why: 'ADD COLUMN ... NOT NULL without DEFAULT fails on any table with rows.', safe: 'Give it a constant DEFAULT (PostgreSQL 11+, no rewrite), or add it nullable, backfill, then NOT NULL the safe way.' },
  'rewriting-column': { severity: 'error', why: 'Adding a serial, identity or stored generated column fills every row: a table rewrite under ACCESS EXCLUSIVE.', safe: 'Add a plain column, default for new rows, backfill in batches; on PostgreSQL 18 a VIRTUAL generated column needs no rewrite.' },
  'rename-breaks-clients': { severity: 'warning', why: 'Renaming a table, column, view or schema breaks running code that uses the old name.', safe: 'Expand and contract: table rename plus a view with the old name; a new column written by both versions.' },
  'constraint-builds-index': { severity: 'error', why: 'ADD PRIMARY KEY / UNIQUE / EXCLUDE builds an index under ACCESS EXCLUSIVE.', safe: 'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX.' },
  'drop-index-not-concurrent': { severity: 'error', why: "DROP INDEX takes ACCESS EXCLUSIVE on the index's table.", safe: 'DROP INDEX CONCURRENTLY, one per migration.' },
  'blocking-maintenance': { severity: 'error', why: 'REINDEX (SHARE), CLUSTER and VACUUM FULL (ACCESS EXCLUSIVE), REFRESH MATERIALIZED VIEW (ACCESS EXCLUSIVE) block the table.', safe: 'REINDEX CONCURRENTLY (12+), pg_repack for CLUSTER / VACUUM FULL, REFRESH ... CONCURRENTLY.' },
  'detach-partition-not-concurrent': { severity: 'error', why: 'DETACH PARTITION takes ACCESS EXCLUSIVE on the partitioned table.', safe: 'DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+) in a migration of its own.' },
  'domain-constraint': { severity: 'error', why: 'A domain CHECK is validated against every column of that type, locking every such table.', safe: 'ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID, then VALIDATE; prefer table CHECKs to domain CHECKs.' },
  'drop-then-create-table': { severity: 'error', why: 'DROP TABLE then CREATE TABLE of the same name loses its rows, grants and policies, and fails queries running meanwhile.', safe: 'ALTER TABLE in place, or build the new table under another name and swap names.' },
  'transaction-control': { severity: 'error', why: 'BEGIN inside BEGIN is ignored (the first COMMIT ends both); a BEGIN never committed holds its locks after the migration.', safe: 'One BEGIN..COMMIT per block, every BEGIN committed.' },
  'concurrently-in-transaction': { severity: 'error', why: 'CONCURRENTLY and other non-transactional statements fail inside BEGIN..COMMIT.', safe: 'Move them out of the block, into a migration of their own.' },
  'backfill-in-ddl-transaction': { severity: 'error', why: "A full-table UPDATE/DELETE committed together with DDL holds the DDL's lock until every row is written.", safe: 'Backfill in its own migration, in batches (tenancy backfill).' },
  'json-column': { severity: 'warning', why: 'json has no equality operator: DISTINCT, UNION and GROUP BY over it fail.', safe: 'Use jsonb.' },
};

/** Default severity per rule. */
export const SEVERITY_OF: Record<LintRuleId, Severity> = Object.fromEntries(Object.entries(LINT_RULES).map(([k, v]) => [k, v.severity])) as Record<LintRuleId, Severity>;

/** Every per-statement check, in report order (file-level timeouts are in lint.ts). */
export const RULE_CHECKS: RuleCheck[] = [
  (s, ctx) => (s.type === 'AlterTableStmt' ? alterTableRules(s, ctx) : []),
  (s, ctx) => (s.type === 'AlterTableStmt' ? uniqueConstraintRules(s, ctx) : []),
  (s, ctx) => (s.type === 'IndexStmt' ? [...indexRules(s, ctx), ...uniqueIndexRules(s, ctx)] : []),
  (s, ctx) => (s.type === 'DropStmt' ? dropIndexRules(s, ctx) : []),
  (s, ctx) => (s.type === 'CreateStmt' ? createTableRules(s, ctx) : []),
  (s, ctx) => (s.type === 'RenameStmt' ? renameRules(s, ctx) : []),
  maintenanceRules,
  destructiveRules,
  dropThenCreateRules,
  (s) => domainRules(s),
  backfillRules,
  transactionControlRules,
  concurrentlyInTransactionRules,
  nonTransactionalRules,
];
