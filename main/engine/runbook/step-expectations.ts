/**
 * How long each step of a run should take: the runbook's own `expectedMinutes` where it gives
 * one, else how long the same step took the last time it passed in another run of the same
 * runbook file. The window view shows elapsed time against it.
 */
import type { RunbookStep } from '../../../shared/runbook.js';
import { readRun, summarizeRuns } from './open.js';

/** Where an expectation comes from. */
export interface StepExpectation {
  durationMs: number;
  /** 'runbook' (expectedMinutes) or the run id it was measured in. */
  source: 'runbook' | { run: string; startedAt: string };
}

/** Expected duration per step id of `run` (steps with neither source are left out). */
export function expectedDurations(run: string, runsDir: string): Record<string, StepExpectation> {
  const current = readRun(run, runsDir);
  const out: Record<string, StepExpectation> = {};
  const earlier = summarizeRuns(runsDir)
    .filter((r) => r.run !== run && r.problem === null && r.runbook === current.status.runbook)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const measured = new Map<string, StepExpectation>();
  for (const r of earlier) {
    let steps;
    try {
      steps = readRun(r.run, runsDir).status.steps;
    } catch {
      continue; // a run whose journal no longer reads is no measure
    }
    for (const s of steps) {
      if (s.state === 'passed' && s.durationMs !== null && !measured.has(s.id)) measured.set(s.id, { durationMs: s.durationMs, source: { run: r.run, startedAt: r.startedAt } });
    }
  }
  for (const step of current.runbook.steps as (RunbookStep & { expectedMinutes?: number })[]) {
    if (step.expectedMinutes !== undefined) out[step.id] = { durationMs: step.expectedMinutes * 60_000, source: 'runbook' };
    else if (measured.has(step.id)) out[step.id] = measured.get(step.id)!;
  }
  return out;
}
