/**
 * Migrations: sources, ledger status, lint findings, preflight, apply events and the lock watch.
 * Plain JSON so the same values cross IPC, go to `--format json` and into reports.
 */
import { z } from 'zod';
import { FingerprintSchema } from './findings.js';
import { SeveritySchema } from './checks.js';

export const MigrationKindSchema = z.enum(['plain', 'drizzle', 'prisma', 'supabase']);
/** Which tool's folder layout and ledger table a migration folder follows. */
export type MigrationKind = z.infer<typeof MigrationKindSchema>;

export const MigrationStateSchema = z.enum(['applied', 'pending', 'changed', 'missing-file', 'failed']);
/**
 * applied: in the ledger and unchanged; pending: not in the ledger; changed: the file differs from
 * what was applied; missing-file: the ledger (or the Drizzle journal) has it but the folder has no
 * file; failed: the tool recorded a failed attempt (Prisma: finished_at null, not rolled back).
 */
export type MigrationState = z.infer<typeof MigrationStateSchema>;

export const LedgerRefSchema = z.object({ schema: z.string(), table: z.string() });
/** Where a tool keeps its ledger. */
export type LedgerRef = z.infer<typeof LedgerRefSchema>;

export const MigrationEntrySchema = z.object({
  /** The ledger key: file name (plain), journal tag (Drizzle), folder name (Prisma), version (Supabase). */
  id: z.string(),
  name: z.string(),
  /** Path relative to the migration folder, null when the file is missing. */
  file: z.string().nullable(),
  state: MigrationStateSchema,
  /** The checksum of the file now (sha256 hex), null when missing. */
  checksum: z.string().nullable(),
  /** The checksum the ledger recorded, when it records one. */
  appliedChecksum: z.string().nullable(),
  appliedAt: z.string().nullable(),
  /** Why the state is what it is, when there is more to say. */
  note: z.string().nullable(),
});
export type MigrationEntry = z.infer<typeof MigrationEntrySchema>;

export const MigrationStatusSchema = z.object({
  kind: MigrationKindSchema,
  dir: z.string(),
  ledger: LedgerRefSchema,
  ledgerExists: z.boolean(),
  database: FingerprintSchema,
  migrations: z.array(MigrationEntrySchema),
  counts: z.record(MigrationStateSchema, z.number()),
});
/** Every migration of a folder against one database's ledger. */
export type MigrationStatus = z.infer<typeof MigrationStatusSchema>;

export const LINT_RULE_IDS = [
  'parse-error',
  'not-null-without-check',
  'index-not-concurrent',
  'constraint-not-valid-missing',
  'validate-same-transaction',
  'volatile-default',
  'lock-timeout-missing',
  'destructive-statement',
  'rls-without-policy',
  'unique-without-tenant',
  'non-transactional',
  'statement-timeout-missing',
  'column-type-change',
  'required-column-without-default',
  'rewriting-column',
  'rename-breaks-clients',
  'constraint-builds-index',
  'drop-index-not-concurrent',
  'blocking-maintenance',
  'detach-partition-not-concurrent',
  'domain-constraint',
  'drop-then-create-table',
  'transaction-control',
  'concurrently-in-transaction',
  'backfill-in-ddl-transaction',
  'json-column',
] as const;
export const LintRuleIdSchema = z.enum(LINT_RULE_IDS);
/** Stable ids of the migration lint rules (used by --ack). */
export type LintRuleId = z.infer<typeof LintRuleIdSchema>;

export const LintFindingSchema = z.object({
  file: z.string(),
  line: z.number(),
  /** Last line of the statement (same as line for one-line statements). */
  endLine: z.number(),
  rule: LintRuleIdSchema,
  severity: SeveritySchema,
  message: z.string(),
  /** The statement as written (trimmed, at most a few hundred characters). */
  statement: z.string(),
  /** What to write instead; parses with PostgreSQL's parser. Placeholders are quoted identifiers like "<batch condition>". */
  rewrite: z.string().nullable(),
  /** The lock at stake, e.g. "ACCESS EXCLUSIVE on public.items"; null when the statement takes no table lock. */
  lock: z.string().nullable(),
  /** With a connection: the locked table's size and the estimated time the lock is held (null: not estimated). */
  target: z.object({
    table: z.string(),
    rows: z.number(),
    bytes: z.number(),
    estimateSeconds: z.number().nullable(),
    /** How the estimate was made, e.g. "scan 180 MB/s measured on this server x 3 (rewrite)". */
    basis: z.string().nullable(),
  }).optional(),
});
export type LintFinding = z.infer<typeof LintFindingSchema>;

