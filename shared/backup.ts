/**
 * Backups and restores: the metadata row of a backup table, a comparison of a backup with the
 * live table, and a restore request and its result. Plain JSON, so it crosses IPC unchanged.
 */
import { z } from 'zod';
import { FingerprintSchema } from './findings.js';

export const BackupColumnSchema = z.object({
  name: z.string(),
  /** format_type() of the column, e.g. "character varying(20)". */
  type: z.string(),
  notNull: z.boolean(),
});
export type BackupColumn = z.infer<typeof BackupColumnSchema>;

export const ChecksumSchemeSchema = z.enum(['md5', 'hashtextextended', 'hash_record_extended']);
/**
 * How a row's 64-bit hash is computed (docs/backup-restore.md, "The checksum"): `md5` (the first
 * 64 bits of md5 of the row's text; every backup taken before the scheme was recorded),
 * `hashtextextended` (the server's hash of the row's text) or `hash_record_extended` (the
 * server's hash of the row's values, PostgreSQL 14 and later).
 */
export type ChecksumScheme = z.infer<typeof ChecksumSchemeSchema>;

export const BackupSchema = z.object({
  id: z.number().int(),
  sourceSchema: z.string(),
  sourceTable: z.string(),
  /** The copy's table name inside the console schema (bk_<time>_<hash>). */
  backupTable: z.string(),
  columns: z.array(BackupColumnSchema),
  primaryKey: z.array(z.string()).nullable(),
  createdAt: z.string(),
  rowCount: z.number(),
  /** Order-independent checksum of the rows over `columns` (see docs/backup-restore.md). */
  checksum: z.string(),
  /** The row hash `checksum` (and the per-tenant ones) were recorded with. */
  checksumScheme: ChecksumSchemeSchema,
  /**
   * The tenant column the per-tenant checksums were recorded by, and how many tenants they cover;
   * null when none were (no tenant column found): a one-tenant restore then rehashes the whole copy.
   */
  tenantChecksums: z.object({ column: z.string(), tenants: z.number() }).nullable(),
  sizeBytes: z.number(),
  durationMs: z.number(),
  operator: z.string(),
  runbookRunId: z.string().nullable(),
  dumpPath: z.string().nullable(),
  dumpSha256: z.string().nullable(),
  fingerprint: FingerprintSchema,
  /** False when the backup table was dropped behind the console's back. */
  tableExists: z.boolean(),
});
/** One backup: a copy of a table in the console schema and what it held. */
export type Backup = z.infer<typeof BackupSchema>;

export const ChecksumSchema = z.object({ rows: z.number(), checksum: z.string() });
/** Row count and order-independent checksum of a set of rows. */
export type Checksum = z.infer<typeof ChecksumSchema>;

export const RestoreScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('table') }),
  z.object({ kind: z.literal('tenant'), tenant: z.string().min(1) }),
  /** Each key is the primary key's values as text, in primary-key column order. */
  z.object({ kind: z.literal('keys'), keys: z.array(z.array(z.string())).min(1) }),
]);
/** Which rows a compare or restore covers. */
export type RestoreScope = z.infer<typeof RestoreScopeSchema>;

export const RestoreStrategySchema = z.enum(['replace', 'upsert']);
/** replace: the scope ends exactly as in the backup; upsert: insert missing, update changed, delete nothing. */
export type RestoreStrategy = z.infer<typeof RestoreStrategySchema>;

export const CompareSampleSchema = z.object({
  kind: z.enum(['only-backup', 'only-live', 'changed']),
  /** Primary key values as text, keyed by column. */
  key: z.record(z.string(), z.string().nullable()),
  tenant: z.string().nullable(),
  changedColumns: z.array(z.string()),
});
export type CompareSample = z.infer<typeof CompareSampleSchema>;

export const CompareCountsSchema = z.object({
  onlyBackup: z.number(),
  onlyLive: z.number(),
  changed: z.number(),
  same: z.number(),
});
export type CompareCounts = z.infer<typeof CompareCountsSchema>;

export const CompareResultSchema = z.object({
  backupId: z.number(),
  schema: z.string(),
  table: z.string(),
  scope: RestoreScopeSchema,
  primaryKey: z.array(z.string()),
  /** Columns the live table has and the backup does not (the tenant column, typically). */
  columnsAdded: z.array(z.string()),
  /** Columns the backup has and the live table no longer does. */
  columnsDropped: z.array(z.string()),
  counts: CompareCountsSchema,
  /** For changed rows: how many differ in each column. */
  changedByColumn: z.record(z.string(), z.number()),
  tenantColumn: z.string().nullable(),
  /** Counts per tenant (the live row's tenant; the backup's for rows only in the backup when it has the column). */
  perTenant: z.array(CompareCountsSchema.extend({ tenant: z.string().nullable() })),
  samples: z.array(CompareSampleSchema),
});
/** A backup compared with the live table by primary key. */
export type CompareResult = z.infer<typeof CompareResultSchema>;

