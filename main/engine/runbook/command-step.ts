/**
 * A `command` step: a program of the team's run with an argv (never a shell), `${VAR}` taken from
 * the console's own environment (the database password is never added to it; secret-named
 * variables are printed and journaled as `${NAME}`, not their value), in the runbook's
 * directory unless it says where, killed after its timeout. Passes when the exit code is the one
 * expected and the stdout matches `expectOutput`. The evidence: argv, cwd, exit code, duration, the
 * last 4 KB of stdout and stderr and the sha256 of each whole stream.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Evidence, RunbookStep } from '../../../shared/runbook.js';
import { shellLine, shownEnv, substituteEnv } from '../../../shared/runbook-env.js';
import { CancelledError } from '../errors.js';
import { StepFailure } from './step-failure.js';

export type CommandStep = Extract<RunbookStep, { kind: 'command' }>;

/** Default time a command may take before it is killed. */
export const COMMAND_TIMEOUT_MS = 600_000;
/** After SIGTERM, how long before SIGKILL. */
const KILL_GRACE_MS = 5000;
/** After the program exits, how long programs it started may keep its output open before they are killed. */
const OUTPUT_GRACE_MS = 2000;
/** How much of the end of each stream the journal keeps. */
const TAIL_BYTES = 4096;
/** How much stdout is kept to match `expectOutput` against (the hash covers all of it). */
const MATCH_BYTES = 16 * 1024 * 1024;


/** The argv and cwd a command step runs with, or the first variable that is not set. */
export function resolveCommand(step: CommandStep, baseDir: string, env: Readonly<Record<string, string | undefined>>): { ok: true; argv: string[]; shown: string[]; cwd: string } | { ok: false; missing: string; field: string } {
  const argv: string[] = [];
  for (const [i, a] of step.run.entries()) {
    const r = substituteEnv(a, env);
    if (!r.ok) return { ok: false, missing: r.missing, field: `run[${i}]` };
    argv.push(r.value);
  }
  // What is printed and journaled: secret variables (by name: *TOKEN*, *KEY*, *PASSWORD*...) stay ${NAME}.
  const shown = step.run.map((a) => shownEnv(a, env));
  let cwd = baseDir;
  if (step.cwd !== undefined) {
    const r = substituteEnv(step.cwd, env);
    if (!r.ok) return { ok: false, missing: r.missing, field: 'cwd' };
    cwd = path.resolve(baseDir, r.value);
  }
  return { ok: true, argv, shown, cwd };
}

/** The line `runbook run` prints and refuses with when `--allow-commands` is not given. */
export function commandRefusal(step: CommandStep): string {
  return `step ${step.id} runs a command (${shellLine(step.run)}): rerun with --allow-commands`;
}

/** Keeps the last `max` bytes of a stream and hashes all of it. */
class StreamRecord {
  private chunks: Buffer[] = [];
  private kept = 0;
  private all: Buffer[] = [];
  private allBytes = 0;
  readonly hash = crypto.createHash('sha256');
  bytes = 0;
  constructor(private readonly max: number, private readonly keepAll = 0) {}
  add(b: Buffer): void {
    this.hash.update(b);
    this.bytes += b.length;
    if (this.allBytes < this.keepAll) {
      this.all.push(b);
      this.allBytes += b.length;
    }
    this.chunks.push(b);
    this.kept += b.length;
    while (this.kept - this.chunks[0]!.length >= this.max) this.kept -= this.chunks.shift()!.length;
  }
  tail(): string {
    const b = Buffer.concat(this.chunks);
    return b.subarray(Math.max(0, b.length - this.max)).toString('utf8');
  }
  text(): string {
    return Buffer.concat(this.all).toString('utf8');
  }
}

export interface CommandOptions {
  baseDir: string;
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
  /** The full argv (as one shell-quoted line) and cwd, before the program starts. */
  onCommand?: (line: string, cwd: string) => void;
}

