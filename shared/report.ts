/**
 * Verification reports: the versioned JSON an auditor files and can later prove unchanged.
 *
 * The file is the canonical JSON (RFC 8785) of a Report. `integrity.digest` is the sha256 of the
 * canonical body (the report without `integrity`); `integrity.sections` holds the sha256 of every
 * section down to the elements of second-level arrays, so a failed verification names what
 * changed; `integrity.signature` is an Ed25519 signature over the canonical integrity block
 * (digest, section map and public key), made with the installation's key.
 */
import { z } from 'zod';
import { AuditRecordSchema } from './audit.js';
import { CheckIdSchema, SeveritySchema } from './checks.js';
import { CheckRunSchema, DistributionSchema, FingerprintSchema } from './findings.js';
import { ModelSettingsSchema, ModelSummarySchema, TenancyModelSchema } from './model.js';
import { EnvironmentSchema } from './profile.js';

export const REPORT_KIND = 'tenancy-console/verification-report';

export const VerdictSchema = z.enum(['pass', 'pass-with-warnings', 'fail', 'incomplete']);
/** pass: no findings; pass-with-warnings: no error findings; fail: error findings; incomplete: cancelled. */
export type Verdict = z.infer<typeof VerdictSchema>;

export const ReportSummarySchema = z.object({
  verdict: VerdictSchema,
  findings: z.number(),
  bySeverity: z.object({ error: z.number(), warning: z.number(), info: z.number() }),
  byCheck: z.array(z.object({ check: CheckIdSchema, severity: SeveritySchema, findings: z.number(), rows: z.number() })),
  tablesScanned: z.number(),
  skipped: z.number(),
});
export type ReportSummary = z.infer<typeof ReportSummarySchema>;

export const ReportProfileSchema = z.object({
  name: z.string(),
  environment: EnvironmentSchema,
  tenancy: ModelSettingsSchema,
  rlsRole: z.string().nullable(),
  rlsSetting: z.string().nullable(),
});
/** The profile's name, environment and tenancy settings: never connection secrets. */
export type ReportProfile = z.infer<typeof ReportProfileSchema>;

export const ReportRunbookSchema = z.object({
  run: z.string(),
  /** The run's journal as the runbook module writes it (opaque here). */
  journal: z.unknown().optional(),
  /** The journal's signed heads (signatures.jsonl), as the runbook module writes them (opaque here). */
  signatures: z.unknown().optional(),
  /** Every audited statement of the run. */
  audit: z.array(AuditRecordSchema),
});
export type ReportRunbook = z.infer<typeof ReportRunbookSchema>;

export const ReportBodySchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal(REPORT_KIND),
  id: z.string(),
  createdAt: z.string(),
  consoleVersion: z.string(),
  operator: z.string(),
  database: FingerprintSchema,
  profile: ReportProfileSchema,
  summary: ReportSummarySchema,
  model: z.object({ summary: ModelSummarySchema, detail: TenancyModelSchema }),
  checks: CheckRunSchema,
  distribution: DistributionSchema.nullable(),
  /** Migration ledger state, when the migrations module provides one (opaque here). */
  migrations: z.unknown().optional(),
  runbook: ReportRunbookSchema.optional(),
});
/** Everything a verification run knows; the part the digest covers. */
export type ReportBody = z.infer<typeof ReportBodySchema>;

export const ReportSignatureSchema = z.object({
  algorithm: z.literal('Ed25519'),
  /** SPKI DER of the public key, base64. */
  publicKey: z.string(),
  /** First 16 hex digits of sha256(SPKI DER): what an issuer publishes and an auditor compares. */
  keyId: z.string(),
  /** base64 signature over canonicalize(integrity without signature.value). */
  value: z.string(),
});
export type ReportSignature = z.infer<typeof ReportSignatureSchema>;

export const ReportIntegritySchema = z.object({
  algorithm: z.literal('sha256'),
  canonicalization: z.literal('RFC8785'),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  /** Section path (e.g. "checks.findings[3]") -> sha256 of its canonical form. */
  sections: z.record(z.string(), z.string()),
  signature: ReportSignatureSchema,
});
export type ReportIntegrity = z.infer<typeof ReportIntegritySchema>;

export const ReportSchema = ReportBodySchema.extend({ integrity: ReportIntegritySchema });
/** A signed report as written to disk. */
export type Report = z.infer<typeof ReportSchema>;

export const ReportVerificationSchema = z.object({
  ok: z.boolean(),
  file: z.string(),
  digest: z.string().nullable(),
  keyId: z.string().nullable(),
  /** Whether the signing key is this installation's own key. */
  trustedKey: z.boolean(),
  problems: z.array(z.object({ where: z.string(), what: z.string() })),
});
/** What `report verify` found: ok, or where the report no longer matches what was signed. */
export type ReportVerification = z.infer<typeof ReportVerificationSchema>;

export const ReportDiffSchema = z.object({
  a: z.object({ id: z.string(), createdAt: z.string(), digest: z.string(), verdict: VerdictSchema }),
  b: z.object({ id: z.string(), createdAt: z.string(), digest: z.string(), verdict: VerdictSchema }),
  sameDatabase: z.boolean(),
  /** Each report's check mode; an estimate cannot see what only a scan finds. */
  modes: z.object({ a: z.enum(['exact', 'estimate']), b: z.enum(['exact', 'estimate']) }),
  sameMode: z.boolean(),
  /** Row-count findings on one side only (or with different counts) when the modes differ: neither resolved nor new. */
  notComparable: z.array(z.object({ key: z.string(), check: CheckIdSchema, severity: SeveritySchema, before: z.number().nullable(), after: z.number().nullable() })),
  /** False when either report has no distribution (estimate reports): no bucket was compared. */
  distributionCompared: z.boolean(),
  resolved: z.array(z.object({ key: z.string(), check: CheckIdSchema, severity: SeveritySchema, message: z.string(), count: z.number().nullable() })),
  added: z.array(z.object({ key: z.string(), check: CheckIdSchema, severity: SeveritySchema, message: z.string(), count: z.number().nullable() })),
  changed: z.array(z.object({ key: z.string(), check: CheckIdSchema, severity: SeveritySchema, before: z.number().nullable(), after: z.number().nullable() })),
  unchanged: z.number(),
  distribution: z.array(z.object({
    schema: z.string(), table: z.string(), bucket: z.string(), tenant: z.string().nullable(), tenantName: z.string().nullable(),
    before: z.number(), after: z.number(),
  })),
});
/** Findings resolved, new and changed between two reports, and per-bucket distribution changes. */
export type ReportDiff = z.infer<typeof ReportDiffSchema>;
