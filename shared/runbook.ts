/**
 * Runbook files (YAML) and their run journals. A runbook is an ordered list of steps; each step
 * can require earlier ones (default: all previous). A run writes an append-only, hash-chained
 * journal: who did what when, and the evidence.
 */
import { z } from 'zod';
import { BackfillSourceSchema } from './backfill.js';
import { CheckIdSchema } from './checks.js';
import { ContractStepSchema } from './contract-steps.js';
import { LintRuleIdSchema } from './migrations.js';
import { ModelSettingsSchema } from './model.js';
import { EnvironmentSchema } from './profile.js';
import { envTemplateProblem, notifyMessageProblem } from './runbook-env.js';

const StepId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'step ids use lower-case letters, digits and "-"');

const StepBase = {
  id: StepId,
  title: z.string().min(1),
  /** Steps that must have passed first; default: every earlier step. */
  requires: z.array(StepId).optional(),
  /** Why the step exists, in the runbook's words. */
  note: z.string().optional(),
  /** How long the step should take, for the window view's elapsed-against-expected (else the last run's time). */
  expectedMinutes: z.number().positive().max(10_000).optional(),
  /** Whose area the step is (a key of the runbook's contacts.areas): a failure names that contact. */
  area: z.string().min(1).optional(),
};

export const ManualStepSchema = z.object({
  ...StepBase,
  kind: z.literal('manual'),
  text: z.string(),
  /** Each line is signed on its own (`--sign STEP:N=NOTE`); the step passes when every line is signed. */
  checklist: z.array(z.string()).default([]),
  /**
   * An approval gate: a named approver signs it, or in CI (GitHub Actions) the CI's own identity and
   * run are recorded. A sign-off is never written into the file.
   */
  approval: z.object({
    /** Who may approve (OS user or git email); empty: anyone but CI needs its environment. */
    approvers: z.array(z.string().min(1)).default([]),
    /** The GitHub environment whose protection rule approved it (GITHUB_ENVIRONMENT must match in CI). */
    environment: z.string().optional(),
    /** In CI, the events that may start it (GITHUB_EVENT_NAME), e.g. [workflow_dispatch]: a push-triggered run is refused. */
    events: z.array(z.string().regex(/^[a-z_]+$/, 'a GitHub event name, e.g. workflow_dispatch')).min(1).optional(),
    /** Environment variables that must be unset (or "0"/"false"), e.g. AUTO_RUN_MIGRATIONS: set, the approval is refused. */
    unsetEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name: letters, digits and _')).optional(),
  }).strict().optional(),
}).strict();

/** An application marker: a table that must exist, and optionally one SELECT (run READ ONLY) that must return true. */
export const ApplicationMarkerSchema = z.object({
  table: z.string().min(1),
  /** One SELECT whose first row's first column must be true, e.g. SELECT count(*) > 0 FROM students. */
  sql: z.string().min(1).optional(),
}).strict();

/** What the target must be: preflight fails, naming expected and found, when a pin does not hold. */
export const TargetPinsSchema = z.object({
  /** The server's system identifier (SELECT system_identifier FROM pg_control_system()). */
  systemIdentifier: z.string().regex(/^[0-9]+$/, 'a system identifier is digits: SELECT system_identifier FROM pg_control_system()').optional(),
  /** The database name. */
  database: z.string().min(1).optional(),
  /** Tables (and queries) only the application's database has. */
  markers: z.array(ApplicationMarkerSchema).default([]),
  /** The runbook starts after this migration: the ledger must have it applied. */
  after: z.string().min(1).optional(),
  /** In a CI run (--ci), the target must be the URL this environment variable (the CI secret) holds. */
  urlFromEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. DATABASE_URL').optional(),
  /** Folders (next to the runbook first, like dir) where no file may hold a connection string with a password. */
  noPasswordsIn: z.array(z.string().min(1)).default([]),
}).strict();
export type TargetPins = z.infer<typeof TargetPinsSchema>;

