/**
 * The audit log's records as they cross boundaries (reports, the Audit page, `tenancy audit`).
 * Mirrors AuditEntry in main/engine/audit-sink.ts; parameters and SQL are already redacted.
 */
import { z } from 'zod';

export const AuditRecordSchema = z.object({
  time: z.string(),
  profile: z.string(),
  operator: z.string(),
  database: z.string(),
  sql: z.string(),
  params: z.array(z.unknown()),
  durationMs: z.number(),
  rows: z.number().nullable(),
  error: z.string().nullable(),
  run: z.string().optional(),
});
/** One audited statement. */
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

export const AuditFilterSchema = z.object({
  /** Inclusive lower bound, ISO 8601. */
  from: z.string().optional(),
  /** Exclusive upper bound, ISO 8601. */
  to: z.string().optional(),
  profile: z.string().optional(),
  operator: z.string().optional(),
  run: z.string().optional(),
  /** Case-insensitive substring of the SQL, the error or the parameters. */
  text: z.string().optional(),
  /** Only statements that failed. */
  errorsOnly: z.boolean().optional(),
  /** Most recent N after filtering (default: all). */
  limit: z.number().int().positive().optional(),
});
/** Filters for reading the audit log. */
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

export const AuditLineSchema = z.object({
  v: z.literal(1),
  seq: z.number().int().nonnegative(),
  prev: z.string(),
  entry: AuditRecordSchema,
  hash: z.string(),
});
/** One line of an audit log file: the entry, its place in the chain, and its chained hash. */
export type AuditLine = z.infer<typeof AuditLineSchema>;

export const AuditVerificationSchema = z.object({
  ok: z.boolean(),
  files: z.number(),
  entries: z.number(),
  lastHash: z.string().nullable(),
  broken: z
    .object({ file: z.string(), line: z.number(), seq: z.number().nullable(), reason: z.string() })
    .nullable(),
});
/** The result of verifying the hash chain across every audit file. */
export type AuditVerification = z.infer<typeof AuditVerificationSchema>;
