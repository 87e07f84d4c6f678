/**
 * `tenancy runbook run|status|verify|list|new`: walk a runbook against a database, show where a
 * run stopped, prove its journal unbroken, start from one of the five reference templates.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { RunStatus } from '../../../shared/runbook.js';
import { UserError } from '../../engine/errors.js';
import { Journal, checkRunId, listRuns, newRunId, runsDir, verifyJournalFile } from '../../engine/runbook/journal.js';
import { readRunbook } from '../../engine/runbook/parse.js';
import { runRunbook } from '../../engine/runbook/run.js';
import { runStatus } from '../../engine/runbook/status.js';
import { projectRoot } from '../../engine/paths.js';
import { currentOperator } from '../../engine/session.js';
import { addConnectionOptions, withSession, type TargetOptions } from '../common.js';
import { exitState } from '../exit.js';
import { printJson } from '../format.js';
import { formatProgress } from './backfill.js';
import { setCliAuditRun } from './audit.js';

interface RunCliOptions extends TargetOptions {
  run?: string;
  step?: string;
  yesManual?: string;
  ci?: boolean;
  confirm?: string;
}

const MARK: Record<string, string> = { passed: '[x]', failed: '[!]', interrupted: '[~]', blocked: '[#]', running: '[>]', pending: '[ ]' };

/** A run's checklist, for humans. */
export function formatRunStatus(s: RunStatus): string {
  const lines = [`run ${s.run}: ${s.runbook} on ${s.database} (profile ${s.profile || '-'}), started ${s.startedAt}`];
  for (const st of s.steps) {
    lines.push(`  ${MARK[st.state] ?? '[ ]'} ${st.id}: ${st.title} - ${st.state}${st.operator && st.state !== 'pending' ? ` by ${st.operator} at ${st.time}` : ''}`);
    if (st.evidence) lines.push(`      evidence: ${st.evidence.result}${st.evidence.digest ? ` (digest ${st.evidence.digest.slice(0, 16)})` : ''}`);
    if (st.error && st.state !== 'passed') lines.push(`      ${st.error}`);
    if (st.waitingFor.length && st.state !== 'passed') lines.push(`      gate: waiting for ${st.waitingFor.join(', ')}`);
  }
  lines.push(s.complete ? 'complete: every step passed' : `next: ${s.next!.step}: ${s.next!.action}`);
  return lines.join('\n');
}

function templatesDir(): string {
  return path.join(projectRoot(), 'runbooks', 'templates');
}

function statusOf(run: string): RunStatus {
  const j = Journal.open(checkRunId(run));
  const first = j.entries[0]?.event;
  if (first?.type !== 'run-started') throw new UserError(`the journal of ${run} does not start with run-started`, 'integrity');
  const { runbook } = readRunbook(first.file);
  return runStatus(runbook, j.entries, run, first.file);
}

/** Register `tenancy runbook`. */
export function registerRunbook(program: Command): void {
  const rb = program.command('runbook').description('runbooks: steps with gates, sign-off and evidence, journaled in a hash chain');

  addConnectionOptions(rb.command('run').argument('<file>', 'runbook YAML file'))
    .description('run the runbook\'s steps until one does not pass (a new run, or --run ID to continue one)')
    .option('--run <id>', 'continue this run')
    .option('--step <id>', 'run only this step (its gate still applies)')
    .option('--yes-manual <note>', 'sign off the manual steps reached, with this note')
    .option('--ci', 'non-interactive: a manual step that is not pre-signed fails')
    .option('--confirm <db>', 'on production: the database name, typed')
    .action(async (file: string, o: RunCliOptions) => {
      const { runbook, text } = readRunbook(file);
      if (o.run) checkRunId(o.run);
      const operator = currentOperator();
      const newRun = o.run ? undefined : newRunId();
      setCliAuditRun(o.run ?? newRun);
      await withSession(o, async (session, _target, signal) => {
        await session.enableWrite(o.confirm);
        const status = await runRunbook({
          session, file, runbook, text, run: o.run, newRun, step: o.step, operator, ci: o.ci, signal,
          signManual: () => o.yesManual ?? null,
          onStep: (s, state, detail) => process.stderr.write(`${s.id}: ${state}${detail ? ` - ${detail.split('\n')[0]}` : ''}\n`),
          onBackfill: (e) => { if (e.phase !== 'counting') process.stderr.write(`  ${formatProgress(e)}\n`); },
        });
        if (!status.complete) exitState.code = status.steps.some((s) => s.state === 'failed' || s.state === 'blocked') ? 1 : 0;
        if (o.ci && !status.complete) exitState.code = 1;
        if (o.format === 'json') printJson(status);
        else process.stdout.write(`${formatRunStatus(status)}\n`);
      });
    });

  rb.command('status').argument('<run>', 'run id').description('where a run stopped: each step\'s state, who, when, evidence, gate and the next action')
    .option('--format <format>', 'table or json', 'table')
    .action((run: string, o: { format: string }) => {
      const s = statusOf(run);
      if (o.format === 'json') printJson(s);
      else process.stdout.write(`${formatRunStatus(s)}\n`);
    });

  rb.command('verify').argument('<run>', 'run id').description('prove the run\'s journal unbroken (hash chain)')
    .action((run: string) => {
      const file = path.join(runsDir(), checkRunId(run), 'journal.jsonl');
      if (!fs.existsSync(file)) throw new UserError(`no run ${run}; see tenancy runbook list`, 'usage');
      const v = verifyJournalFile(file);
      if (v.ok) process.stdout.write(`journal of ${run} intact: ${v.lines} lines, head ${v.head}\n`);
      else {
        process.stdout.write(`journal of ${run} BROKEN at line ${v.brokenAt!.line}: ${v.brokenAt!.reason}\n`);
        exitState.code = 1;
      }
    });

  rb.command('list').description('runs in the config directory, newest first').action(() => {
    for (const r of listRuns()) process.stdout.write(`${r}\n`);
  });

  rb.command('new').description('write a runbook file from one of the five reference templates')
    .requiredOption('--template <n>', '000 (Drizzle two-phase), 001 (Supabase), 002 (Prisma CI), 003 (legacy map), 004 (inventory)')
    .option('--out <file>', 'where to write it (default: the template\'s name in the current directory)')
    .action((o: { template: string; out?: string }) => {
      const files = fs.readdirSync(templatesDir()).filter((f) => f.endsWith('.yaml'));
      const t = files.find((f) => f.startsWith(`${o.template}-`));
      if (!t) throw new UserError(`--template ${o.template}: use one of ${files.map((f) => f.slice(0, 3)).join(', ')}`, 'usage');
      const out = path.resolve(o.out ?? t);
      if (fs.existsSync(out)) throw new UserError(`${out} exists; choose another --out`, 'usage');
      fs.copyFileSync(path.join(templatesDir(), t), out);
      process.stdout.write(`${out}\n`);
    });
}
