/**
 * A run's state, derived from its journal alone: each step's state, who, when, the evidence, the
 * gate that holds it, and the next action. Reopening a run shows exactly where it stopped.
 */
import type { JournalLine, RollbackStatus, RunStatus, Runbook, RunbookStep, StepStatus } from '../../../shared/runbook.js';

/** The steps a step waits for: its `requires`, or every earlier step. */
export function requiredSteps(runbook: Runbook, step: RunbookStep): string[] {
  if (step.requires) return step.requires;
  const i = runbook.steps.findIndex((s) => s.id === step.id);
  return runbook.steps.slice(0, i).map((s) => s.id);
}

/** Each step's status from the journal lines. */
export function stepStatuses(runbook: Runbook, lines: readonly JournalLine[]): StepStatus[] {
  return sectionStatuses(runbook.steps, lines, (s) => requiredSteps(runbook, s));
}

/** The steps of the rollback section (or of the named partial rollback `section`). */
export function rollbackSteps(runbook: Runbook, section?: string): readonly RunbookStep[] {
  if (section?.startsWith(FOLLOW_UP)) return runbook.followUps?.[section.slice(FOLLOW_UP.length)]?.steps ?? [];
  return section === undefined ? runbook.rollback ?? [] : runbook.rollbacks?.[section] ?? [];
}

/** The section key of a follow-up: "follow-up:NAME" (its steps are walked like a rollback section's). */
export const FOLLOW_UP = 'follow-up:';

/** When the run completed (the time of the line after which every step had passed), or null. */
export function completedAt(runbook: Runbook, lines: readonly JournalLine[]): string | null {
  for (let n = 1; n <= lines.length; n += 1) {
    if (stepStatuses(runbook, lines.slice(0, n)).every((s) => s.state === 'passed')) return lines[n - 1]!.time;
  }
  return null;
}

const DAY_MS = 86_400_000;

/** Each follow-up's status: due `afterDays` after the run completed. */
export function followUpStatuses(runbook: Runbook, lines: readonly JournalLine[], now = new Date()): NonNullable<RunStatus['followUps']> {
  const done = completedAt(runbook, lines);
  const out: NonNullable<RunStatus['followUps']> = {};
  for (const [name, f] of Object.entries(runbook.followUps ?? {})) {
    const st = rollbackStatus(runbook, lines, `${FOLLOW_UP}${name}`)!;
    const started = lines.find((l) => l.event.type === 'follow-up-started' && l.event.name === name);
    const dueAt = done ? new Date(Date.parse(done) + f.afterDays * DAY_MS).toISOString() : null;
    out[name] = {
      ...st, startedAt: started?.time ?? null, startedBy: started?.operator ?? null, reason: null,
      next: st.next ? { step: st.next.step, action: st.next.action.replace(/^roll back: run /, 'follow-up: run ') } : null,
      afterDays: f.afterDays, dueAt, due: dueAt !== null && Date.parse(dueAt) <= now.getTime(),
    };
  }
  return out;
}

/** The rollback steps' statuses (or a named section's): each requires its `requires`, or every earlier step of its section. */
export function rollbackStatuses(runbook: Runbook, lines: readonly JournalLine[], section?: string): StepStatus[] {
  const steps = rollbackSteps(runbook, section);
  return sectionStatuses(steps, lines, (s) => s.requires ?? steps.slice(0, steps.findIndex((x) => x.id === s.id)).map((x) => x.id));
}

