/**
 * The CLI's JSON contract: what `tenancy <command> --format json` prints on stdout, one schema per
 * command. A success is `{ok: true, ...}` carrying the IPC response of the same action (an object's
 * fields at the top level; a list under a plural name, e.g. `{ok: true, profiles: [...]}`; a
 * verification, whose own `ok` says whether it held, under `verification`). A failure is
 * `{ok: false, error: {code, message, field}}` whatever the command. docs/cli-json.md is generated
 * from these schemas (test/unit/cli-json-docs.test.ts keeps it current).
 */
import { z } from 'zod';
import { AuditRecordSchema, AuditVerificationSchema } from './audit.js';
import { BackfillResultSchema, BackfillStateSchema } from './backfill.js';
import { BackupSchema, ChecksumSchema, CompareResultSchema, RestoreResultSchema } from './backup.js';
import { ContractPlanSchema, ContractResultSchema } from './contract-steps.js';
import { CheckListingSchema } from './checks.js';
import { EvidencePackWrittenSchema, PackVerificationSchema } from './evidence-pack.js';
import { CheckRunSchema, DistributionSchema, FingerprintSchema } from './findings.js';
import { ApplyEventSchema, ApplyResultSchema, LintReportSchema, MigrationStatusSchema, PreflightSchema } from './migrations.js';
import { ModelSummarySchema, TenancyModelSchema } from './model.js';
import { PlacementSchema } from './placement.js';
import { ProfileSchema } from './profile.js';
import { ReportDiffSchema, ReportSummarySchema, ReportVerificationSchema } from './report.js';
import { ExpectedStepSchema } from './runbook.js';
import { RunViewSchema } from './contract/runbooks.js';

/** Every failure, on stdout with exit 2 (or 130 when cancelled): `field` names the option to fix, or null. */
export const CliFailureSchema = z.object({
  ok: z.literal(false),
  error: z.object({ code: z.string(), message: z.string(), field: z.string().nullable() }).strict(),
}).strict();
export type CliFailure = z.infer<typeof CliFailureSchema>;

const ok = z.literal(true);
/** `{ok: true}` and the fields of an object response. */
const okWith = <T extends z.ZodRawShape>(schema: z.ZodObject<T>) => schema.extend({ ok });
/** `{ok: true, [key]: [...]}`: a list wrapped in an object. */
const okList = <K extends string, T extends z.ZodType, E extends z.ZodRawShape = Record<never, never>>(key: K, item: T, extra?: E) =>
  z.object({ ok, ...({ [key]: z.array(item) } as { [P in K]: z.ZodArray<T> }), ...(extra ?? ({} as E)) });

const JournalVerificationSchema = z.object({
  ok: z.boolean(),
  lines: z.number(),
  brokenAt: z.object({ line: z.number(), reason: z.string() }).nullable(),
  head: z.string(),
  keyId: z.string().nullable(),
  signedSeq: z.number(),
  database: z.object({ seq: z.number(), hash: z.string(), keyId: z.string() }).nullable(),
});

/** A run as the checklist page gets it (runbooks/status): label, template, status, the steps as written, journal verification. */
const RunViewOutput = RunViewSchema.extend({ ok, verification: JournalVerificationSchema });

const TrustedKeyOutput = z.object({ keyId: z.string(), label: z.string(), publicKey: z.string().optional(), addedAt: z.string() });

/** What a written report file holds, after `report export` or `report render`. */
const ReportFileOutput = z.object({
  ok,
  file: z.string(),
  fileFormat: z.enum(['json', 'html', 'pdf']),
  size: z.string(),
  summary: ReportSummarySchema,
  digest: z.string(),
  keyId: z.string(),
});

