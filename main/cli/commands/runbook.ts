/**
 * `tenancy runbook run|validate|status|verify|export|list|new`: walk a runbook against a database,
 * check one without running it, show where a run stopped, prove its journal unbroken and signed,
 * hand it to an auditor, start from one of the five reference templates.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { RunStatus } from '../../../shared/runbook.js';
import { UserError } from '../../engine/errors.js';
import { installationKeyId } from '../../engine/report/keys.js';
import { exportRun } from '../../engine/runbook/export.js';
import { verifySignedJournal } from '../../engine/runbook/head.js';
import { verifyRunDumps } from '../../engine/runbook/dumps.js';
import { expectedTimes, runbookTables, tableSizes, type ExpectedStep } from '../../engine/runbook/expected.js';
import { Journal, checkRunId, listRuns, newRunId, runsDir } from '../../engine/runbook/journal.js';
import { readRun, summarizeRuns } from '../../engine/runbook/open.js';
import { templateIdOf } from '../../engine/runbook/templates.js';
import { runbookOperator } from '../../engine/runbook/operator.js';
import { readRunbook } from '../../engine/runbook/parse.js';
import { runFollowUp } from '../../engine/runbook/follow-up.js';
import { rollbackRun } from '../../engine/runbook/rollback.js';
import { runRunbook } from '../../engine/runbook/run.js';
import { assertRunbookSql } from '../../engine/runbook/sql-guard.js';
import { readDatabaseHead } from '../../engine/runbook/target.js';
import { projectRoot } from '../../engine/paths.js';
import { addConnectionOptions, addModelOptions, withSession, type TargetOptions } from '../common.js';
import { exitState } from '../exit.js';
import { printOk } from '../format.js';
import { addAllowCommandsOption, deprecatedAlias, requireWrite } from '../options.js';
import { formatProgress } from './backfill.js';
import { setCliAuditRun } from './audit.js';

interface RunCliOptions extends TargetOptions {
  run?: string;
  step?: string;
  yesManual?: string;
  sign: string[];
  ci?: boolean;
  write?: boolean;
  confirmDb?: string;
  allowCommands?: boolean;
}

interface VerifyCliOptions extends TargetOptions {
  expectKey?: string;
}

const MARK: Record<string, string> = { passed: '[x]', failed: '[!]', interrupted: '[~]', blocked: '[#]', running: '[>]', pending: '[ ]' };

/** Kinds that act outside the database: their argv, request or webhook is shown with the evidence. */
const OUTSIDE_KINDS = new Set(['command', 'http', 'notify', 'rehearsal']);

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A run's checklist, for humans. */
export function formatRunStatus(s: RunStatus): string {
  const lines = [`run ${s.run}: ${s.runbook} on ${s.database} (profile ${s.profile || '-'}), started ${s.startedAt}`];
  const stepLines = (steps: RunStatus['steps']) => {
    for (const st of steps) {
      lines.push(`  ${MARK[st.state] ?? '[ ]'} ${st.id}: ${st.title} - ${st.state}${st.operator && st.state !== 'pending' ? ` by ${st.operator} at ${st.time}` : ''}${st.durationMs !== null ? ` in ${seconds(st.durationMs)}` : ''}`);
      for (const [i, c] of st.checklist.entries()) lines.push(`      ${c.signedBy ? '[x]' : '[ ]'} ${i + 1}. ${c.text}${c.signedBy ? ` - signed by ${c.signedBy} at ${c.time}: ${c.note}` : ''}`);
      if (st.evidence && OUTSIDE_KINDS.has(st.kind) && st.evidence.ran[0]) lines.push(`      ran: ${st.evidence.ran[0]}${st.evidence.refs.cwd ? ` (in ${st.evidence.refs.cwd})` : ''}`);
      if (st.evidence) lines.push(`      evidence: ${st.evidence.result}${st.evidence.digest ? ` (digest ${st.evidence.digest.slice(0, 16)})` : ''}`);
      if (st.error && st.state !== 'passed') lines.push(`      ${st.error}`);
      if (st.escalate) lines.push(`      escalate: ${st.escalate}`);
      if (st.waitingFor.length && st.state !== 'passed') lines.push(`      gate: waiting for ${st.waitingFor.join(', ')}`);
    }
  };
  stepLines(s.steps);
  const rb = s.rollback;
  if (rb) {
    lines.push(rb.startedAt ? `rollback, started by ${rb.startedBy} at ${rb.startedAt}: ${rb.reason}` : `rollback (not started; tenancy runbook rollback --run ${s.run} --write --reason "...")`);
    stepLines(rb.steps);
  }
  for (const [name, f] of Object.entries(s.followUps ?? {})) {
    if (!f.startedAt) {
      lines.push(`follow-up ${name}: ${f.dueAt === null ? `due ${f.afterDays} day(s) after the run completes` : f.due ? `due since ${f.dueAt} (tenancy runbook follow-up --run ${s.run} --name ${name} --write)` : `due at ${f.dueAt}`}`);
      continue;
    }
    lines.push(`follow-up ${name}, started by ${f.startedBy} at ${f.startedAt}${f.complete ? ' (every step passed)' : ` (next: ${f.next!.step}: ${f.next!.action})`}`);
    stepLines(f.steps);
  }
  for (const [name, p] of Object.entries(s.partialRollbacks ?? {})) {
    if (!p.startedAt) continue;
    lines.push(`partial rollback ${name}, started by ${p.startedBy} at ${p.startedAt}: ${p.reason}${p.complete ? ' (every step passed)' : ` (next: ${p.next!.step}: ${p.next!.action})`}`);
    stepLines(p.steps);
  }
  if (rb?.startedAt) lines.push(rb.complete ? 'rolled back: every rollback step passed' : `next: ${rb.next!.step}: ${rb.next!.action}`);
  else lines.push(s.complete ? 'complete: every step passed' : `next: ${s.next!.step}: ${s.next!.action}`);
  return lines.join('\n');
}

