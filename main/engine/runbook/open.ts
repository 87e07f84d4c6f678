/**
 * Reopen a run from its folder alone: the journal (verified), the runbook content captured when it
 * started, and the status they give. What the checklist page and `runbook status` show.
 */
import path from 'node:path';
import type { JournalEvent, Runbook, RunStatus } from '../../../shared/runbook.js';
import { UserError } from '../errors.js';
import { installationKeyId } from '../report/keys.js';
import { verifySignedJournal } from './head.js';
import { Journal, listRuns, runsDir, type JournalVerification } from './journal.js';
import { formatIssues, parseRunbookText, readRunbook } from './parse.js';
import { runStatus } from './status.js';
import { templateIdOf } from './templates.js';

/** An existing run, read back. */
export interface OpenedRun {
  run: string;
  file: string;
  runbook: Runbook;
  text: string;
  status: RunStatus;
  verification: JournalVerification;
  /** "Runbook 000" for a template, else the file's base name. */
  label: string;
}

/** A short name for a run's runbook. */
export function runbookLabel(file: string): string {
  const id = templateIdOf(file);
  return id ? `Runbook ${id}` : path.basename(file).replace(/\.ya?ml$/i, '');
}

/** The runbook a run started with: the content captured in run-started (older runs: the file, if unchanged). */
export function runbookOfRun(run: string, first: Extract<JournalEvent, { type: 'run-started' }>): { runbook: Runbook; text: string } {
  if (first.content !== undefined) {
    const r = parseRunbookText(first.content);
    if (!r.ok) throw new UserError(`the runbook captured in run ${run} no longer parses: ${formatIssues(first.file, r.issues)}`, 'integrity');
    return { runbook: r.runbook, text: first.content };
  }
  return readRunbook(first.file);
}

/** A run's journal, its run-started event and the runbook captured there (read only). */
export function journalOfRun(run: string, base = runsDir()): { journal: Journal; first: Extract<JournalEvent, { type: 'run-started' }>; runbook: Runbook; text: string } {
  const journal = Journal.open(run, base);
  const first = journal.entries[0]?.event;
  if (first?.type !== 'run-started') throw new UserError(`the journal of ${run} does not start with run-started`, 'integrity');
  return { journal, first, ...runbookOfRun(run, first) };
}

/** Read run `run` from its journal alone (it must verify: chain and signatures). */
export function readRun(run: string, base = runsDir()): OpenedRun {
  const { journal, first, runbook, text } = journalOfRun(run, base);
  return {
    run, file: first.file, runbook, text,
    status: runStatus(runbook, journal.entries, run, first.file),
    verification: verifySignedJournal(journal.dir, { run, expectKey: installationKeyId(path.dirname(base)) }),
    label: runbookLabel(first.file),
  };
}

/** One run in a list: what it is, how far it got, or why it cannot be read. */
export interface RunSummary {
  run: string;
  label: string;
  runbook: string;
  database: string;
  profile: string;
  startedAt: string;
  passed: number;
  total: number;
  complete: boolean;
  problem: string | null;
}

/** Every run in the folder, newest first; an unreadable one is listed with its problem. */
export function summarizeRuns(base = runsDir()): RunSummary[] {
  return listRuns(base).map((run) => {
    try {
      const r = readRun(run, base);
      const s = r.status;
      return {
        run, label: r.label, runbook: s.runbook, database: s.database, profile: s.profile, startedAt: s.startedAt,
        passed: s.steps.filter((x) => x.state === 'passed').length, total: s.steps.length, complete: s.complete, problem: null,
      };
    } catch (err) {
      return { run, label: run, runbook: '', database: '', profile: '', startedAt: '', passed: 0, total: 0, complete: false, problem: (err as Error).message };
    }
  });
}