function sectionStatuses(steps: readonly RunbookStep[], lines: readonly JournalLine[], required: (s: RunbookStep) => string[]): StepStatus[] {
  const out = new Map<string, StepStatus>();
  for (const s of steps) {
    const checklist = s.kind === 'manual' ? s.checklist.map((text) => ({ text, signedBy: null, time: null, note: null })) : [];
    out.set(s.id, { id: s.id, title: s.title, kind: s.kind, state: 'pending', operator: null, time: null, evidence: null, error: null, durationMs: null, checklist, waitingFor: [] });
  }
  for (const l of lines) {
    const e = l.event;
    if (!('step' in e)) continue;
    const st = out.get(e.step);
    if (!st) continue;
    st.operator = l.operator;
    st.time = l.time;
    switch (e.type) {
      case 'step-started':
        Object.assign(st, { state: 'interrupted', error: 'started and never finished (the process stopped); run it again', evidence: null });
        break;
      case 'step-passed':
        Object.assign(st, { state: 'passed', evidence: e.evidence, error: null, durationMs: e.durationMs ?? null });
        break;
      case 'step-failed':
        Object.assign(st, { state: 'failed', evidence: e.evidence, error: e.error, durationMs: e.durationMs ?? null });
        break;
      case 'step-signed': {
        const ran = st.checklist.length ? st.checklist.map((c) => `[x] ${c.text} - ${c.signedBy} at ${c.time}: ${c.note}`) : [];
        Object.assign(st, { state: 'passed', evidence: { ran, result: `signed off${e.override ? ' (operator overridden)' : ''}: ${e.note}`, counts: {}, refs: {} }, error: null });
        break;
      }
      case 'line-signed': {
        const c = st.checklist[e.line - 1];
        if (c) Object.assign(c, { signedBy: l.operator, time: l.time, note: e.note });
        const open = st.checklist.filter((x) => !x.signedBy).length;
        Object.assign(st, { state: 'pending', error: `${open} checklist line(s) still to sign` });
        break;
      }
      case 'ci-approved':
        Object.assign(st, {
          state: 'passed', error: null,
          evidence: { ran: [`${e.ci} ${e.workflow} run ${e.runId}${e.repository ? ` of ${e.repository}` : ''}`], result: `approved in CI by ${e.actor}${e.environment ? ` (environment ${e.environment})` : ''}`, counts: {}, refs: { actor: e.actor, runId: e.runId, workflow: e.workflow, ...(e.environment ? { environment: e.environment } : {}) } },
        });
        break;
      case 'step-blocked':
        Object.assign(st, { state: 'blocked', error: e.reason });
        break;
    }
  }
  for (const s of steps) {
    const st = out.get(s.id)!;
    if (st.state === 'passed') continue;
    st.waitingFor = required(s).filter((r) => out.get(r)?.state !== 'passed');
  }
  return steps.map((s) => out.get(s.id)!);
}

/** The next thing to do, for humans. */
function nextAction(step: RunbookStep, st: StepStatus): string {
  if (st.waitingFor.length) return `waiting for ${st.waitingFor.join(', ')} to pass`;
  if (step.kind === 'manual') {
    if (step.approval) return `approval "${step.title}": ${step.approval.approvers.length ? `${step.approval.approvers.join(' or ')} signs` : 'an approver signs'} with --step ${step.id} --yes-manual "note", or run --ci in GitHub Actions${step.approval.environment ? ` (environment ${step.approval.environment})` : ''}`;
    if (step.checklist.length) {
      const open = st.checklist.flatMap((c, i) => (c.signedBy ? [] : [`--sign ${step.id}:${i + 1}="what you checked"`]));
      return `sign each checklist line of "${step.title}": ${open.join(' ')}`;
    }
    return `sign off "${step.title}": --step ${step.id} --yes-manual "what you checked"`;
  }
  if (step.kind === 'command' && st.state === 'blocked') return `${st.error ?? 'rerun with --allow-commands'} (the CLI prints the full argv before the program starts; commands never run from the UI)`;
  if (st.state === 'failed') return `fix the cause (${st.error ?? 'see evidence'}) and run the step again`;
  if (st.state === 'interrupted') return interruptedAction(step);
  return `run ${step.kind} step "${step.title}"`;
}

/** What continuing does with a step that started and never finished, per kind: the truth, not a hope. */
export function interruptedAction(step: RunbookStep): string {
  switch (step.kind) {
    case 'sql': return 'continue the run: the target database records whether the step committed (tenancy_console.runbook_step_commits), so it is never run twice';
    case 'backfill': return 'continue the run: the backfill resumes after its last committed batch';
    case 'migrate': return 'continue the run: the migration ledger says which migrations applied; only the rest are applied';
    case 'backup': return 'continue the run: a new backup is taken (the interrupted one may be incomplete; it is not used)';
    case 'contract': return 'continue the run: the plan is computed again from the database, so statements that took effect are not repeated';
    case 'restore': return step.dryRun ? 'continue the run: the rehearsal was rolled back; it runs again' : 'look at the table first: a real restore runs in one transaction, so it either committed or not; continuing restores again';
    case 'distribute': return "continue the run: the step reads Citus's metadata first, so a table already distributed as asked is not distributed again (an interrupted _concurrently copy is cleaned up by Citus)";
    case 'check': case 'preflight': return 'continue the run: it only reads, so it runs again';
    case 'command': return 'look first: the program may have run part-way; continuing runs it again (with --allow-commands)';
    case 'http': case 'rehearsal': return 'continue the run: it only reads, so it runs again';
    case 'notify': return 'continue the run: the message may have been sent already; it is sent again';
    default: return 'continue the run';
  }
}