export const PreflightStepSchema = z.object({
  ...StepBase,
  kind: z.literal('preflight'),
  /** The migration folder to compare with the ledger; without it only the pins are checked (old spelling: folder). */
  dir: z.string().optional(),
  expect: TargetPinsSchema.optional(),
}).strict();

export const BackupStepSchema = z.object({
  ...StepBase,
  kind: z.literal('backup'),
  tables: z.array(z.string()).min(1),
  /**
   * Also pg_dump each table (from the backup's own snapshot) into the run's folder, file 0600, its
   * path and sha256 journaled and checked by `runbook verify`. A pg_dump older than the server fails
   * the step (naming the fix). Off unless asked (the templates ask): the evidence says "no pg_dump".
   */
  dump: z.boolean().default(false),
}).strict();

export const MigrateStepSchema = z.object({
  ...StepBase,
  kind: z.literal('migrate'),
  /** The migration folder (old spelling: folder). */
  dir: z.string(),
  /** Apply up to and including this migration id (default: every pending one). */
  to: z.string().optional(),
  ack: z.union([z.array(LintRuleIdSchema), z.literal('all')]).optional(),
}).strict();

export const BackfillStepSchema = z.object({
  ...StepBase,
  kind: z.literal('backfill'),
  table: z.string(),
  /** The column to fill (old spelling: column). */
  tenantColumn: z.string(),
  source: BackfillSourceSchema,
  /** The CLI's --batch-size, --batch-ms, --duty, --throttle-ms, --lock-timeout-ms, --nice (old spelling of batchSize: batch). */
  batchSize: z.number().int().min(1).default(1000),
  batchMs: z.number().int().min(0).optional(),
  duty: z.number().gt(0).max(1).optional(),
  throttleMs: z.number().int().min(0).default(0),
  lockTimeoutMs: z.number().int().min(1).optional(),
  nice: z.number().int().min(0).max(19).optional(),
}).strict();

/** SQLSTATE condition names a probe may name (or give the five-character code). */
export const SQLSTATE_NAMES: Record<string, string> = {
  not_null_violation: '23502', foreign_key_violation: '23503', unique_violation: '23505', check_violation: '23514',
  exclusion_violation: '23P01', restrict_violation: '23001', insufficient_privilege: '42501', raise_exception: 'P0001',
  read_only_sql_transaction: '25006', undefined_column: '42703', undefined_table: '42P01', invalid_text_representation: '22P02',
};

/** A write probe: a statement that must FAIL, for a named reason, inside a savepoint that is always rolled back. */
export const ProbeSchema = z.object({
  sql: z.string().min(1),
  /** The SQLSTATE it must fail with: a condition name (not_null_violation) or the code (23502). */
  error: z.string().refine((e) => /^[0-9A-Z]{5}$/.test(e) || e in SQLSTATE_NAMES, `name a SQLSTATE: a five-character code or one of ${Object.keys(SQLSTATE_NAMES).join(', ')}`),
  /** The column the error must be about (not_null_violation). */
  column: z.string().optional(),
  /** The constraint the error must be about (unique, check, foreign key violations). */
  constraint: z.string().optional(),
  /** The table the error must be about (row-level security, privileges). */
  table: z.string().optional(),
  /** Why it must fail, in the runbook's words. */
  because: z.string().optional(),
}).strict().refine((p) => p.column !== undefined || p.constraint !== undefined || p.table !== undefined, 'name what the error must be about: column, constraint or table');
export type Probe = z.infer<typeof ProbeSchema>;

/**
 * Members still see their own rows: for each user `users` returns (first column: the user id),
 * `sql` ($1 = that user id) runs once as the runner with row security off (what the user owns)
 * and once as `role` with the user's JWT claims set the way PostgREST sets them (what the user
 * sees through the policies); both must return the same rows. Supabase: role `authenticated`.
 */
