/**
 * Pure view logic of the runbook checklist: each step's row state, what holds it, the run's
 * progress line ("Runbook 000: step 4 of 9"), what a step does in one line, and backfill numbers.
 */
import type { BackfillProgress } from './backfill.js';
import type { RunView } from './contract/runbooks.js';
import { distributeSummary } from './distribute-step.js';
import type { RunbookStep, StepStatus } from './runbook.js';
import { shellLine } from './runbook-env.js';

/** What a checklist row shows. */
export type RowState = 'passed' | 'failed' | 'running' | 'interrupted' | 'blocked' | 'sign-off' | 'cli' | 'pending';

/** The words for each row state. */
export const ROW_LABEL: Record<RowState, string> = {
  passed: 'passed',
  failed: 'failed',
  running: 'running',
  interrupted: 'interrupted',
  blocked: 'blocked by gate',
  'sign-off': 'waiting for sign-off',
  cli: 'run from the CLI',
  pending: 'pending',
};

/** A row's state: running wins, then the journal's verdict, then the gate, then sign-off for manual steps (and the CLI for commands). */
export function rowState(st: StepStatus, def: RunbookStep, runningStep: string | null): RowState {
  if (runningStep === st.id) return 'running';
  if (st.state === 'passed') return 'passed';
  if (st.waitingFor.length > 0) return 'blocked';
  // Held for --allow-commands, or not reached: a command runs from the CLI only.
  if (def.kind === 'command' && (st.state === 'blocked' || st.state === 'pending')) return 'cli';
  if (st.state === 'blocked') return 'blocked';
  if (st.state === 'failed') return 'failed';
  if (st.state === 'interrupted') return 'interrupted';
  if (def.kind === 'manual') return 'sign-off';
  return 'pending';
}

/** "needs backup" / "needs preflight, backup and deploy" / "needs a, b, c and 4 more". */
export function gateText(waitingFor: readonly string[]): string | null {
  if (waitingFor.length === 0) return null;
  if (waitingFor.length === 1) return `needs ${waitingFor[0]} to pass first`;
  if (waitingFor.length <= 3) return `needs ${waitingFor.slice(0, -1).join(', ')} and ${waitingFor.at(-1)} to pass first`;
  return `needs ${waitingFor.slice(0, 3).join(', ')} and ${waitingFor.length - 3} more to pass first`;
}

/** Where the run stands: the next step's position (1-based) of the total, or complete. */
export function runProgress(view: Pick<RunView, 'label' | 'status'>): { step: number; total: number; complete: boolean; text: string } {
  const steps = view.status.steps;
  const total = steps.length;
  const next = steps.findIndex((s) => s.state !== 'passed');
  if (next < 0) return { step: total, total, complete: true, text: `${view.label}: complete, ${total} of ${total}` };
  return { step: next + 1, total, complete: false, text: `${view.label}: step ${next + 1} of ${total}` };
}

/** Seconds as "42 s", "3 min 10 s", "1 h 5 min"; a dash when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
}

/** The filled fraction of a backfill (0..1): rows done of rows done plus rows left. */
export function backfillFraction(p: Pick<BackfillProgress, 'done' | 'remaining' | 'phase'>): number {
  if (p.phase === 'done') return 1;
  const whole = p.done + p.remaining;
  return whole > 0 ? Math.min(1, p.done / whole) : 0;
}

function sourceText(def: Extract<RunbookStep, { kind: 'backfill' }>): string {
  const s = def.source;
  if (s.kind === 'constant') return `the constant ${s.value}`;
  if (s.kind === 'map') return `the mapping ${s.table}.${s.fromColumn} -> ${s.toColumn}${s.default != null ? ` (default ${s.default})` : ''}`;
  return `the parent row through ${s.foreignKey}${s.default != null ? ` (default ${s.default})` : ''}`;
}

