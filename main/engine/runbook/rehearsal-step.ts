/**
 * A `rehearsal` step: proof that the same runbook ran to completion on another environment first.
 * It passes only when the runs folder holds a run of the same runbook (same title, same sha256 of
 * its steps), whose journal verifies (chain and signatures), whose target recorded the environment
 * asked for at start, that reached "complete: every step passed", and whose last line is within
 * `withinDays`. Otherwise it fails naming what is missing, newest candidate first. On the
 * rehearsal's own environment the step passes saying so: that run is the rehearsal.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Evidence, RunbookStep } from '../../../shared/runbook.js';
import { canonicalize, sha256Hex } from '../report/canonical.js';
import { Journal, listRuns } from './journal.js';
import { readRun } from './open.js';
import { parseRunbookText } from './parse.js';
import { StepFailure } from './step-failure.js';

export type RehearsalStep = Extract<RunbookStep, { kind: 'rehearsal' }>;

const DAY_MS = 86_400_000;

/** The sha256 of a runbook's steps (as parsed, defaults filled in): what "the same version" means. */
export function stepsDigest(steps: readonly RunbookStep[]): string {
  return sha256Hex(canonicalize(steps));
}

interface Candidate {
  run: string;
  environment: string | null;
  database: string;
  digest: string;
  verified: string | null;
  complete: boolean;
  /** Where it stopped: the first step that did not pass, its state and error. */
  stoppedAt: { step: string; state: string; error: string | null } | null;
  endedAt: string;
}

function candidatesOf(runsDir: string, title: string, current: string): Candidate[] {
  const out: Candidate[] = [];
  for (const run of listRuns(runsDir)) {
    if (run === current) continue;
    let opened;
    let journal;
    try {
      journal = Journal.open(run, runsDir);
      opened = readRun(run, runsDir);
    } catch (err) {
      // A journal that does not verify is no rehearsal; named when it is one of this runbook's.
      const broken = brokenCandidate(runsDir, run, title, (err as Error).message);
      if (broken) out.push(broken);
      continue;
    }
    if (opened.runbook.title !== title) continue;
    const first = journal.entries[0]!.event;
    const stopped = opened.status.steps.find((s) => s.state !== 'passed');
    out.push({
      run, environment: first.type === 'run-started' ? first.environment ?? null : null, database: opened.status.database,
      digest: stepsDigest(opened.runbook.steps), verified: opened.verification.ok ? null : opened.verification.brokenAt?.reason ?? 'does not verify',
      complete: opened.status.complete, stoppedAt: stopped ? { step: stopped.id, state: stopped.state, error: stopped.error } : null,
      endedAt: journal.entries[journal.entries.length - 1]!.time,
    });
  }
  return out.sort((a, b) => b.endedAt.localeCompare(a.endedAt));
}

/** What the first line of a journal that does not verify says it was (raw: nothing of it is trusted but to name it). */
function brokenCandidate(runsDir: string, run: string, title: string, problem: string): Candidate | null {
  try {
    const lines = fs.readFileSync(path.join(runsDir, run, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    const first = (JSON.parse(lines[0]!) as { event?: { type?: string; runbook?: string; environment?: string; content?: string; database?: string } }).event;
    if (first?.type !== 'run-started' || first.runbook !== title) return null;
    const parsed = first.content !== undefined ? parseRunbookText(first.content) : null;
    const last = JSON.parse(lines[lines.length - 1]!) as { time?: string };
    return {
      run, environment: first.environment ?? null, database: first.database ?? '', digest: parsed?.ok ? stepsDigest(parsed.runbook.steps) : '',
      verified: problem, complete: false, stoppedAt: null, endedAt: typeof last.time === 'string' ? last.time : '',
    };
  } catch {
    return null;
  }
}

/** Check a rehearsal step against the runs folder; the evidence, or a StepFailure naming what is missing. */
export function runRehearsalStep(step: RehearsalStep, o: { runsDir: string; run: string; title: string; steps: readonly RunbookStep[]; environment: string; now?: Date }): Evidence {
  const env = step.environment;
  const mine = stepsDigest(o.steps);
  if (o.environment === env) {
    // The rehearsal itself: the runs on other environments look for this one.
    return { ran: [], result: `this run is on ${env}: it is the rehearsal (a run elsewhere passes this step once this one completes)`, counts: {}, refs: { environment: env, stepsSha256: mine } };
  }
  const now = (o.now ?? new Date()).getTime();
  const all = candidatesOf(o.runsDir, o.title, o.run);
  const ran = [`runs folder ${o.runsDir}: ${all.length} other run(s) of "${o.title}"`];
  const fail = (message: string, refs: Record<string, string> = {}): never => {
    throw new StepFailure(message, { ran, result: message, counts: { runs: all.length }, refs: { stepsSha256: mine, ...refs } });
  };
  const onEnv = all.filter((c) => c.environment === env);
  if (!onEnv.length) {
    const unrecorded = all.filter((c) => c.environment === null).length;
    fail(`no completed run on ${env}: no run of "${o.title}" recorded environment ${env}${all.length ? ` (${all.length} run(s) on ${[...new Set(all.map((c) => c.environment ?? 'an unrecorded environment'))].join(', ')}${unrecorded ? '; runs started before environments were recorded do not count' : ''})` : ''}`);
  }
  const good = onEnv.find((c) => c.digest === mine && c.verified === null && c.complete && now - Date.parse(c.endedAt) <= step.withinDays * DAY_MS);
  if (good) {
    const days = Math.floor((now - Date.parse(good.endedAt)) / DAY_MS);
    return {
      ran, result: `run ${good.run} on ${env} (database ${good.database}) completed every step at ${good.endedAt} (${days} day(s) ago, within ${step.withinDays}); same runbook version`,
      counts: { runs: all.length, daysAgo: days }, refs: { run: good.run, environment: env, database: good.database, endedAt: good.endedAt, stepsSha256: mine },
    };
  }
  // Say what is missing about the newest run on that environment that is closest to counting.
  const same = onEnv.filter((c) => c.digest === mine);
  if (!same.length) fail(`the ${env} run ${onEnv[0]!.run} ran another version of the runbook (steps sha256 ${onEnv[0]!.digest.slice(0, 12)}, this one ${mine.slice(0, 12)}): rehearse this version on ${env}`, { run: onEnv[0]!.run });
  const verifying = same.filter((c) => c.verified === null);
  if (!verifying.length) fail(`the ${env} run ${same[0]!.run}'s journal does not verify (${same[0]!.verified}): see tenancy runbook verify ${same[0]!.run}`, { run: same[0]!.run });
  const complete = verifying.filter((c) => c.complete);
  if (!complete.length) {
    const c = verifying[0]!;
    const at = c.stoppedAt;
    fail(at?.state === 'failed'
      ? `the ${env} run ${c.run} failed at step ${at.step}${at.error ? `: ${at.error}` : ''}`
      : `the ${env} run ${c.run} did not complete: it stopped at step ${at?.step ?? '?'} (${at?.state ?? 'rolled back'})`, { run: c.run });
  }
  const c = complete[0]!;
  const days = Math.floor((now - Date.parse(c.endedAt)) / DAY_MS);
  return fail(`the ${env} run ${c.run} completed ${days} day(s) ago (${c.endedAt}), more than withinDays ${step.withinDays}: rehearse again`, { run: c.run });
}