export const MemberViewSchema = z.object({
  role: z.string().min(1).default('authenticated'),
  /** One SELECT: the users to impersonate (first column), e.g. members owning rows. At least one. */
  users: z.string().min(1),
  /** One SELECT with $1 = the user id, e.g. per-table counts of the rows the user made. */
  sql: z.string().min(1),
}).strict();
export type MemberView = z.infer<typeof MemberViewSchema>;

/** One query whose plan is checked: EXPLAIN (ANALYZE) in a READ ONLY transaction that is rolled back. */
export const QueryPlanSchema = z.object({
  /** What the query is, in the runbook's words (named in the failure). */
  name: z.string().min(1),
  /** One SELECT; $1 is the value of `param` when the block gives one. */
  sql: z.string().min(1),
  /** Planning plus execution time must stay under this (EXPLAIN ANALYZE's own figures). */
  maxMs: z.number().positive(),
  /** The plan must read through an index whose first column is this (e.g. organization_id). */
  indexOn: z.string().min(1).optional(),
  /** false: sequential scans off, so the plan shows whether an index serves the query where the table is too small for the planner to prefer one. */
  seqscan: z.boolean().default(true),
}).strict();
export type QueryPlan = z.infer<typeof QueryPlanSchema>;

/** Query plans and times (performance criteria): each query explained and timed, optionally as a member. */
export const QueryPlansSchema = z.object({
  /** One SELECT whose first row's first column is $1 of every query (e.g. a member's user id, an organization id). */
  param: z.string().min(1).optional(),
  /** Run the queries as this role with $1's JWT claims set as PostgREST sets them (needs param: the user id). */
  as: z.string().min(1).optional(),
  queries: z.array(QueryPlanSchema).min(1),
}).strict().refine((p) => p.as === undefined || p.param !== undefined, { message: 'as impersonates the user param returns: give param', path: ['as'] });
export type QueryPlans = z.infer<typeof QueryPlansSchema>;

/** The database grew at most this much since the run started (its size, less the console's own schema, is journaled at start). */
export const GrowthSchema = z.object({ maxPercent: z.number().positive() }).strict();

export const CheckExpectationSchema = z.object({
  /** These check ids must have no findings. */
  no: z.array(CheckIdSchema).optional(),
  /** This query (one SELECT, run READ ONLY) must return `rows` rows (default 0). */
  sql: z.string().optional(),
  rows: z.number().int().min(0).optional(),
  /** This statement must fail for the reason named (a write probe, always rolled back). */
  fails: ProbeSchema.optional(),
  /** Members see (through row-level security) exactly the rows they own. */
  member: MemberViewSchema.optional(),
  /** Query times and plans (EXPLAIN ANALYZE, rolled back). */
  plans: QueryPlansSchema.optional(),
  /** The database's size since the run started. */
  growth: GrowthSchema.optional(),
  /** No session waited on a lock the run's backend held during any earlier step of the run (sampled while each step ran). */
  noBlocking: z.literal(true).optional(),
}).strict().refine((e) => e.no !== undefined || e.sql !== undefined || e.fails !== undefined || e.member !== undefined || e.plans !== undefined || e.growth !== undefined || e.noBlocking !== undefined, 'give at least one of no, sql, fails, member, plans, growth or noBlocking');

export const CheckStepSchema = z.object({
  ...StepBase,
  kind: z.literal('check'),
  expect: CheckExpectationSchema,
  /** Also export a signed verification report (with this run's journal) into the run folder. */
  report: z.boolean().default(false),
}).strict();

export const SqlStepSchema = z.object({ ...StepBase, kind: z.literal('sql'), sql: z.string().min(1) }).strict();

