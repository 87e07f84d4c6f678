/**
 * Runbooks over IPC: the checklist page. Open a template, a runbook file or an existing run; read
 * its status (every step's state, who, when, evidence, gate, next action); run the next or a chosen
 * step (manual steps take the operator's sign-off note); verify the journal's hash chain. Step and
 * backfill progress arrive as events. Handled by main/handlers/runbooks.ts (thin: the engine is
 * main/engine/runbook/). Steps that touch the database need the connection in write mode.
 */
import { z } from 'zod';
import { BackfillProgressSchema } from '../backfill.js';
import { LockWatchEventSchema } from '../migrations.js';
import { RunStatusSchema, StepSchema } from '../runbook.js';
import { Empty, event, request } from './channel.js';
import { ConnectionIdSchema } from './connection.js';

/** A run id: run_YYYYMMDD_HHMMSS_xxxxxx (it names a folder, so nothing else is accepted). */
export const RunbookRunIdSchema = z.string().regex(/^run_[0-9]{8}_[0-9]{6}_[0-9a-f]{6}$/, 'a run id reads run_YYYYMMDD_HHMMSS_xxxxxx');
const StepIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a step id uses lower-case letters, digits and "-"').max(128);
const TemplateIdSchema = z.string().regex(/^[0-9]{3}$/, 'a template id is three digits, e.g. 000');

export const RunbookTemplateSchema = z.object({
  id: z.string(),
  file: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  reference: z.string().nullable(),
  steps: z.number(),
});
export type RunbookTemplateView = z.infer<typeof RunbookTemplateSchema>;

export const JournalVerificationSchema = z.object({
  ok: z.boolean(),
  lines: z.number(),
  brokenAt: z.object({ line: z.number(), reason: z.string() }).nullable(),
  head: z.string(),
});
export type JournalVerificationView = z.infer<typeof JournalVerificationSchema>;

/** The step running now in the host, with the backfill's last progress when it is a backfill. */
export const ActiveStepSchema = z.object({
  step: z.string(),
  startedAt: z.string(),
  paused: z.boolean(),
  backfill: BackfillProgressSchema.nullable(),
});
export type ActiveStepView = z.infer<typeof ActiveStepSchema>;

/** A run as the checklist page shows it. */
export const RunViewSchema = z.object({
  label: z.string(),
  template: z.string().nullable(),
  status: RunStatusSchema,
  /** The runbook's steps as written (same order as status.steps): manual text, checklists, sources. */
  steps: z.array(StepSchema),
  verification: JournalVerificationSchema,
  active: ActiveStepSchema.nullable(),
});
export type RunView = z.infer<typeof RunViewSchema>;

export const RunSummarySchema = z.object({
  run: z.string(),
  label: z.string(),
  runbook: z.string(),
  database: z.string(),
  profile: z.string(),
  startedAt: z.string(),
  passed: z.number(),
  total: z.number(),
  complete: z.boolean(),
  problem: z.string().nullable(),
});
export type RunSummaryView = z.infer<typeof RunSummarySchema>;

const OpenSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('template'), template: TemplateIdSchema }).strict(),
  z.object({ kind: z.literal('file'), path: z.string().trim().min(1, 'give the runbook file\'s path').max(4096) }).strict(),
  z.object({ kind: z.literal('run'), run: RunbookRunIdSchema }).strict(),
]);

/** The DBA's window view of a run: the step running, its lock picture, the last NOTICEs, expected durations. */
export const RunWindowSchema = z.object({
  active: z.object({ step: z.string(), startedAt: z.string(), pid: z.number().nullable() }).nullable(),
  /** Who blocks the running step's session and who queues behind it; null when nothing runs. */
  locks: LockWatchEventSchema.nullable(),
  /** The last NOTICEs of the run's steps, oldest first. */
  notices: z.array(z.object({ at: z.string(), step: z.string(), severity: z.string(), message: z.string() })),
  /** The statements the run's steps sent in this console (full SQL, as each step announced it), oldest first. */
  statements: z.array(z.object({ at: z.string(), step: z.string(), sql: z.string() })),
  /** Expected duration per step id: the runbook's expectedMinutes, or the last run that passed it. */
  expected: z.record(z.string(), z.object({
    durationMs: z.number(),
    source: z.union([z.literal('runbook'), z.object({ run: z.string(), startedAt: z.string() })]),
  })),
  /** When the host read this (elapsed time is measured against it). */
  at: z.string(),
});
export type RunWindowView = z.infer<typeof RunWindowSchema>;