/** A command step's argv and cwd, printed before the program starts (as a write's SQL is). */
function printCommand(step: string, line: string, cwd: string): void {
  process.stderr.write(`${step}: command (argv, no shell) in ${cwd}:\n    ${line}\n`);
}

/** Expected times per step, for humans. */
export function formatExpected(steps: readonly ExpectedStep[], reference: string): string {
  const total = steps.reduce((n, s) => n + (s.expectedMs ?? 0), 0);
  return [`expected times (from run ${reference}):`, ...steps.map((s) => `  ${s.id}: ${s.expectedMs === null ? '-' : seconds(s.expectedMs)} - ${s.basis}`),
    `  total (steps with an expectation): ${seconds(total)}`].join('\n');
}

function templatesDir(): string {
  return path.join(projectRoot(), 'runbooks', 'templates');
}

/** "--sign deploy:2=smoke tests green" -> per step, per line. */
function parseSigns(values: string[]): Map<string, Record<number, string>> {
  const out = new Map<string, Record<number, string>>();
  for (const v of values) {
    const m = /^([a-z0-9][a-z0-9-]*):([0-9]+)=(.+)$/s.exec(v);
    if (!m || !m[3]!.trim()) throw new UserError(`--sign ${v}: write STEP:LINE=what you checked, e.g. --sign deploy:1="build 4711 live"`, 'usage');
    const lines = out.get(m[1]!) ?? {};
    lines[Number(m[2])] = m[3]!.trim();
    out.set(m[1]!, lines);
  }
  return out;
}

const collect = (v: string, acc: string[]) => [...acc, v];
const formatOption = () => new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');

/** The run id, positional or `--run ID` (one of them, the same if both). */
function runIdOf(positional: string | undefined, flag: string | undefined): string {
  if (positional !== undefined && flag !== undefined && positional !== flag) throw new UserError(`give the run id once: ${positional} or --run ${flag}`, 'usage', '--run');
  const id = positional ?? flag;
  if (id === undefined) throw new UserError('give the run id: --run ID (tenancy runbook list shows them)', 'usage', '--run');
  return checkRunId(id);
}

