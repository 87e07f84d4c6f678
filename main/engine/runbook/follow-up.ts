/**
 * `tenancy runbook follow-up --run ID --name NAME --write`: run one of the runbook's follow-ups
 * (the post-migration tasks: day 1, week 1, month 1) once it is due, `afterDays` after the run
 * completed; journaled in the run's journal (`follow-up-started`, then its steps like any other).
 * Refused before it is due, and while the run is not complete.
 */
import type { RunStatus } from '../../../shared/runbook.js';
import { UserError } from '../errors.js';
import { journalOfRun } from './open.js';
import { openRun, stepContext, walkSteps, type RunOptions } from './run.js';
import { FOLLOW_UP, followUpStatuses, rollbackStatuses, rollbackSteps, runStatus } from './status.js';

/** What a follow-up needs: a run's options without the file (the journal holds the runbook), and which one. */
export type FollowUpOptions = Omit<RunOptions, 'file' | 'runbook' | 'text' | 'run' | 'newRun'> & {
  run: string;
  /** A key of the runbook's followUps. */
  name: string;
  /** The clock the due time is read against (default now). */
  now?: Date;
};

/** Run follow-up `o.name` of run `o.run` until one of its steps does not pass; returns the run's status. */
export async function runFollowUp(o: FollowUpOptions): Promise<RunStatus> {
  const { journal: peek, first, runbook, text } = journalOfRun(o.run, o.runsDir);
  const names = Object.keys(runbook.followUps ?? {});
  if (!names.includes(o.name)) throw new UserError(`--name ${o.name}: the runbook of run ${o.run} has ${names.length ? `the follow-ups ${names.join(', ')}` : 'no follow-ups (followUps:)'}`, 'usage');
  const now = o.now ?? new Date();
  const st = followUpStatuses(runbook, peek.entries, now)[o.name]!;
  if (st.dueAt === null) throw new UserError(`run ${o.run} is not complete: its follow-ups start ${runbook.followUps[o.name]!.afterDays} day(s) after it completes`, 'usage');
  if (!st.due) throw new UserError(`follow-up ${o.name} of run ${o.run} is due at ${st.dueAt} (${runbook.followUps[o.name]!.afterDays} day(s) after the run completed); run it then`, 'usage');
  const section = `${FOLLOW_UP}${o.name}`;
  const steps = rollbackSteps(runbook, section);
  const full: RunOptions = { ...o, file: first.file, runbook, text };
  const journal = await openRun({ ...full, profile: o.session.profile.name });
  try {
    if (!journal.entries.some((l) => l.event.type === 'follow-up-started' && l.event.name === o.name)) await journal.append({ type: 'follow-up-started', name: o.name }, o.operator);
    await walkSteps(full, journal, stepContext(full, journal), steps, () => rollbackStatuses(runbook, journal.entries, section));
    return runStatus(runbook, journal.entries, journal.run, first.file);
  } finally {
    journal.release();
  }
}
