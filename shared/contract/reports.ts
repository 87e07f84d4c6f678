/**
 * Reports: export a signed report of the connection's database into the reports folder of the
 * config directory (JSON, and the HTML rendering beside it), list the saved ones, read one back
 * for download or printing, verify one (digest, signature, the section that changed) and diff two.
 */
import { z } from 'zod';
import { ReportDiffSchema, ReportVerificationSchema, VerdictSchema } from '../report.js';
import { FingerprintSchema } from '../findings.js';
import { request } from './channel.js';
import { RunIdSchema } from './checks.js';
import { ConnectionIdSchema } from './connection.js';

/** A saved report's file name (in the reports folder): letters, digits, ".", "_" and "-", ending .json. */
export const ReportNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.json$/, 'a report file name ends in .json and uses letters, digits, ".", "_" and "-"');

export const SavedReportSchema = z.object({
  name: z.string(),
  /** The HTML rendering beside it, when there is one. */
  htmlName: z.string().nullable(),
  size: z.number(),
  createdAt: z.string().nullable(),
  profile: z.string().nullable(),
  environment: z.string().nullable(),
  database: z.string().nullable(),
  verdict: VerdictSchema.nullable(),
  /** exact or estimate: the list says which, so two reports of different modes are not compared blindly. */
  mode: z.enum(['exact', 'estimate']).nullable(),
  findings: z.number().nullable(),
  digest: z.string().nullable(),
  keyId: z.string().nullable(),
  /** The database the report is of (fingerprint: system identifier or address, and database name): history groups by it. */
  databaseKey: z.string().nullable(),
  /** What the report checked, in words (schemas, tenant table and column, global tables, probe role). */
  scope: z.string().nullable(),
  bySeverity: z.object({ error: z.number(), warning: z.number(), info: z.number() }).nullable(),
  /** Set when the file could not be read as a report. */
  problem: z.string().nullable(),
});
export type SavedReport = z.infer<typeof SavedReportSchema>;

export const reportsContract = {
  export: request(
    z.object({ connectionId: ConnectionIdSchema, runId: RunIdSchema, mode: z.enum(['exact', 'estimate']) }).strict(),
    z.object({ report: SavedReportSchema, database: FingerprintSchema }),
  ),
  list: request(z.object({}).strict(), z.object({ dir: z.string(), keyId: z.string().nullable(), reports: z.array(SavedReportSchema) })),
  read: request(
    z.object({ name: ReportNameSchema, format: z.enum(['json', 'html']) }).strict(),
    z.object({ fileName: z.string(), mime: z.string(), text: z.string() }),
  ),
  verify: request(z.object({ name: ReportNameSchema }).strict(), ReportVerificationSchema),
  /** The evidence pack of a saved report: the report, its run journal and audit excerpt, each signed, as one file. */
  pack: request(z.object({ name: ReportNameSchema }).strict(), z.object({ fileName: z.string(), mime: z.string(), text: z.string() })),
  diff: request(
    z.object({ a: ReportNameSchema, b: ReportNameSchema }).strict(),
    ReportDiffSchema.extend({ verified: z.object({ a: z.boolean(), b: z.boolean() }) }),
  ),
};
