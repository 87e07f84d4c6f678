/** The window view's arithmetic and wording: which step is current, its SQL, elapsed against expected. */
import type { RunView } from '../../shared/contract/runbooks.js';
import type { RunbookStep } from '../../shared/runbook.js';
import { isOutsideStep, outsideTarget } from '../../shared/runbook-checklist.js';

export { duration, elapsedText } from '../../shared/window-clock.js';

/** The step the window is about: the one running, else the next to do, else the last. */
export function currentStepId(view: RunView, running: string | null): string | null {
  return running ?? view.active?.step ?? view.status.next?.step ?? view.status.steps.at(-1)?.id ?? null;
}

/** What the step will send, as far as the runbook says before it runs. */
export function plannedSql(step: RunbookStep): string {
  switch (step.kind) {
    case 'sql':
      return step.sql;
    case 'check':
      return [step.expect.sql, step.expect.fails ? `${step.expect.fails.sql} -- must fail (${step.expect.fails.error}), rolled back` : undefined,
        step.expect.no ? `-- the check suite; no findings of: ${step.expect.no.join(', ')}` : undefined].filter(Boolean).join('\n');
    case 'contract':
      return `-- planned from the catalogs when the step starts: ${step.steps.join(', ')} on ${step.tables === 'all' ? 'every tenant table' : step.tables.join(', ')}`;
    case 'command':
    case 'http':
    case 'notify':
    case 'rehearsal': {
      const t = outsideTarget(step);
      return `# ${t.label}\n${t.text}`;
    }
    case 'manual':
      return `-- a manual step: nothing is sent\n${step.text.split('\n').map((l) => `-- ${l}`).join('\n')}`;
    default:
      return `-- a ${step.kind} step: its statements show here as it sends them`;
  }
}

/** The caption of the current step's block: SQL for database steps, what it runs or asks otherwise. */
export function plannedLabel(step: RunbookStep, sent: number): string {
  if (isOutsideStep(step)) return step.kind === 'command' ? 'What this step runs (outside the database)' : step.kind === 'rehearsal' ? 'What this step looks for' : 'What this step asks (outside the database)';
  return sent ? `SQL this step sent (${sent} statement${sent === 1 ? '' : 's'})` : 'SQL this step will send';
}
