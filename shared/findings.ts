/**
 * Findings and check runs: the output of `tenancy check`, the Overview page and reports.
 */
import { z } from 'zod';
import { CheckIdSchema, SeveritySchema } from './checks.js';
import { ModelSummarySchema } from './model.js';

export const FingerprintSchema = z.object({
  serverVersion: z.string(),
  serverVersionNum: z.number(),
  database: z.string(),
  user: z.string(),
  serverAddress: z.string().nullable(),
  serverPort: z.number().nullable(),
  /** pg_control_system().system_identifier where the role may read it. */
  systemIdentifier: z.string().nullable(),
  superuser: z.boolean(),
  readOnly: z.boolean(),
});
/** Which server, database and role a result came from: stamped on every report. */
export type Fingerprint = z.infer<typeof FingerprintSchema>;

export const SampleRowSchema = z.record(z.string(), z.string().nullable());
export type SampleRow = z.infer<typeof SampleRowSchema>;

export const FindingSchema = z.object({
  check: CheckIdSchema,
  severity: SeveritySchema,
  schema: z.string(),
  table: z.string(),
  constraint: z.string().optional(),
  column: z.string().optional(),
  count: z.number().optional(),
  /** True when `count` comes from statistics, not a scan. */
  estimate: z.boolean().optional(),
  sample: z.array(SampleRowSchema).optional(),
  message: z.string(),
  sql: z.string(),
  remedy: z.string().nullable(),
  /** Declared by the operator as by design (e.g. --global-uniques): shown as "accepted", never an error. */
  accepted: z.string().optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const TableFactsSchema = z.object({
  schema: z.string(),
  table: z.string(),
  rows: z.number(),
  nullTenant: z.number(),
  orphanTenant: z.number(),
  estimate: z.boolean(),
});
/** Per-table row facts from the one scan per table (or from statistics in estimate mode). */
export type TableFacts = z.infer<typeof TableFactsSchema>;

export const SkippedSchema = z.object({
  schema: z.string(),
  table: z.string(),
  constraint: z.string().optional(),
  reason: z.string(),
});
export type Skipped = z.infer<typeof SkippedSchema>;

export const CheckRunSchema = z.object({
  mode: z.enum(['exact', 'estimate']),
  startedAt: z.string(),
  finishedAt: z.string(),
  database: FingerprintSchema,
  model: ModelSummarySchema,
  findings: z.array(FindingSchema),
  tables: z.array(TableFactsSchema),
  skipped: z.array(SkippedSchema),
  cancelled: z.boolean(),
});
export type CheckRun = z.infer<typeof CheckRunSchema>;

export const ProgressEventSchema = z.object({
  phase: z.enum(['model', 'table', 'foreign-key', 'probe', 'done']),
  done: z.number(),
  total: z.number(),
  schema: z.string().optional(),
  table: z.string().optional(),
  constraint: z.string().optional(),
});
/** Progress of a long run, one event per table or FK as it starts. */
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;

export const DistributionRowSchema = z.object({
  schema: z.string(),
  table: z.string(),
  /** The tenant id as text; null for the no-tenant bucket. */
  tenant: z.string().nullable(),
  tenantName: z.string().nullable(),
  /** 'tenant' for a known tenant, 'no-tenant' for NULL, 'missing-tenant' for ids not in the tenant table. */
  bucket: z.enum(['tenant', 'no-tenant', 'missing-tenant']),
  rows: z.number(),
});
export type DistributionRow = z.infer<typeof DistributionRowSchema>;

export const DistributionSchema = z.object({
  database: FingerprintSchema,
  tenantTable: z.string().nullable(),
  tenantColumn: z.string().nullable(),
  tenants: z.array(z.object({ id: z.string(), name: z.string().nullable() })),
  rows: z.array(DistributionRowSchema),
  noTenant: z.array(z.object({ schema: z.string(), table: z.string(), rows: z.number() })),
  missingTenant: z.array(z.object({ schema: z.string(), table: z.string(), tenant: z.string(), rows: z.number() })),
  skipped: z.array(SkippedSchema),
});
export type Distribution = z.infer<typeof DistributionSchema>;