/** Run a command step; the evidence, or a StepFailure naming the exit code, the pattern or the variable. */
export async function runCommandStep(step: CommandStep, o: CommandOptions): Promise<Evidence> {
  const resolved = resolveCommand(step, o.baseDir, o.env);
  if (!resolved.ok) {
    throw new StepFailure(`\${${resolved.missing}} is not set (step ${step.id}, ${resolved.field}): export it before the run`, {
      ran: [shellLine(step.run)], result: `not started: \${${resolved.missing}} is not set`, counts: {}, refs: {},
    });
  }
  const { argv, shown, cwd } = resolved;
  const line = shellLine(shown);
  const base = { ran: [line], counts: {} as Record<string, number>, refs: { cwd, argv: JSON.stringify(shown) } as Record<string, string> };
  if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) {
    throw new StepFailure(`the command's cwd ${cwd} is not a directory`, { ...base, result: 'not started: no such directory' });
  }
  o.onCommand?.(line, cwd);
  const timeoutMs = step.timeoutMs ?? COMMAND_TIMEOUT_MS;
  const out = new StreamRecord(TAIL_BYTES, step.expectOutput !== undefined ? MATCH_BYTES : 0);
  const err = new StreamRecord(TAIL_BYTES);
  const t0 = performance.now();
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; leftovers: boolean; spawnError: string | null }>((resolve) => {
    let timedOut = false;
    let leftovers = false;
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    // Its own process group, so a timeout or a cancel reaches the programs it started too.
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env: { ...o.env }, shell: false, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const signalGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        child.kill(sig);
      }
    };
    const kill = () => {
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => kill();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (v: { code: number | null; signal: NodeJS.Signals | null; spawnError: string | null }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      o.signal?.removeEventListener('abort', onAbort);
      resolve({ ...v, timedOut, leftovers });
    };
    child.stdout.on('data', (b: Buffer) => out.add(b));
    child.stderr.on('data', (b: Buffer) => err.add(b));
    child.on('error', (e: NodeJS.ErrnoException) => finish({ code: null, signal: null, spawnError: e.code === 'ENOENT' ? `${argv[0]} was not found (PATH or the path given)` : e.message }));
    child.on('exit', (code, signal) => {
      // The program ended; programs it left behind holding its output are stopped after a grace.
      grace = setTimeout(() => {
        leftovers = true;
        signalGroup('SIGKILL');
        finish({ code, signal, spawnError: null });
      }, OUTPUT_GRACE_MS);
    });
    child.on('close', (code, signal) => finish({ code, signal, spawnError: null }));
  });
  const durationMs = Math.round(performance.now() - t0);
  if (o.signal?.aborted) throw new CancelledError();
  const stdoutSha256 = out.hash.digest('hex');
  const ev: Evidence = {
    ...base,
    result: '',
    counts: { ...(ended.code !== null ? { exitCode: ended.code } : {}), durationMs, stdoutBytes: out.bytes, stderrBytes: err.bytes },
    refs: { ...base.refs, stdout: out.tail(), stderr: err.tail(), stdoutSha256, stderrSha256: err.hash.digest('hex') },
    digest: stdoutSha256,
  };
  const took = `${(durationMs / 1000).toFixed(1)} s`;
  const fail = (message: string): never => {
    throw new StepFailure(message, { ...ev, result: message });
  };
  if (ended.spawnError) fail(`the command could not start: ${ended.spawnError}`);
  if (ended.timedOut) fail(`the command ran longer than ${timeoutMs} ms and was killed`);
  if (ended.code === null) fail(`the command was killed by ${ended.signal ?? 'a signal'} after ${took}`);
  if (ended.code !== step.expectExit) fail(`the command exited with ${ended.code}, expected ${step.expectExit} (after ${took}; see its stderr in the evidence)`);
  let matched = '';
  if (step.expectOutput !== undefined) {
    const m = new RegExp(step.expectOutput, 'm').exec(out.text());
    if (!m) fail(`the command's stdout does not match /${step.expectOutput}/ (exit ${ended.code} after ${took})`);
    matched = `, stdout matched /${step.expectOutput}/: ${m![0].slice(0, 200)}`;
  }
  return { ...ev, result: `exit ${ended.code} in ${took}${matched}${ended.leftovers ? '; processes it left running (holding its output) were killed' : ''}` };
}