/** The rollback section's status (or a named partial rollback's), or null when the runbook has none. */
export function rollbackStatus(runbook: Runbook, lines: readonly JournalLine[], name?: string): RollbackStatus | null {
  const section = rollbackSteps(runbook, name);
  if (!section.length) return null;
  const started = lines.find((l) => l.event.type === 'rollback-started' && l.event.section === name);
  const steps = rollbackStatuses(runbook, lines, name);
  const pendingIndex = steps.findIndex((s) => s.state !== 'passed');
  return {
    startedAt: started?.time ?? null, startedBy: started?.operator ?? null,
    reason: started?.event.type === 'rollback-started' ? started.event.reason : null, steps,
    next: pendingIndex < 0 ? null : { step: steps[pendingIndex]!.id, action: nextAction(section[pendingIndex]!, steps[pendingIndex]!).replace(/^run /, 'roll back: run ') },
    complete: pendingIndex < 0,
  };
}

/** Whether `runbook rollback` (the whole way back, not a named partial one) has started on this run (its own steps then never run again). */
export function rollbackStarted(lines: readonly JournalLine[], section?: string): boolean {
  return lines.some((l) => l.event.type === 'rollback-started' && l.event.section === section);
}

/** Who to call about a failed or blocked step: its area's contact, then the escalation path (null without one). */
export function escalation(runbook: Runbook, step: RunbookStep | undefined): string | null {
  const c = runbook.contacts;
  const area = (step as { area?: string } | undefined)?.area;
  if (!c || !area || !c.areas[area]) return null;
  const path = c.escalation.length ? `; escalation: ${c.escalation.map((l, i) => `${i + 1}. ${l}`).join(', ')}` : '';
  const emergency = c.emergency[area] ? `; emergency: ${c.emergency[area]}` : '';
  return `${area} issues: ${c.areas[area]}${path}${emergency}`;
}

function withEscalation(runbook: Runbook, steps: StepStatus[]): StepStatus[] {
  if (!runbook.contacts) return steps;
  const all = [...runbook.steps, ...(runbook.rollback ?? []), ...Object.values(runbook.rollbacks ?? {}).flat(), ...Object.values(runbook.followUps ?? {}).flatMap((f) => f.steps)];
  return steps.map((s) => (s.state === 'failed' || s.state === 'blocked' || s.state === 'interrupted' ? { ...s, escalate: escalation(runbook, all.find((x) => x.id === s.id)) } : s));
}

/** The whole run's status. */
export function runStatus(runbook: Runbook, lines: readonly JournalLine[], run: string, file: string): RunStatus {
  const first = lines[0];
  const started = first?.event.type === 'run-started' ? first.event : null;
  const steps = withEscalation(runbook, stepStatuses(runbook, lines));
  const pendingIndex = steps.findIndex((s) => s.state !== 'passed');
  const rollback = rollbackStatus(runbook, lines);
  if (rollback) rollback.steps = withEscalation(runbook, rollback.steps);
  const rolling = rollback?.startedAt ? rollback : null;
  const next = rolling
    ? rolling.next
    : pendingIndex < 0 ? null : { step: steps[pendingIndex]!.id, action: nextAction(runbook.steps[pendingIndex]!, steps[pendingIndex]!) };
  return {
    run, runbook: runbook.title, file, profile: started?.profile ?? '', database: started?.database ?? '',
    startedAt: first?.time ?? '', steps, next, complete: !rolling && pendingIndex < 0, rollback,
    ...(Object.keys(runbook.followUps ?? {}).length ? { followUps: followUpStatuses(runbook, lines) } : {}),
    ...(Object.keys(runbook.rollbacks ?? {}).length ? { partialRollbacks: Object.fromEntries(Object.keys(runbook.rollbacks).map((n) => [n, rollbackStatus(runbook, lines, n)!])) } : {}),
  };
}