/** The success schema of every command, by its command path as typed after `tenancy`. */
export const CLI_OUTPUT = {
  'profile add': z.object({ ok, profile: ProfileSchema, note: z.string().nullable() }),
  'profile list': okList('profiles', ProfileSchema),
  'profile show': z.object({ ok, profile: ProfileSchema }),
  'profile remove': z.object({ ok, removed: z.string() }),
  'profile test': z.object({ ok, fingerprint: FingerprintSchema }),
  model: z.object({ ok, model: TenancyModelSchema, summary: ModelSummarySchema, loadedAt: z.string() }),
  check: okWith(CheckRunSchema),
  checks: okList('checks', CheckListingSchema),
  /** Rows per tenant; with --placement (Citus) the placement of each tenant instead. */
  distribution: z.union([okWith(DistributionSchema), okWith(PlacementSchema)]),
  demo: z.object({
    ok, port: z.number(), password: z.string(), dataDir: z.string(), temporary: z.boolean(),
    databases: z.array(z.object({
      scenario: z.string(), profile: z.string(), database: z.string(), url: z.string(), runbook: z.string(), settings: z.record(z.string(), z.unknown()),
    })),
  }),
  'report export': ReportFileOutput,
  'report render': ReportFileOutput,
  'report verify': z.object({ ok, verification: ReportVerificationSchema.extend({ signer: z.string() }) }),
  'report diff': okWith(ReportDiffSchema.extend({ verified: z.object({ a: z.boolean(), b: z.boolean() }) })),
  'report pack': okWith(EvidencePackWrittenSchema),
  'report pack-verify': z.object({ ok, verification: PackVerificationSchema }),
  'report trust add': z.object({ ok, key: TrustedKeyOutput, file: z.string() }),
  'report trust list': okList('keys', TrustedKeyOutput, { own: z.string().nullable() }),
  'report trust remove': z.object({ ok, removed: z.string() }),
  'audit list': okList('entries', AuditRecordSchema.extend({ seq: z.number() }), { dir: z.string(), total: z.number(), truncated: z.boolean() }),
  'audit verify': z.object({ ok, verification: AuditVerificationSchema.extend({ dir: z.string() }) }),
  'audit path': z.object({ ok, dir: z.string() }),
  'backup create': okWith(BackupSchema),
  'backup list': okList('backups', BackupSchema),
  'backup show': z.union([okWith(BackupSchema), z.object({ ok, backup: BackupSchema, actual: ChecksumSchema, intact: z.boolean() })]),
  'backup drop': okWith(BackupSchema),
  'backup compare': okWith(CompareResultSchema),
  restore: okWith(RestoreResultSchema),
  'migrate status': okWith(MigrationStatusSchema),
  'migrate lint': okWith(LintReportSchema.extend({
    files: z.array(z.object({ id: z.string(), name: z.string(), file: z.string().nullable(), sql: z.string().nullable() })),
  })),
  'migrate preflight': okWith(PreflightSchema),
  'migrate apply': okWith(ApplyResultSchema.extend({ events: z.array(ApplyEventSchema) })),
  backfill: z.union([okWith(BackfillResultSchema), okList('backfills', BackfillStateSchema)]),
  contract: z.union([okWith(ContractResultSchema), okWith(ContractPlanSchema)]),
  'runbook run': RunViewOutput,
  'runbook validate': z.object({ ok, file: z.string(), steps: z.number() }),
  'runbook rollback': RunViewOutput,
  'runbook follow-up': RunViewOutput,
  'runbook status': RunViewOutput.extend({ expected: z.array(ExpectedStepSchema).optional() }),
  'runbook plan': z.object({ ok, reference: z.string(), database: z.string(), steps: z.array(ExpectedStepSchema) }),
  'runbook verify': z.object({ ok, verification: JournalVerificationSchema }),
  'runbook export': z.object({ ok, file: z.string(), lines: z.number(), signatures: z.number(), keyId: z.string() }),
  'runbook list': okList('runs', z.object({
    run: z.string(), label: z.string(), runbook: z.string(), database: z.string(), profile: z.string(),
    startedAt: z.string(), passed: z.number(), total: z.number(), complete: z.boolean(), problem: z.string().nullable(),
  })),
  'runbook new': z.object({ ok, file: z.string() }),
} satisfies Record<string, z.ZodType>;

/** A command path with a JSON schema. */
export type CliCommandPath = keyof typeof CLI_OUTPUT;

/** Commands that print no JSON: `serve` stays up printing its URL; `runbook`'s helpers are above. */
export const CLI_TEXT_ONLY = ['serve'] as const;