export const SetColumnSchema = z.object({ column: z.string().min(1), value: z.string().nullable() });
/** A value for a column added since the backup (e.g. the tenant column set to one org). */
export type SetColumn = z.infer<typeof SetColumnSchema>;

export const RestoreRequestSchema = z.object({
  backupId: z.number().int(),
  scope: RestoreScopeSchema,
  strategy: RestoreStrategySchema,
  setColumns: z.array(SetColumnSchema).default([]),
  /** Needed for a tenant scope when it cannot be found among the usual names. */
  tenantColumn: z.string().optional(),
  dryRun: z.boolean(),
  /** On production: the table name, typed by the operator. */
  confirmTable: z.string().optional(),
  lockTimeoutMs: z.number().int().min(0).optional(),
  statementTimeoutMs: z.number().int().min(0).optional(),
  /** Commit even when the restored scope's checksum differs from the backup's. */
  acceptMismatch: z.boolean().default(false),
});
export type RestoreRequest = z.infer<typeof RestoreRequestSchema>;
export type RestoreRequestInput = z.input<typeof RestoreRequestSchema>;

export const RestoreCountsSchema = z.object({
  deleted: z.number(),
  updated: z.number(),
  inserted: z.number(),
  /** Rows in the scope after the restore. */
  scopeRowsAfter: z.number(),
  /** Rows in the whole table after the restore. */
  tableRowsAfter: z.number(),
  tableRowsBefore: z.number(),
});
export type RestoreCounts = z.infer<typeof RestoreCountsSchema>;

export const CopyCheckSchema = z.object({
  /**
   * How `expected` is tied to the backup as it was taken:
   * - `recorded`: it is the scope's checksum recorded with the backup (a copy changed since then
   *   shows as a mismatch by itself);
   * - `intact`: it was computed from the copy, in a pass that also rehashed the whole copy and
   *   found the total recorded with the backup;
   * - `changed`: that pass found another total: the copy changed since the backup was taken, so
   *   the restore is not verified;
   * - `unchecked`: no recorded total to compare with on these terms (a server that hashes
   *   differently, a column dropped since the backup, a column whose type changed): `expected`
   *   describes the copy as it is now.
   */
  status: z.enum(['recorded', 'intact', 'changed', 'unchecked']),
  /** The whole copy's count and checksum recorded with the backup (intact, changed). */
  recorded: ChecksumSchema.nullable(),
  /** The same recomputed during the restore (intact, changed). */
  now: ChecksumSchema.nullable(),
});
/** Whether a restore's expected checksum is the backup as taken (see `status`). */
export type CopyCheck = z.infer<typeof CopyCheckSchema>;

export const RestoreResultSchema = z.object({
  /** The journal row id; null for a dry run or a rolled-back restore. */
  id: z.number().nullable(),
  backupId: z.number(),
  schema: z.string(),
  table: z.string(),
  scope: RestoreScopeSchema,
  strategy: RestoreStrategySchema,
  dryRun: z.boolean(),
  status: z.enum(['dry-run', 'verified', 'mismatch-committed', 'mismatch-rolled-back']),
  counts: RestoreCountsSchema,
  /** The backup's checksum over the restored columns, restricted to the scope. */
  expected: ChecksumSchema,
  /** The live table's checksum of the same scope after the restore (inside its transaction). */
  actual: ChecksumSchema,
  /** The row hash both checksums use: the backup's own scheme (hashtextextended after a type change). */
  checksumScheme: ChecksumSchemeSchema,
  /** Whether `expected` is the backup as it was taken. */
  copy: CopyCheckSchema,
  /** The scope's checksums match and the copy is not `changed`. */
  verified: z.boolean(),
  /** Columns restored (the backup's columns the live table still has). */
  columns: z.array(z.string()),
  columnsNotRestored: z.array(z.string()),
  /** Sequences advanced past the restored values (on a dry run: would be). */
  sequences: z.array(z.object({ column: z.string(), sequence: z.string(), value: z.string() })),
  /** The statements the restore runs, for the operator to read first. */
  statements: z.array(z.string()),
  startedAt: z.string(),
  durationMs: z.number(),
  operator: z.string(),
});
/** What a restore (or its dry run) did, as shown and journaled. */
export type RestoreResult = z.infer<typeof RestoreResultSchema>;

export const BackupCreateRequestSchema = z.object({
  /** schema.table as the operator types it. */
  table: z.string().min(1),
  runbookRunId: z.string().optional(),
  pgDump: z.object({ path: z.string().optional(), dir: z.string().optional() }).optional(),
});
export type BackupCreateRequest = z.infer<typeof BackupCreateRequestSchema>;