/** One statement of a pending migration before it runs: the lock it takes and, from the live lint, how long. */
export const StatementEstimateSchema = z.object({
  /** The migration's ledger id. */
  id: z.string(),
  file: z.string(),
  line: z.number(),
  endLine: z.number(),
  /** The statement as written (trimmed, at most a few hundred characters). */
  statement: z.string(),
  /** The lock it takes, e.g. "ACCESS EXCLUSIVE on public.items"; null when it takes no table lock. */
  lock: z.string().nullable(),
  /** Rows and bytes of the locked table (null: no table, or one the database does not have yet). */
  rows: z.number().nullable(),
  bytes: z.number().nullable(),
  /** Estimated seconds the lock is held, measured on this server; null when the statement does no table-sized work or none was measured. */
  estimateSeconds: z.number().nullable(),
  /** How the estimate was made. */
  basis: z.string().nullable(),
  /** Lint rules that fired on the statement. */
  rules: z.array(LintRuleIdSchema),
});
export type StatementEstimate = z.infer<typeof StatementEstimateSchema>;

/** "0.04 s", "3.2 s", "1 min 20 s": a lock-time estimate for people (CLI and the Migrations page). */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

/** One line per statement: where, the lock, the table's rows and the estimated lock time. */
export function describeEstimate(e: StatementEstimate): string {
  const size = e.rows !== null ? ` (~${e.rows.toLocaleString('en-US')} rows)` : '';
  const time = e.estimateSeconds !== null ? `, about ${formatSeconds(e.estimateSeconds)}` : '';
  return `${e.file}:${e.line} ${e.lock ?? 'no table lock'}${size}${time}`;
}

export const LintReportSchema = z.object({
  kind: MigrationKindSchema,
  dir: z.string(),
  /** Migrations read (with SQL). */
  migrationsRead: z.number(),
  /** The server_version_num the rules assumed (given, the connection's, or the newest supported). */
  serverVersionNum: z.number(),
  /** Findings per rule, most first (after filters). */
  summary: z.array(z.object({ rule: LintRuleIdSchema, severity: SeveritySchema, count: z.number() })),
  findings: z.array(LintFindingSchema),
});
/** What `migrate lint --format json` prints. */
export type LintReport = z.infer<typeof LintReportSchema>;

export const LintOptionsSchema = z.object({
  /** The tenant column unique keys must include; default: org_id, organization_id or tenant_id. */
  tenantColumns: z.array(z.string()).optional(),
  /** Tables (schema.table, display form) that already have a policy in the database. */
  tablesWithPolicies: z.array(z.string()).optional(),
  /** Server version number; ALTER TYPE ... ADD VALUE cannot run in a transaction before 120000. */
  serverVersionNum: z.number().optional(),
  /** From the database: columns of its tables (schema.table -> name, type name, typmods), as if an earlier migration made them. */
  columns: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string(), mods: z.array(z.number()) }))).optional(),
  /** From the database: "schema.table|column" already NOT NULL or proven by a validated CHECK (col IS NOT NULL). */
  provenNotNull: z.array(z.string()).optional(),
});
export type LintOptions = z.infer<typeof LintOptionsSchema>;

export const PreflightIssueSchema = z.object({
  code: z.enum([
    'file-not-in-journal', 'journal-entry-without-file', 'ledger-unknown', 'changed', 'failed',
    'out-of-order', 'no-write-permission', 'dirty-worktree', 'not-a-git-repo', 'not-transactional',
    'ledger-empty-with-tables', 'no-application-tables', 'not-applied-yet',
  ]),
  severity: SeveritySchema,
  message: z.string(),
  migration: z.string().nullable(),
});
export type PreflightIssue = z.infer<typeof PreflightIssueSchema>;