export const ContractRunbookStepSchema = z.object({
  ...StepBase,
  kind: z.literal('contract'),
  /** Tables (schema.table), or "all" for every tenant table of the model. */
  tables: z.union([z.array(z.string()).min(1), z.literal('all')]),
  steps: z.array(ContractStepSchema).min(1),
  /** Propose only (a dry run): the plan's statements are the evidence and nothing runs. */
  plan: z.boolean().default(false),
}).strict();

export const RestoreStepSchema = z.object({
  ...StepBase,
  kind: z.literal('restore'),
  /** The id of the backup step whose backup of `table` to restore. */
  backup: StepId,
  table: z.string(),
  scope: z.string().default('table'),
  strategy: z.enum(['replace', 'upsert']).default('replace'),
  /** Values for columns added since the backup, e.g. { org_id: "..." }. */
  set: z.record(z.string(), z.string().nullable()).default({}),
  /**
   * Rehearse in a rolled-back transaction (the default), or restore for real. A rehearsal that would
   * change no row fails: nothing of the table changed since its backup, so it proves nothing.
   */
  dryRun: z.boolean().default(true),
  /** The CLI's --lock-timeout-ms and --statement-timeout-ms (default: the profile's). */
  lockTimeoutMs: z.number().int().min(1).optional(),
  statementTimeoutMs: z.number().int().min(1).optional(),
}).strict();

/**
 * Move a table onto Citus: distributed by its tenant column (co-located with the tenant table), or
 * a reference table (a copy on every node). Its locks and expected duration are shown before it runs.
 */
export const DistributeStepSchema = z.object({
  ...StepBase,
  kind: z.literal('distribute'),
  /** schema.table */
  table: z.string().min(1),
  /** distributed: sharded by `column`; reference: copied to every node (lookup tables, shared by all tenants). */
  as: z.enum(['distributed', 'reference']).default('distributed'),
  /** The distribution column: the tenant column (or the tenant table's key). Required for `distributed`. */
  column: z.string().min(1).optional(),
  /** A distributed table to share shards with (schema.table), or "none" for a new co-location group. */
  colocateWith: z.string().min(1).optional(),
  /** create_distributed_table_concurrently: writes continue during the copy (needs wal_level=logical and a primary key). */
  concurrently: z.boolean().default(false),
  /** Shards for a new co-location group (default: citus.shard_count). */
  shardCount: z.number().int().min(1).max(64000).optional(),
}).strict()
  .refine((s) => s.as === 'reference' || s.column !== undefined, { message: 'a distributed table needs its distribution column: give column (the tenant column)', path: ['column'] })
  .refine((s) => s.as === 'distributed' || (s.column === undefined && s.colocateWith === undefined && !s.concurrently && s.shardCount === undefined), { message: 'a reference table takes no column, colocateWith, concurrently or shardCount', path: ['as'] })
  .refine((s) => !(s.colocateWith !== undefined && s.colocateWith !== 'none' && s.shardCount !== undefined), { message: 'shardCount applies to a new co-location group only: drop it or set colocateWith: none', path: ['shardCount'] });