/** What a step does, in one line. */
export function stepSummary(def: RunbookStep): string {
  switch (def.kind) {
    case 'manual': return def.approval ? `approval by ${def.approval.approvers.join(' or ') || 'an approver'}, or CI's identity${def.approval.environment ? ` in environment ${def.approval.environment}` : ''}: ${def.text}` : def.text;
    case 'preflight': return `preflight of ${def.dir}: right database, files and ledger`;
    case 'backup': return `back up ${def.tables.join(', ')}${def.dump ? ' (backup tables and a pg_dump of each)' : ''}`;
    case 'migrate': return `apply ${def.to ? `up to ${def.to}` : 'every pending migration'} from ${def.dir}`;
    case 'backfill': return `fill ${def.table}.${def.tenantColumn} from ${sourceText(def)}, batches from ${def.batchSize.toLocaleString('en-US')} rows, sized to the target duration`;
    case 'check': {
      const e = def.expect;
      const parts = [
        e.no ? `no ${e.no.join(', ')}` : null,
        e.sql !== undefined ? `a query returns ${e.rows ?? 0} row(s)` : null,
        e.fails !== undefined ? `a write probe fails with ${e.fails.error} on ${[e.fails.column && `column ${e.fails.column}`, e.fails.constraint && `constraint ${e.fails.constraint}`, e.fails.table && `table ${e.fails.table}`].filter(Boolean).join(', ')}` : null,
        e.member !== undefined ? `members see their own rows as ${e.member.role}` : null,
        def.report ? 'signed report filed' : null,
      ].filter(Boolean);
      return `expects ${parts.join('; ')}`;
    }
    case 'sql': return def.sql.trim();
    case 'contract': return `${def.plan ? 'propose (dry run, nothing runs) ' : ''}${def.steps.join(', ')} on ${def.tables === 'all' ? 'every tenant table' : def.tables.join(', ')}`;
    case 'distribute': return distributeSummary(def);
    case 'restore': return `${def.dryRun ? 'rehearse restoring' : 'restore'} ${def.table} (${def.scope}, ${def.strategy}) from step ${def.backup}`;
    case 'command': return `runs ${shellLine(def.run)}${def.cwd ? ` in ${def.cwd}` : ''}: exit ${def.expectExit}${def.expectOutput ? `, stdout matches /${def.expectOutput}/` : ''}`;
    case 'http': return httpSummary(def);
    case 'notify': return `posts "${def.message}" to the webhook in \${${def.webhookEnv}}`;
    case 'rehearsal': return `a completed run of this runbook (same version) on ${def.environment} within ${def.withinDays} day(s)`;
  }
}

function httpSummary(def: Extract<RunbookStep, { kind: 'http' }>): string {
  const e = def.expect;
  const want = [
    e.redirectTo !== undefined ? `redirects to ${e.redirectTo}` : `answers ${(e.status ?? [200]).join(' or ')}`,
    e.bodyContains ? `with ${e.bodyContains.map((t) => `"${t}"`).join(', ')}` : null,
    e.bodyExcludes ? `without ${e.bodyExcludes.map((t) => `"${t}"`).join(', ')}` : null,
  ].filter(Boolean);
  return `${def.request.method} ${def.request.url} ${want.join(', ')} (redirects not followed)`;
}

/** Kinds that act outside the database. */
export type OutsideStep = Extract<RunbookStep, { kind: 'command' | 'http' | 'notify' | 'rehearsal' }>;

/** Whether the step acts outside the database (a program, a request, a webhook, the runs folder). */
export function isOutsideStep(def: RunbookStep): def is OutsideStep {
  return def.kind === 'command' || def.kind === 'http' || def.kind === 'notify' || def.kind === 'rehearsal';
}

/** What an outside step runs or asks, as written (\${VAR} is filled in from the console's environment when it runs). */
export function outsideTarget(def: OutsideStep): { label: string; text: string } {
  switch (def.kind) {
    case 'command': return { label: `argv, no shell${def.cwd ? `, in ${def.cwd}` : ''}`, text: shellLine(def.run) };
    case 'http': return { label: 'request, redirects not followed', text: `${def.request.method} ${def.request.url}` };
    case 'notify': return { label: 'webhook POST', text: `\${${def.webhookEnv}}: ${def.message}` };
    case 'rehearsal': return { label: 'looks in the runs folder for', text: `a completed run of this runbook on ${def.environment} within ${def.withinDays} day(s)` };
  }
}

/** The CLI line that runs a command step (a command never runs from the UI); with the run's profile unless it was a bare --url. */
export function commandCliLine(file: string, run: string | null, step: string, profile?: string): string {
  const target = profile && profile !== 'url' ? ` --profile ${shellLine([profile])}` : '';
  return `tenancy runbook run ${shellLine([file])}${target}${run ? ` --run ${run}` : ''} --step ${step} --write --allow-commands`;
}

/** Whether running this step writes (and so needs write mode): everything but a manual sign-off and a proposed contract. */
export function stepWrites(def: RunbookStep): boolean {
  return def.kind !== 'manual' && !(def.kind === 'contract' && def.plan);
}