export const GitInfoSchema = z.object({
  commit: z.string(),
  worktree: z.string(),
  branch: z.string().nullable(),
  dirty: z.boolean(),
});
export type GitInfo = z.infer<typeof GitInfoSchema>;

export const PreflightSchema = z.object({
  database: FingerprintSchema,
  kind: MigrationKindSchema,
  dir: z.string(),
  git: GitInfoSchema.nullable(),
  ledger: LedgerRefSchema,
  pending: z.number(),
  applied: z.number(),
  canWrite: z.boolean(),
  writeDetail: z.string(),
  issues: z.array(PreflightIssueSchema),
});
/** Is this the right database, the right folder, the ledger in step, and may we write? */
export type Preflight = z.infer<typeof PreflightSchema>;

/** What kind of lock (pg_locks.locktype); for a row lock, the transaction waited on and the pid that holds it. */
const LockKindShape = {
  lockType: z.string().optional(),
  transaction: z.string().nullable().optional(),
  heldBy: z.number().nullable().optional(),
};

export const LockHolderSchema = z.object({
  pid: z.number(),
  user: z.string().nullable(),
  application: z.string().nullable(),
  state: z.string().nullable(),
  query: z.string().nullable(),
  /** Seconds since its transaction began. */
  transactionAgeSeconds: z.number().nullable(),
  /** Locks it holds (granted) or waits for, as "mode on relation". */
  locks: z.array(z.object({ relation: z.string().nullable(), mode: z.string(), granted: z.boolean(), ...LockKindShape })),
  /** Seconds it has waited for a lock, when it waits. */
  waitingSeconds: z.number().nullable(),
});
export type LockHolder = z.infer<typeof LockHolderSchema>;

export const LockWatchEventSchema = z.object({
  at: z.string(),
  pid: z.number(),
  /** Sessions the applying session waits for (pg_blocking_pids), with their locks and queries. */
  blockers: z.array(LockHolderSchema),
  /** Sessions queued behind the applying session. */
  waiters: z.array(LockHolderSchema),
  /** What the applying session waits for, if anything. */
  waitingFor: z.array(z.object({ relation: z.string().nullable(), mode: z.string(), ...LockKindShape })),
});
/** One poll of the lock watch while a migration writes. */
export type LockWatchEvent = z.infer<typeof LockWatchEventSchema>;

export const ApplyEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('migration-start'), id: z.string(), transactional: z.boolean(), attempt: z.number() }),
  z.object({ type: z.literal('statement'), id: z.string(), index: z.number(), total: z.number(), line: z.number(), text: z.string() }),
  z.object({ type: z.literal('notice'), id: z.string().nullable(), severity: z.string(), message: z.string() }),
  z.object({ type: z.literal('retry'), id: z.string(), attempt: z.number(), waitMs: z.number(), reason: z.string() }),
  z.object({ type: z.literal('lock'), event: LockWatchEventSchema }),
  z.object({ type: z.literal('migration-done'), id: z.string(), durationMs: z.number() }),
  /** Another process holds the ledger's lock: this apply waits up to timeoutMs for it. */
  z.object({ type: z.literal('ledger-wait'), ledger: z.string(), holders: z.array(z.string()), timeoutMs: z.number() }),
]);
/** What apply reports as it goes. */
export type ApplyEvent = z.infer<typeof ApplyEventSchema>;

export const ApplyResultSchema = z.object({
  database: FingerprintSchema,
  kind: MigrationKindSchema,
  applied: z.array(z.object({ id: z.string(), durationMs: z.number(), attempts: z.number() })),
  failed: z.object({
    id: z.string(),
    statementIndex: z.number().nullable(),
    line: z.number().nullable(),
    statement: z.string().nullable(),
    error: z.string(),
    code: z.string().nullable(),
    /** True when nothing of this migration stayed (it ran in a transaction that was rolled back). */
    rolledBack: z.boolean(),
    /** The last blockers seen while it waited for locks. */
    blockers: z.array(LockHolderSchema),
    /** What of it stayed, in words (statements completed and recorded, an index left behind), and how a rerun continues. */
    kept: z.string().nullable().optional(),
  }).nullable(),
  skipped: z.array(z.string()),
  cancelled: z.boolean(),
});
/** The outcome of one apply run. */
export type ApplyResult = z.infer<typeof ApplyResultSchema>;
