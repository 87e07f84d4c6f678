/**
 * The evidence pack as the CLI reports it: what `report pack` wrote (the file, each part's sha256
 * as the signed manifest lists it, the run, the audit excerpt's size and selection, the signing
 * key) and what `report pack-verify` found. The pack file itself is main/engine/report/pack.ts.
 */
import { z } from 'zod';

/** What `tenancy report pack` wrote. */
export const EvidencePackWrittenSchema = z.object({
  file: z.string(),
  /** The report file's name as the pack records it. */
  reportName: z.string(),
  createdAt: z.string(),
  /** Each part's sha256, by name (report, audit, and journal when the report names a run), as the signed manifest lists them. */
  parts: z.record(z.string(), z.string()),
  /** The report's runbook run whose journal the pack holds, or null for a report exported on its own. */
  run: z.string().nullable(),
  /** Audited statements in the audit part, and how they were selected. */
  auditRecords: z.number(),
  selection: z.string(),
  keyId: z.string(),
});
export type EvidencePackWritten = z.infer<typeof EvidencePackWrittenSchema>;

/** What verifying an evidence pack found: `ok` only when every part, the manifest, the report's seal and the journal's heads verify. */
export const PackVerificationSchema = z.object({
  ok: z.boolean(),
  /** The key ids that signed the parts. */
  keyIds: z.array(z.string()),
  /** One line per failure, naming the part. */
  problems: z.array(z.string()),
});
export type PackVerification = z.infer<typeof PackVerificationSchema>;
