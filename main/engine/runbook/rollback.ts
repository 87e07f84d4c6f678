/**
 * `tenancy runbook rollback --run ID --write`: run the rollback section of the runbook a run
 * started with (its content is in the journal), journaled in the run's own journal like its steps:
 * restores from the run's backups, SQL that undoes the contract, checks, sign-offs. Once started,
 * the run's own steps never run again.
 */
import type { RunStatus } from '../../../shared/runbook.js';
import { UserError } from '../errors.js';
import { journalOfRun } from './open.js';
import { openRun, stepContext, walkSteps, type RunOptions } from './run.js';
import { rollbackStarted, rollbackStatuses, rollbackSteps, runStatus } from './status.js';

/** What a rollback needs: a run's options without the file (the journal holds the runbook), and why. */
export type RollbackOptions = Omit<RunOptions, 'file' | 'runbook' | 'text' | 'run' | 'newRun'> & {
  run: string;
  /** Why the run is rolled back, journaled with `rollback-started`. */
  reason: string;
  /** A named partial rollback (`rollbacks:`) instead of the whole way back. */
  section?: string;
};

/** Roll run `o.run` back: its rollback section's steps until one does not pass; returns the run's status. */
export async function rollbackRun(o: RollbackOptions): Promise<RunStatus> {
  const { first, runbook, text } = journalOfRun(o.run, o.runsDir);
  const sections = Object.keys(runbook.rollbacks ?? {});
  if (o.section !== undefined && !sections.includes(o.section)) {
    throw new UserError(`--section ${o.section}: the runbook of run ${o.run} has ${sections.length ? `the partial rollbacks ${sections.join(', ')}` : 'no partial rollbacks (rollbacks:)'}`, 'usage');
  }
  const steps = rollbackSteps(runbook, o.section);
  if (!steps.length) throw new UserError(`the runbook of run ${o.run} ("${runbook.title}") has no rollback: section; add one and start a new run, or restore by hand (tenancy restore)`, 'usage');
  if (!o.reason.trim()) throw new UserError('say why the run is rolled back: --reason "..."', 'usage');
  const full: RunOptions = { ...o, file: first.file, runbook, text };
  const journal = await openRun({ ...full, profile: o.session.profile.name });
  try {
    if (o.step && !steps.some((s) => s.id === o.step)) throw new UserError(`--step ${o.step}: no such rollback step; they are ${steps.map((s) => s.id).join(', ')}`, 'usage');
    if (!rollbackStarted(journal.entries, o.section)) await journal.append({ type: 'rollback-started', reason: o.reason.trim(), ...(o.section !== undefined ? { section: o.section } : {}) }, o.operator);
    await walkSteps(full, journal, stepContext(full, journal), steps, () => rollbackStatuses(runbook, journal.entries, o.section));
    return runStatus(runbook, journal.entries, journal.run, first.file);
  } finally {
    journal.release();
  }
}