/** What a step would send before it runs: every write's full SQL, for the confirmation. */
export const StepPreviewSchema = z.object({
  step: z.string(),
  writes: z.boolean(),
  statements: z.array(z.object({ label: z.string(), sql: z.string() })),
  notes: z.array(z.string()),
  /** sha256 of the statements; runStep with `confirmed` refuses when the step's SQL is no longer this. */
  digest: z.string(),
});
export type StepPreviewView = z.infer<typeof StepPreviewSchema>;

const StepEventStateSchema = z.enum(['running', 'passed', 'failed', 'signed', 'blocked', 'waiting', 'skipped']);

export const runbooksContract = {
  /** engine: listTemplates() */
  templates: request(Empty, z.array(RunbookTemplateSchema)),
  /** A template or a file starts a new run against the connection's database; a run id reopens it. */
  open: request(z.object({ connectionId: ConnectionIdSchema.optional(), source: OpenSourceSchema }).strict(), RunViewSchema),
  /** engine: summarizeRuns(configDir/runs) */
  list: request(Empty, z.array(RunSummarySchema)),
  /** engine: readRun(run) */
  status: request(z.object({ run: RunbookRunIdSchema }).strict(), RunViewSchema),
  /**
   * Run `step` (default: the next one), or with `untilStop` every step until one does not pass.
   * A manual step passes with `note` (no checklist) or when each checklist line is signed (`lines`). Returns the run afterwards.
   */
  runStep: request(
    z.object({
      connectionId: ConnectionIdSchema,
      run: RunbookRunIdSchema,
      step: StepIdSchema.optional(),
      untilStop: z.boolean().optional(),
      note: z.string().trim().min(1, 'write what you checked').max(2000).optional(),
      /** The preview's digest the operator confirmed: refused when the step's SQL changed since. */
      confirmed: z.string().regex(/^[0-9a-f]{64}$/, 'confirmed is the preview\'s sha256 digest').optional(),
      /** A manual step's checklist lines signed now, each on its own (1-based). */
      lines: z.array(z.object({ line: z.number().int().min(1), note: z.string().trim().min(1, 'write what you checked').max(2000) }).strict()).max(100).optional(),
    }).strict(),
    RunViewSchema,
  ),
  /** engine: previewStep(): the statements `step` would send now (read only, nothing runs). */
  preview: request(z.object({ connectionId: ConnectionIdSchema, run: RunbookRunIdSchema, step: StepIdSchema }).strict(), StepPreviewSchema),
  /** Stop the step running now (its statement is cancelled; the journal records it failed: cancelled). */
  cancel: request(z.object({ run: RunbookRunIdSchema }).strict(), z.object({ cancelled: z.boolean() })),
  /** engine: verifyJournalFile(run's journal): the hash chain, line by line. */
  verify: request(z.object({ run: RunbookRunIdSchema }).strict(), JournalVerificationSchema),
  /** The window view: what runs now, its locks, its NOTICEs, how long steps should take. */
  window: request(z.object({ run: RunbookRunIdSchema, connectionId: ConnectionIdSchema.optional() }).strict(), RunWindowSchema),
  onStep: event(z.object({ run: z.string(), step: z.string(), state: StepEventStateSchema, detail: z.string().nullable() })),
  onBackfill: event(z.object({ run: z.string(), step: z.string(), paused: z.boolean(), progress: BackfillProgressSchema })),
};