/** A run as `runbooks/status` returns it over IPC: label, status, the steps as written, journal verification. */
function runView(run: string) {
  const r = readRun(run);
  return { label: r.label, template: templateIdOf(r.file), status: r.status, steps: r.runbook.steps, verification: r.verification, active: null };
}

/** Register `tenancy runbook`. */
export function registerRunbook(program: Command): void {
  const rb = program.command('runbook').description('runbooks: steps with gates, sign-off and evidence, journaled in a signed hash chain');

  const runCmd = addModelOptions(addConnectionOptions(rb.command('run').argument('<file>', 'runbook YAML file')));
  deprecatedAlias(runCmd, '--confirm <db>', '--confirm-db');
  addAllowCommandsOption(runCmd, 'run');
  runCmd
    .description('run the runbook\'s steps until one does not pass (a new run, or --run ID to continue one); every write\'s SQL is printed before it runs')
    .option('--write', 'run it (a runbook writes: backups, migrations, backfills, sql steps, probes)')
    .option('--confirm-db <name>', 'on production: the database name, typed')
    .option('--run <id>', 'continue this run')
    .option('--step <id>', 'run only this step (its gate still applies)')
    .option('--yes-manual <note>', 'sign off the manual step reached that has no checklist (or an approval), with this note')
    .option('--sign <step:line=note>', 'sign one checklist line of a manual step (repeat for each line)', collect, [])
    .option('--ci', 'non-interactive: a manual step that cannot be signed fails; an approval records GitHub Actions\' identity and run')
    .action(async (file: string, o: RunCliOptions) => {
      const { runbook, text, notes } = readRunbook(file);
      for (const n of notes) process.stderr.write(`tenancy: note: ${file}: ${n}\n`);
      await assertRunbookSql(file, text, runbook);
      if (o.run) checkRunId(o.run);
      requireWrite(o, 'runbook run');
      const signs = parseSigns(o.sign);
      for (const id of signs.keys()) if (!runbook.steps.some((s) => s.id === id && s.kind === 'manual')) throw new UserError(`--sign ${id}: no manual step ${id} in this runbook`, 'usage');
      const operator = runbookOperator();
      const newRun = o.run ? undefined : newRunId();
      setCliAuditRun(o.run ?? newRun);
      await withSession(o, async (session, _target, signal) => {
        await session.enableWrite(o.confirmDb);
        const status = await runRunbook({
          session, file, runbook, text, run: o.run, newRun, step: o.step, operator: operator.name, override: operator.override !== null,
          identities: [operator.osUser, ...(operator.git ? [operator.git] : [])], ci: o.ci, signal,
          signOff: (s) => ({ note: s.checklist.length ? undefined : o.yesManual, lines: signs.get(s.id) ?? {} }),
          onStep: (s, state, detail) => process.stderr.write(`${s.id}: ${state}${detail ? ` - ${detail.split('\n')[0]}` : ''}\n`),
          onSql: (step, sql) => process.stderr.write(`${step}: SQL:\n${sql.trim().split('\n').map((l) => `    ${l}`).join('\n')}\n`),
          allowCommands: o.allowCommands === true, onCommand: printCommand,
          onBackfill: (e) => { if (e.phase !== 'counting') process.stderr.write(`  ${formatProgress(e)}\n`); },
        });
        if (!status.complete) exitState.code = status.steps.some((s) => s.state === 'failed' || s.state === 'blocked') ? 1 : 0;
        if (o.ci && !status.complete) exitState.code = 1;
        if (o.format === 'json') printOk(runView(o.run ?? newRun!));
        else process.stdout.write(`${formatRunStatus(status)}\n`);
      });
    });

  addAllowCommandsOption(addConnectionOptions(rb.command('rollback')), 'rollback')
    .description('run the rollback section of the runbook run --run ID started with (restores from the run\'s backups, undoes the contract), journaled in the run\'s journal; every write\'s SQL is printed before it runs')
    .requiredOption('--run <id>', 'the run to roll back')
    .option('--reason <text>', 'why, journaled with the rollback (required the first time)')
    .option('--write', 'required: a rollback writes to the database')
    .option('--confirm-db <name>', 'on production: the database name, typed')
    .option('--confirm-table <schema.table>', 'on production: each table a real restore step writes, typed (repeat)', collect, [])
    .option('--step <id>', 'run only this rollback step (its gate still applies)')
    .option('--section <name>', 'a named partial rollback of the runbook (rollbacks:, e.g. rls or indexes) instead of the whole way back; the run is not ended by it')
    .option('--yes-manual <note>', 'sign off the manual rollback step reached that has no checklist, with this note')
    .option('--sign <step:line=note>', 'sign one checklist line of a manual rollback step (repeat for each line)', collect, [])
    .action(async (o: RunCliOptions & { run: string; reason?: string; confirmTable: string[]; section?: string }) => {
      checkRunId(o.run);
      requireWrite(o, 'runbook rollback');
      const before = readRun(o.run).status;
      const started = o.section === undefined ? before.rollback?.startedAt : before.partialRollbacks?.[o.section]?.startedAt;
      if (!o.reason && !started) throw new UserError('say why the run is rolled back: --reason "..." (journaled)', 'usage', '--reason');
      const signs = parseSigns(o.sign);
      const operator = runbookOperator();
      setCliAuditRun(o.run);
      await withSession(o, async (session, _target, signal) => {
        await session.enableWrite(o.confirmDb);
        const status = await rollbackRun({
          session, run: o.run, reason: o.reason ?? 'continued', step: o.step, section: o.section, operator: operator.name, override: operator.override !== null,
          identities: [operator.osUser, ...(operator.git ? [operator.git] : [])], signal, confirmTables: o.confirmTable,
          signOff: (s) => ({ note: s.checklist.length ? undefined : o.yesManual, lines: signs.get(s.id) ?? {} }),
          onStep: (s, state, detail) => process.stderr.write(`${s.id}: ${state}${detail ? ` - ${detail.split('\n')[0]}` : ''}\n`),
          onSql: (step, sql) => process.stderr.write(`${step}: SQL:\n${sql.trim().split('\n').map((l) => `    ${l}`).join('\n')}\n`),
          allowCommands: o.allowCommands === true, onCommand: printCommand,
        });
        if (!(o.section === undefined ? status.rollback : status.partialRollbacks?.[o.section])?.complete) exitState.code = 1;
        if (o.format === 'json') printOk(runView(o.run));
        else process.stdout.write(`${formatRunStatus(status)}\n`);
      });
    });

  addAllowCommandsOption(addConnectionOptions(rb.command('follow-up')), 'follow-up')
    .description('run a follow-up of the run (the runbook\'s followUps:, e.g. day-1, week-1) once it is due after the run completed; journaled in the run\'s journal; refused before it is due')
    .requiredOption('--run <id>', 'the completed run')
    .requiredOption('--name <name>', 'the follow-up (runbook status lists them with their due time)')
    .option('--write', 'required: a follow-up\'s steps run like the run\'s own')
    .option('--confirm-db <name>', 'on production: the database name, typed')
    .option('--yes-manual <note>', 'sign off the manual step reached that has no checklist, with this note')
    .option('--sign <step:line=note>', 'sign one checklist line of a manual step (repeat for each line)', collect, [])
    .action(async (o: RunCliOptions & { run: string; name: string }) => {
      checkRunId(o.run);
      requireWrite(o, 'runbook follow-up');
      const signs = parseSigns(o.sign);
      const operator = runbookOperator();
      setCliAuditRun(o.run);
      await withSession(o, async (session, _target, signal) => {
        await session.enableWrite(o.confirmDb);
        const status = await runFollowUp({
          session, run: o.run, name: o.name, operator: operator.name, override: operator.override !== null,
          identities: [operator.osUser, ...(operator.git ? [operator.git] : [])], signal,
          signOff: (s) => ({ note: s.checklist.length ? undefined : o.yesManual, lines: signs.get(s.id) ?? {} }),
          onStep: (s, state, detail) => process.stderr.write(`${s.id}: ${state}${detail ? ` - ${detail.split('\n')[0]}` : ''}\n`),
          onSql: (step, sql) => process.stderr.write(`${step}: SQL:\n${sql.trim().split('\n').map((l) => `    ${l}`).join('\n')}\n`),
          allowCommands: o.allowCommands === true, onCommand: printCommand,
        });
        if (!status.followUps?.[o.name]?.complete) exitState.code = 1;
        if (o.format === 'json') printOk(runView(o.run));
        else process.stdout.write(`${formatRunStatus(status)}\n`);
      });
    });

  rb.command('validate').argument('<file>', 'runbook YAML file').description('check a runbook without running it: fields, step order and every SQL statement (parsed; transaction control and session changes refused)')
    .addOption(formatOption())
    .action(async (file: string, o: { format: string }) => {
      const { runbook, text, notes } = readRunbook(file);
      for (const n of notes) process.stderr.write(`tenancy: note: ${file}: ${n}\n`);
      await assertRunbookSql(file, text, runbook);
      if (o.format === 'json') printOk({ file, steps: runbook.steps.length });
      else process.stdout.write(`${file}: ${runbook.steps.length} step(s), valid\n`);
    });

  rb.command('status').argument('[run]', 'run id (or --run ID)').description('where a run stopped: each step\'s state, who, when, how long, evidence, gate and the next action (from the journal alone)')
    .option('--run <id>', 'run id')
    .addOption(formatOption())
    .option('--expected-from <run>', 'also the expected time of each step, from this reference run (staging) scaled by the table sizes this run recorded at start')
    .action((positional: string | undefined, o: { run?: string; format: string; expectedFrom?: string }) => {
      const run = runIdOf(positional, o.run);
      const opened = readRun(run);
      const started = Journal.open(run).entries[0]?.event;
      const expected = o.expectedFrom
        ? expectedTimes(opened.runbook, Journal.open(checkRunId(o.expectedFrom)).entries, started?.type === 'run-started' ? started.sizes ?? {} : {})
        : null;
      if (o.format === 'json') return printOk(expected ? { ...runView(run), expected } : runView(run));
      process.stdout.write(`${formatRunStatus(opened.status)}\n${expected ? `${formatExpected(expected, o.expectedFrom!)}\n` : ''}`);
    });

  addConnectionOptions(rb.command('plan').argument('<file>', 'runbook YAML file'))
    .description('the expected time of each step on this target: the durations of a reference run (the rehearsal on staging) scaled by the sizes of the tables each step names, here and there (read only)')
    .requiredOption('--from-run <run>', 'the reference run (e.g. the staging rehearsal)')
    .action(async (file: string, o: TargetOptions & { fromRun: string }) => {
      const { runbook } = readRunbook(file);
      const reference = Journal.open(checkRunId(o.fromRun)).entries;
      await withSession(o, async (session) => {
        const expected = expectedTimes(runbook, reference, await tableSizes(session, runbookTables(runbook)));
        if (o.format === 'json') printOk({ reference: o.fromRun, database: session.fingerprint.database, steps: expected });
        else process.stdout.write(`${formatExpected(expected, o.fromRun)}\n`);
      });
    });

  addConnectionOptions(rb.command('verify').argument('[run]', 'run id (or --run ID)'))
    .description('prove the run\'s journal unbroken: hash chain, the signed head of every line, and (with --profile/--url) the head kept in the target database (exit 1 when broken)')
    .option('--run <id>', 'run id')
    .option('--expect-key <keyId>', 'the key id the heads must be signed with (default: this installation\'s key)')
    .action(async (positional: string | undefined, o: VerifyCliOptions & { run?: string }) => {
      const run = runIdOf(positional, o.run);
      const dir = path.join(runsDir(), run);
      if (!fs.existsSync(path.join(dir, 'journal.jsonl'))) throw new UserError(`no run ${run}; see tenancy runbook list`, 'usage');
      const expectKey = o.expectKey ?? installationKeyId();
      const database = o.profile || o.url ? await withSession(o, (session) => readDatabaseHead(session, run)) : null;
      if ((o.profile || o.url) && !database) {
        exitState.code = 1;
        const reason = 'the target database holds no head for this run (not its target, or the head was removed)';
        if (o.format === 'json') {
          const v = verifySignedJournal(dir, { run, expectKey, database: null });
          return printOk({ verification: { ...v, ok: false, brokenAt: { line: v.lines, reason } } });
        }
        process.stdout.write(`journal of ${run} BROKEN: ${reason}\n`);
        return;
      }
      const v = verifySignedJournal(dir, { run, expectKey, database });
      const dumps = verifyRunDumps(dir);
      const badDumps = dumps.filter((d) => !d.ok);
      if (o.format === 'json') printOk({ verification: { ...v, dumps, ok: v.ok && badDumps.length === 0 } });
      else if (v.ok) {
        process.stdout.write(`journal of ${run} intact: ${v.lines} lines, head ${v.head}, every line signed by key ${v.keyId}${expectKey ? '' : ' (no expected key given)'}${database ? `; the target database's head is line ${database.seq}` : '; not compared with the target database (give --profile or --url)'}\n`);
      } else process.stdout.write(`journal of ${run} BROKEN at line ${v.brokenAt!.line}: ${v.brokenAt!.reason}\n`);
      if (o.format !== 'json') {
        if (dumps.length && !badDumps.length) process.stdout.write(`pg_dump files: ${dumps.length} match the sha256 the journal recorded\n`);
        for (const d of badDumps) process.stdout.write(`pg_dump of ${d.table} (step ${d.step}) does NOT verify: ${d.problem}\n`);
      }
      if (!v.ok || badDumps.length) exitState.code = 1;
    });

  rb.command('export').argument('[run]', 'run id (or --run ID)').description('write the run\'s journal, its signed heads and the public key into one file for an auditor')
    .option('--run <id>', 'run id')
    .option('--out <file>', 'where to write it (default: RUN.journal.json in the current directory)')
    .addOption(formatOption())
    .action((positional: string | undefined, o: { run?: string; out?: string; format: string }) => {
      const run = runIdOf(positional, o.run);
      const out = path.resolve(o.out ?? `${run}.journal.json`);
      if (fs.existsSync(out)) throw new UserError(`${out} exists; choose another --out`, 'usage', '--out');
      const bundle = exportRun(run);
      fs.writeFileSync(out, `${JSON.stringify(bundle, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
      if (o.format === 'json') printOk({ file: out, lines: bundle.journal.length, signatures: bundle.signatures.length, keyId: bundle.keyId });
      else process.stdout.write(`${out}: ${bundle.journal.length} lines, ${bundle.signatures.length} signed heads, key ${bundle.keyId}\n`);
    });

  rb.command('list').description('runs in the config directory, newest first').addOption(formatOption()).action((o: { format: string }) => {
    if (o.format === 'json') return printOk({ runs: summarizeRuns() });
    for (const r of listRuns()) process.stdout.write(`${r}\n`);
  });

  rb.command('new').description('write a runbook file from one of the five reference templates')
    .requiredOption('--template <n>', '000 (Drizzle two-phase), 001 (Supabase), 002 (Prisma CI), 003 (legacy map), 004 (inventory)')
    .option('--out <file>', 'where to write it (default: the template\'s name in the current directory)')
    .addOption(formatOption())
    .action((o: { template: string; out?: string; format: string }) => {
      const files = fs.readdirSync(templatesDir()).filter((f) => f.endsWith('.yaml'));
      const t = files.find((f) => f.startsWith(`${o.template}-`));
      if (!t) throw new UserError(`--template ${o.template}: use one of ${files.map((f) => f.slice(0, 3)).join(', ')}`, 'usage');
      const out = path.resolve(o.out ?? t);
      if (fs.existsSync(out)) throw new UserError(`${out} exists; choose another --out`, 'usage');
      fs.copyFileSync(path.join(templatesDir(), t), out);
      if (o.format === 'json') printOk({ file: out });
      else process.stdout.write(`${out}\n`);
    });
}