/** A string that may hold `${VAR}` (substituted from the console's environment when the step runs). */
const EnvText = z.string().superRefine((s, ctx) => {
  const problem = envTemplateProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name: letters, digits and _');
const Regex = z.string().min(1).superRefine((s, ctx) => {
  try {
    new RegExp(s, 'm');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(err as Error).message}` });
  }
});
const HttpStatus = z.number().int().min(100).max(599);
/** One text or several: each must hold. */
const Texts = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

/**
 * A program of the team's (its test suite, a deploy check): argv, never a shell. Runs only with
 * `--allow-commands` on the CLI (never from the UI); the journal keeps argv, cwd, exit code,
 * duration, the last 4 KB of stdout and stderr and their sha256.
 */
export const CommandStepSchema = z.object({
  ...StepBase,
  kind: z.literal('command'),
  /** argv: the program, then each argument as it reaches the program; ${VAR} from the environment. */
  run: z.array(EnvText).min(1).refine((a) => a[0] !== '', 'run[0] is the program: it cannot be empty'),
  /** Where it runs (default: the runbook's directory); relative to the runbook's directory. */
  cwd: EnvText.refine((c) => c !== '', 'a directory').optional(),
  /** Killed (and failed) after this long; default 10 minutes. */
  timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  expectExit: z.number().int().min(0).max(255).default(0),
  /** A regular expression the stdout must match (multi-line: ^ and $ match at each line). */
  expectOutput: Regex.optional(),
}).strict();

/** The deployed application, checked from outside: one request, redirects not followed. */
export const HttpStepSchema = z.object({
  ...StepBase,
  kind: z.literal('http'),
  request: z.object({
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    /** http(s) URL; ${VAR} from the environment (its query string is journaled, its user:password never). */
    url: EnvText.refine((u) => /^(https?:\/\/|\$\{)/i.test(u), 'an http:// or https:// URL (or one starting with ${VAR})'),
    /** Header name -> the environment variable holding its value (values are never journaled). */
    headersFromEnv: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), EnvName).default({}),
    /** A request body (sent as is; give a Content-Type through headersFromEnv when it matters). */
    body: z.string().optional(),
  }).strict(),
  expect: z.object({
    /** Accepted statuses; default [200], or any redirect (301, 302, 303, 307, 308) with redirectTo. */
    status: z.union([HttpStatus, z.array(HttpStatus).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])).optional(),
    bodyContains: Texts.optional(),
    bodyExcludes: Texts.optional(),
    /** The Location the answer must redirect to: a path (/sign-in) or a URL; proves a route guard. */
    redirectTo: z.string().min(1).optional(),
  }).strict()
    .refine((e) => e.redirectTo === undefined || e.status === undefined || e.status.every((st) => st >= 300 && st < 400), {
      message: 'redirectTo proves a redirect: give status only redirect codes (301, 302, 303, 307, 308), or drop status', path: ['status'],
    })
    .default({}),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
}).strict();

/** Tell people: a POST of JSON {text, run, step, runbook} to a webhook whose URL is in the environment. */
export const NotifyStepSchema = z.object({
  ...StepBase,
  kind: z.literal('notify'),
  /** The environment variable holding the webhook URL (a URL with a secret in it never goes in the file). */
  webhookEnv: EnvName,
  /** The text; {database}, {run}, {runbook}, {step}, {profile}, {environment} are filled in. */
  message: z.string().min(1).superRefine((s, ctx) => {
    const problem = notifyMessageProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
}).strict();

/** Proof the same runbook (same title and steps) ran to completion on `environment` first, within `withinDays`. */
export const RehearsalStepSchema = z.object({
  ...StepBase,
  kind: z.literal('rehearsal'),
  /** The environment the rehearsal's run recorded at its start (its profile's environment). */
  environment: EnvironmentSchema.default('staging'),
  withinDays: z.number().positive().max(3650).default(14),
}).strict();

/** A restore in a rollback section: for real unless it says `dryRun: true`. */
export const RollbackRestoreStepSchema = RestoreStepSchema.extend({ dryRun: z.boolean().default(false) }).strict();

/**
 * A step of a runbook's `rollback:` section (`tenancy runbook rollback --run ID --write`): restore
 * from the run's backups, SQL that undoes the contract, checks and sign-offs; journaled like the
 * run's own steps. Ids are distinct from the run's steps.
 */
export const RollbackStepSchema = z.discriminatedUnion('kind', [
  ManualStepSchema, CheckStepSchema, SqlStepSchema, RollbackRestoreStepSchema, CommandStepSchema, HttpStepSchema, NotifyStepSchema, RehearsalStepSchema,
]);
export type RollbackStep = z.infer<typeof RollbackStepSchema>;

export const StepSchema = z.discriminatedUnion('kind', [
  ManualStepSchema, PreflightStepSchema, BackupStepSchema, MigrateStepSchema, BackfillStepSchema,
  CheckStepSchema, SqlStepSchema, ContractRunbookStepSchema, RestoreStepSchema, DistributeStepSchema,
  CommandStepSchema, HttpStepSchema, NotifyStepSchema, RehearsalStepSchema,
]);
export type RunbookStep = z.infer<typeof StepSchema>;
export type StepKind = RunbookStep['kind'];

const HourMinute = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'a UTC time as HH:MM, e.g. "02:00"');
/** Week days as a window names them (UTC). */
export const WEEK_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * A weekly maintenance window in UTC, e.g. `{ days: [sat], fromUtc: "02:00", toUtc: "04:00" }`. A window
 * whose end is not after its start runs past midnight (`days` are the days it opens). Applies to
 * targets whose profile environment is one of `environments` (default: production only; a
 * rehearsal on staging runs any time).
 */
export const MaintenanceWindowSchema = z.object({
  days: z.array(z.enum(WEEK_DAYS)).min(1),
  fromUtc: HourMinute,
  toUtc: HourMinute,
  environments: z.array(z.enum(['development', 'staging', 'production'])).min(1).default(['production']),
}).strict().refine((w) => w.fromUtc !== w.toUtc, { message: 'fromUtc and toUtc are the same time: the window would be empty', path: ['toUtc'] });
export type MaintenanceWindow = z.infer<typeof MaintenanceWindowSchema>;

export const RunbookSchema = z.object({
  version: z.literal(1),
  title: z.string().min(1),
  description: z.string().optional(),
  /** The reference runbook it reproduces, when it is a template. */
  reference: z.string().optional(),
  /** Tenancy settings for the model (the profile's own settings win where given). */
  settings: z.object({
    tenancy: ModelSettingsSchema.default({}),
    rlsRole: z.string().optional(),
    rlsSetting: z.string().optional(),
    /** The maintenance window: a run on a target of `environments` starts (and continues) only inside it. */
    window: MaintenanceWindowSchema.optional(),
  }).strict().default({ tenancy: {} }),
  /** The check ids this runbook promises to leave with no findings. */
  promises: z.array(CheckIdSchema).default([]),
  steps: z.array(StepSchema).min(1),
  /** The way back: run by `tenancy runbook rollback --run ID --write` after (part of) the run. */
  rollback: z.array(RollbackStepSchema).default([]),
  /**
   * Partial rollbacks by name (`tenancy runbook rollback --run ID --section NAME --write`), e.g. rls
   * (disable, fix, re-enable) or indexes (drop, add back off-peak): each runs once per run, journaled
   * in the run's journal; unlike `rollback:` it does not end the run.
   */
  rollbacks: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'section names use lower-case letters, digits and "-"'), z.array(RollbackStepSchema).min(1)).default({}),
  /**
   * Checks due after the run (the post-migration tasks): each named set becomes due `afterDays` after
   * the run completed; `runbook status` lists them with their due time and `tenancy runbook follow-up
   * --run ID --name NAME` runs one when it is due (refused before), journaled in the run's journal.
   */
  followUps: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'follow-up names use lower-case letters, digits and "-"'), z.object({
    afterDays: z.number().positive().max(3650),
    steps: z.array(RollbackStepSchema).min(1),
  }).strict()).default({}),
  /**
   * Who to call: a failed step whose `area` names one of `areas` shows that contact, then the
   * escalation levels (`runbook status`, the window view).
   */
  contacts: z.object({
    /** Area -> who owns it, e.g. database: Backend Architect. */
    areas: z.record(z.string().min(1), z.string().min(1)),
    /** The escalation path, level 1 first. */
    escalation: z.array(z.string().min(1)).default([]),
    /** Emergency contacts by kind, e.g. database: the DBA on call. */
    emergency: z.record(z.string().min(1), z.string().min(1)).default({}),
  }).strict().optional(),
}).strict();
export type Runbook = z.infer<typeof RunbookSchema>;

/** A problem in a runbook file: where, which field, what. */
export const RunbookIssueSchema = z.object({ line: z.number(), column: z.number(), field: z.string(), message: z.string() });
export type RunbookIssue = z.infer<typeof RunbookIssueSchema>;

export const EvidenceSchema = z.object({
  /** What ran: statements, commands, backup tables, migration ids. */
  ran: z.array(z.string()).default([]),
  result: z.string(),
  counts: z.record(z.string(), z.number()).default({}),
  /** sha256 of the check run (or the report digest when a report was exported). */
  digest: z.string().optional(),
  /** Ids of things made (backup ids per table, backfill id, report file). */
  refs: z.record(z.string(), z.string()).default({}),
  /** A check query's first rows (at most 20), e.g. the counts a data assessment recorded. */
  sample: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const JournalEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run-started'), runbook: z.string(), file: z.string(), sha256: z.string(), profile: z.string(), database: z.string(), steps: z.array(z.string()),
    /** The target: the server's system identifier (null when the role cannot read it), the database oid. */
    systemIdentifier: z.string().nullable().optional(),
    databaseOid: z.string().optional(),
    server: z.string().optional(),
    /** The runbook's text as it was at start: status and continue work from the journal alone. */
    content: z.string().optional(),
    /** Bytes of every table the runbook names, at start (partitions summed): scales expected times elsewhere. */
    sizes: z.record(z.string(), z.number()).optional(),
    /** The database's size at start, less the console's own schema (backups): what `growth` compares with. */
    databaseBytes: z.number().optional(),
    /** The profile's environment (production, staging, development): what a rehearsal step looks for. */
    environment: z.string().optional(),
  }),
  z.object({ type: z.literal('run-continued'), sha256: z.string() }),
  /** The rollback section started (or continued): the run's own steps do not run again. */
  /** A follow-up (`followUps:`) started, once it was due. */
  z.object({ type: z.literal('follow-up-started'), name: z.string() }),
  z.object({ type: z.literal('rollback-started'), reason: z.string(), /** A named partial rollback (`rollbacks:`); absent: the whole way back. */ section: z.string().optional() }),
  z.object({ type: z.literal('step-started'), step: z.string() }),
  z.object({ type: z.literal('step-passed'), step: z.string(), evidence: EvidenceSchema, durationMs: z.number().optional() }),
  z.object({ type: z.literal('step-failed'), step: z.string(), evidence: EvidenceSchema, error: z.string(), durationMs: z.number().optional() }),
  /** A manual step (without checklist) or its closing note; `override` when the operator name was overridden. */
  z.object({ type: z.literal('step-signed'), step: z.string(), note: z.string(), checklist: z.array(z.string()), override: z.boolean().optional() }),
  /** One checklist line of a manual step, signed on its own. */
  z.object({ type: z.literal('line-signed'), step: z.string(), line: z.number().int().min(1), text: z.string(), note: z.string(), override: z.boolean().optional() }),
  /** An approval recorded from CI: the CI's own identity and run. */
  z.object({ type: z.literal('ci-approved'), step: z.string(), ci: z.string(), actor: z.string(), runId: z.string(), workflow: z.string(), environment: z.string().nullable(), repository: z.string().nullable(), event: z.string().nullable().optional() }),
  z.object({ type: z.literal('step-blocked'), step: z.string(), reason: z.string() }),
  /** Sessions seen waiting on a lock the run's backend held while the step ran (sampled), or why the step was not watched. */
  z.object({
    type: z.literal('lock-waits'), step: z.string(), unwatched: z.string().nullable(),
    blocked: z.array(z.object({ pid: z.number(), application: z.string().nullable(), user: z.string().nullable(), waitedSeconds: z.number().nullable(), detail: z.string() })),
  }),
  /** A torn last line (a write cut short) was cut off: its length and sha256. */
  z.object({ type: z.literal('journal-repaired'), cutBytes: z.number().int(), cutSha256: z.string(), reason: z.string() }),
]);
export type JournalEvent = z.infer<typeof JournalEventSchema>;

export const JournalLineSchema = z.object({
  v: z.literal(1),
  seq: z.number().int().min(1),
  prev: z.string(),
  time: z.string(),
  operator: z.string(),
  event: JournalEventSchema,
  hash: z.string(),
});
/** One line of journal.jsonl: hash = sha256(canonical line without hash), prev = the previous hash. */
export type JournalLine = z.infer<typeof JournalLineSchema>;

export const StepStateSchema = z.enum(['pending', 'running', 'interrupted', 'passed', 'failed', 'blocked']);
export type StepState = z.infer<typeof StepStateSchema>;

export const StepStatusSchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  state: StepStateSchema,
  operator: z.string().nullable(),
  time: z.string().nullable(),
  evidence: EvidenceSchema.nullable(),
  error: z.string().nullable(),
  /** How long the step took (its last attempt), when journaled. */
  durationMs: z.number().nullable(),
  /** A manual step's checklist: each line, who signed it and when. */
  checklist: z.array(z.object({ text: z.string(), signedBy: z.string().nullable(), time: z.string().nullable(), note: z.string().nullable() })),
  /** Steps required first that have not passed. */
  waitingFor: z.array(z.string()),
  /** A failed or blocked step: who to call (its area's contact, then the escalation path), from the runbook's contacts. */
  escalate: z.string().nullable().optional(),
});
export type StepStatus = z.infer<typeof StepStatusSchema>;

/** A rollback section as the journal tells it. */
export const RollbackStatusSchema = z.object({
  /** When and by whom `runbook rollback` first started, and why; null when never. */
  startedAt: z.string().nullable(),
  startedBy: z.string().nullable(),
  reason: z.string().nullable(),
  steps: z.array(StepStatusSchema),
  next: z.object({ step: z.string(), action: z.string() }).nullable(),
  /** Every rollback step passed. */
  complete: z.boolean(),
});
export type RollbackStatus = z.infer<typeof RollbackStatusSchema>;

export const RunStatusSchema = z.object({
  run: z.string(),
  runbook: z.string(),
  file: z.string(),
  profile: z.string(),
  database: z.string(),
  startedAt: z.string(),
  steps: z.array(StepStatusSchema),
  /** The step to do next and what it needs, or null when every step passed. */
  next: z.object({ step: z.string(), action: z.string() }).nullable(),
  complete: z.boolean(),
  /** The runbook's rollback section and how far it got; null when the runbook has none. */
  rollback: RollbackStatusSchema.nullable().optional(),
  /** Each named partial rollback (`rollbacks:`) and how far it got. */
  partialRollbacks: z.record(z.string(), RollbackStatusSchema).optional(),
  /** Each follow-up (`followUps:`): when it is due (null until the run completes), and how far it got. */
  followUps: z.record(z.string(), RollbackStatusSchema.extend({ afterDays: z.number(), dueAt: z.string().nullable(), due: z.boolean() })).optional(),
});
/** A run as its journal tells it: where it stopped and what comes next. */
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** One step's expected time on a target (`runbook plan`, `runbook status --expected-from`): the reference run's duration scaled by table sizes. */
export const ExpectedStepSchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  tables: z.array(z.string()),
  /** How long it took in the reference run (its last passing attempt), or null when it never passed there. */
  referenceMs: z.number().nullable(),
  referenceBytes: z.number().nullable(),
  targetBytes: z.number().nullable(),
  /** targetBytes / referenceBytes, or null when not scaled. */
  factor: z.number().nullable(),
  expectedMs: z.number().nullable(),
  /** How the expectation was made, in words. */
  basis: z.string(),
});
export type ExpectedStep = z.infer<typeof ExpectedStepSchema>;
