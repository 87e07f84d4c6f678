/**
 * A run's state, derived from its journal alone: each step's state, who, when, the evidence, the
 * gate that holds it, and the next action. Reopening a run shows exactly where it stopped.
 */
import type { JournalLine, RunStatus, Runbook, RunbookStep, StepStatus } from '../../../shared/runbook.js';

/** The steps a step waits for: its `requires`, or every earlier step. */
export function requiredSteps(runbook: Runbook, step: RunbookStep): string[] {
  if (step.requires) return step.requires;
  const i = runbook.steps.findIndex((s) => s.id === step.id);
  return runbook.steps.slice(0, i).map((s) => s.id);
}

/** Each step's status from the journal lines. */
export function stepStatuses(runbook: Runbook, lines: readonly JournalLine[]): StepStatus[] {
  const out = new Map<string, StepStatus>();
  for (const s of runbook.steps) {
    out.set(s.id, { id: s.id, title: s.title, kind: s.kind, state: 'pending', operator: null, time: null, evidence: null, error: null, waitingFor: [] });
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
        Object.assign(st, { state: 'passed', evidence: e.evidence, error: null });
        break;
      case 'step-failed':
        Object.assign(st, { state: 'failed', evidence: e.evidence, error: e.error });
        break;
      case 'step-signed':
        Object.assign(st, { state: 'passed', evidence: { ran: e.checklist.map((c) => `[x] ${c}`), result: `signed off: ${e.note}`, counts: {}, refs: {} }, error: null });
        break;
      case 'step-blocked':
        Object.assign(st, { state: 'blocked', error: e.reason });
        break;
    }
  }
  for (const s of runbook.steps) {
    const st = out.get(s.id)!;
    if (st.state === 'passed') continue;
    st.waitingFor = requiredSteps(runbook, s).filter((r) => out.get(r)?.state !== 'passed');
  }
  return runbook.steps.map((s) => out.get(s.id)!);
}

/** The next thing to do, for humans. */
function nextAction(step: RunbookStep, st: StepStatus): string {
  if (st.waitingFor.length) return `waiting for ${st.waitingFor.join(', ')} to pass`;
  if (step.kind === 'manual') return `sign off "${step.title}": --step ${step.id} --yes-manual "what you checked"`;
  if (st.state === 'failed') return `fix the cause (${st.error ?? 'see evidence'}) and run the step again`;
  if (st.state === 'interrupted') return 'run it again: it resumes where the database says it stopped';
  return `run ${step.kind} step "${step.title}"`;
}

/** The whole run's status. */
export function runStatus(runbook: Runbook, lines: readonly JournalLine[], run: string, file: string): RunStatus {
  const first = lines[0];
  const started = first?.event.type === 'run-started' ? first.event : null;
  const steps = stepStatuses(runbook, lines);
  const pendingIndex = steps.findIndex((s) => s.state !== 'passed');
  const next = pendingIndex < 0 ? null : { step: steps[pendingIndex]!.id, action: nextAction(runbook.steps[pendingIndex]!, steps[pendingIndex]!) };
  return {
    run, runbook: runbook.title, file, profile: started?.profile ?? '', database: started?.database ?? '',
    startedAt: first?.time ?? '', steps, next, complete: pendingIndex < 0,
  };
}
