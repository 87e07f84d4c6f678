/**
 * `command` and `http` steps on real PostgreSQL, through the CLI as an operator runs them: a
 * command runs only with --allow-commands (the argv printed first), reaches the program as the
 * same arguments however hostile, and journals its exit code, output tails and hashes; an http
 * step checks the deployed application from outside without following redirects. Each planted
 * failure (exit 1, an unmatched pattern, an unset variable, a 404, a redirect where a 200 was
 * expected, a 200 where a guard's redirect was expected, a forbidden text, a hang) fails the step
 * naming it; the clean twin passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStatus, StepStatus } from '../../shared/runbook.js';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';
import { previewStep } from '../../main/engine/runbook/preview.js';
import { rollbackRun } from '../../main/engine/runbook/rollback.js';
import { runRunbook } from '../../main/engine/runbook/run.js';
import type { Session } from '../../main/engine/session.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeBin, startFakeApp, type FakeApp, type FakeBin } from '../support/outside.js';

let db: TestDatabase;
let app: FakeApp;
let bin: FakeBin;
let dir: string;
let env: NodeJS.ProcessEnv;
let session: Session;

/** The fake test suite: prints the arguments it got (JSON), its environment's keys, then a verdict. */
const SMOKE = `
const fs = require('node:fs');
if (process.env.FAKE_MARKER) fs.writeFileSync(process.env.FAKE_MARKER, 'ran');
process.stdout.write('ARGV ' + JSON.stringify(process.argv.slice(2)) + '\\n');
process.stdout.write('ENV ' + Object.keys(process.env).sort().join(',') + '\\n');
process.stdout.write('CWD ' + process.cwd() + '\\n');
if (process.env.FAKE_GRANDCHILD) require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'inherit', 'inherit'] }).unref();
if (process.env.FAKE_HANG) setInterval(() => {}, 1000);
else {
  process.stderr.write('warning: 1 test skipped\\n');
  process.stdout.write(process.env.FAKE_VERDICT ?? 'RESULT: 12 tests PASSED\\n');
  process.exitCode = Number(process.env.FAKE_EXIT ?? 0);
}`;

beforeAll(async () => {
  db = await createTestDatabase('CREATE TABLE org (id text PRIMARY KEY);');
  session = await db.session();
  await session.enableWrite();
  bin = fakeBin();
  bin.add('fakesmoke', SMOKE);
  app = await startFakeApp((r) => {
    const p = new URL(r.url, 'http://x').pathname;
    if (p === '/sign-in') return { status: 200, body: '<h1>Sign in</h1>' };
    if (p === '/dashboard') return { status: 302, headers: { location: '/sign-in?next=%2Fdashboard' } };
    if (p === '/admin') return { status: 200, body: '<h1>Admin</h1>' }; // a guard that is missing
    if (p === '/broken') return { status: 200, body: 'Internal error: boom' };
    if (p === '/moved') return { status: 301, headers: { location: '/elsewhere' } };
    return null;
  });
  dir = tempConfigDir();
  env = { TENANCY_CONFIG_DIR: dir, TENANCY_OPERATOR: 'dba-ann', PATH: bin.path, APP_URL: app.url, SMOKE_TOKEN: 'Bearer t0ken' };
}, 120_000);
afterAll(async () => {
  cleanCli();
  await app.close();
  await db.drop();
});

const HOSTILE = ['a b', "it's", 'x; rm -rf /tmp/nothing', '"quoted"', '$(id)', '*', ''];

function cleanRunbook(): string {
  return `version: 1
title: Outside checks
steps:
  - id: smoke
    kind: command
    title: Tenant smoke checks (fakesmoke)
    run: ["fakesmoke", ${HOSTILE.map((a) => JSON.stringify(a)).join(', ')}, "--token=\${SMOKE_TOKEN}", "cost $$5"]
    expectOutput: "RESULT: .* tests PASSED"
  - id: sign-in-served
    kind: http
    title: The deploy serves /sign-in
    request: { method: GET, url: "\${APP_URL}/sign-in?from=runbook", headersFromEnv: { Authorization: SMOKE_TOKEN } }
    expect: { status: [200], bodyContains: "Sign in", bodyExcludes: "Internal error" }
  - id: dashboard-guarded
    kind: http
    title: /dashboard sends a stranger to /sign-in
    request: { url: "\${APP_URL}/dashboard" }
    expect: { redirectTo: "/sign-in" }
`;
}

async function statusJson(run: string): Promise<RunStatus> {
  const r = await runTenancy(['runbook', 'status', run, '--format', 'json'], env);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { status: RunStatus }).status;
}

const stepOf = (s: RunStatus, id: string): StepStatus => s.steps.find((x) => x.id === id)!;

describe('command and http steps through tenancy runbook run', () => {
  it('hold a command until --allow-commands, print its argv, pass every argument through unchanged, and journal the evidence', async () => {
    const file = path.join(dir, 'outside.yaml');
    fs.writeFileSync(file, cleanRunbook());
    const marker = path.join(dir, 'smoke-ran');
    const validated = await runTenancy(['runbook', 'validate', file], env);
    expect(validated.stdout).toContain(`${file}: 3 step(s), valid`);

    const held = await runTenancy(['runbook', 'run', file, '--url', db.url, '--write'], { ...env, FAKE_MARKER: marker });
    expect(held.code).toBe(1);
    expect(held.stderr).toContain(`smoke: blocked - step smoke runs a command (fakesmoke 'a b' 'it'\\''s' 'x; rm -rf /tmp/nothing' '"quoted"' '$(id)' '*' '' '--token=\${SMOKE_TOKEN}' 'cost $$5'): rerun with --allow-commands`);
    expect(fs.existsSync(marker)).toBe(false);
    const run = /^run (run_\S+):/m.exec(held.stdout)![1]!;
    expect(held.stdout).toContain('next: smoke: step smoke runs a command');

    const ok = await runTenancy(['runbook', 'run', file, '--url', db.url, '--write', '--run', run, '--allow-commands'], { ...env, FAKE_MARKER: marker });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('complete: every step passed');
    // The full argv, substituted, before the program started.
    expect(ok.stderr).toContain(`smoke: command (argv, no shell) in ${dir}:\n    fakesmoke 'a b' 'it'\\''s' 'x; rm -rf /tmp/nothing' '"quoted"' '$(id)' '*' '' '--token=\${SMOKE_TOKEN}' 'cost $5'\n`);
    expect(ok.stderr.indexOf('smoke: command')).toBeLessThan(ok.stderr.indexOf('smoke: passed'));
    expect(fs.existsSync(marker)).toBe(true);

    const s = await statusJson(run);
    const smoke = stepOf(s, 'smoke').evidence!;
    const argv = [...HOSTILE, '--token=Bearer t0ken', 'cost $5'];
    // Journaled as printed: a secret-named variable stays \${NAME}; the program got its value.
    expect(JSON.parse(smoke.refs.argv!)).toEqual(['fakesmoke', ...HOSTILE, '--token=${SMOKE_TOKEN}', 'cost $5']);
    // What the program itself received: the same arguments, one each, none split or expanded.
    expect(smoke.refs.stdout).toContain(`ARGV ${JSON.stringify(argv)}\n`);
    expect(smoke.refs.stdout).toContain(`CWD ${fs.realpathSync(dir)}\n`);
    expect(smoke.refs.stderr).toBe('warning: 1 test skipped\n');
    expect(smoke.counts.exitCode).toBe(0);
    expect(smoke.refs.cwd).toBe(dir);
    expect(smoke.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(smoke.result).toMatch(/^exit 0 in \d+\.\d s, stdout matched \/RESULT: \.\* tests PASSED\/: RESULT: 12 tests PASSED$/);
    // The console's own environment, and no database password added to it.
    expect(smoke.refs.stdout).not.toMatch(/\bPGPASSWORD\b/);
    const password = new URL(db.url).password;
    if (password) expect(smoke.refs.stdout).not.toContain(password);

    const signIn = stepOf(s, 'sign-in-served').evidence!;
    expect(signIn.ran).toEqual([`GET ${app.url}/sign-in?from=runbook`]);
    expect(signIn.refs.status).toBe('200');
    expect(signIn.refs.body).toBe('<h1>Sign in</h1>');
    expect(signIn.result).toMatch(/^answered 200 in \d+ ms, has "Sign in", has no "Internal error"$/);
    expect(JSON.stringify(stepOf(s, 'sign-in-served'))).not.toContain('t0ken'); // header values are never journaled
    expect(app.received.find((r) => r.url === '/sign-in?from=runbook')!.headers.authorization).toBe('Bearer t0ken');
    const guard = stepOf(s, 'dashboard-guarded').evidence!;
    expect(guard.refs.location).toBe('/sign-in?next=%2Fdashboard');
    expect(guard.result).toContain('redirects to /sign-in?next=%2Fdashboard');
    // The redirect was not followed: /sign-in was asked for once, by the sign-in step.
    expect(app.received.filter((r) => r.url.startsWith('/sign-in')).length).toBe(1);

    const human = await runTenancy(['runbook', 'status', run], env);
    expect(human.stdout).toContain(`      ran: fakesmoke 'a b'`);
    expect(human.stdout).toContain(`      ran: GET ${app.url}/dashboard`);
  }, 120_000);

  it('a rollback section takes --allow-commands too', async () => {
    const help = await runTenancy(['runbook', 'rollback', '--help'], env);
    expect(help.stdout).toContain('--allow-commands');
    const runHelp = await runTenancy(['runbook', 'run', '--help'], env);
    expect(runHelp.stdout).toContain('--allow-commands');
  });
});

/** One step, run through the engine on the real database; its status. */
async function runOne(step: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<StepStatus> {
  const text = `version: 1\ntitle: One step\nsteps:\n${step}`;
  const parsed = parseRunbookText(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const file = path.join(dir, 'one.yaml');
  fs.writeFileSync(file, text);
  const status = await runRunbook({
    session, file, runbook: parsed.runbook, text, operator: 'dba-ann', runsDir: path.join(dir, 'runs'), allowCommands: true,
    env: { ...process.env, PATH: bin.path, APP_URL: app.url, ...extraEnv },
  });
  return status.steps[0]!;
}

const smokeStep = (extra = '') => `  - id: smoke\n    kind: command\n    title: Smoke\n    run: ["fakesmoke"]\n    expectOutput: "RESULT: .* tests PASSED"\n${extra}`;
const httpStep = (url: string, expect: string) => `  - id: web\n    kind: http\n    title: Web\n    request: { url: "${url}" }\n    expect: ${expect}\n`;

describe('planted failures, each with its clean twin', () => {
  it('a command that exits 1 fails naming the exit code; exit 0 passes', async () => {
    const bad = await runOne(smokeStep(), { FAKE_EXIT: '1' });
    expect(bad.state).toBe('failed');
    expect(bad.error).toMatch(/^the command exited with 1, expected 0 \(after \d+\.\d s; see its stderr in the evidence\)$/);
    expect(bad.evidence!.counts.exitCode).toBe(1);
    expect((await runOne(smokeStep())).state).toBe('passed');
    // An expected non-zero exit is what is checked, not zero.
    expect((await runOne(smokeStep('    expectExit: 3\n'), { FAKE_EXIT: '3' })).state).toBe('passed');
  });

  it('an output that does not match fails naming the pattern', async () => {
    const bad = await runOne(smokeStep(), { FAKE_VERDICT: 'RESULT: 3 tests FAILED\n' });
    expect(bad.state).toBe('failed');
    expect(bad.error).toMatch(/^the command's stdout does not match \/RESULT: \.\* tests PASSED\/ \(exit 0 after/);
    expect(bad.evidence!.refs.stdout).toContain('RESULT: 3 tests FAILED');
  });

  it('an unset variable fails the step naming it, before the program starts', async () => {
    const marker = path.join(dir, 'unset-ran');
    const bad = await runOne(`  - id: smoke\n    kind: command\n    title: Smoke\n    run: ["fakesmoke", "\${NOT_SET_ANYWHERE}"]\n`, { FAKE_MARKER: marker });
    expect(bad.state).toBe('failed');
    expect(bad.error).toBe('${NOT_SET_ANYWHERE} is not set (step smoke, run[1]): export it before the run');
    expect(fs.existsSync(marker)).toBe(false);
    const twin = await runOne(`  - id: smoke\n    kind: command\n    title: Smoke\n    run: ["fakesmoke", "\${NOT_SET_ANYWHERE}"]\n`, { FAKE_MARKER: marker, NOT_SET_ANYWHERE: 'now set' });
    expect(twin.state).toBe('passed');
    expect(twin.evidence!.refs.stdout).toContain('ARGV ["now set"]');
  });

  it('a program that hangs is killed at its timeout; a missing program is named', async () => {
    const hung = await runOne(smokeStep('    timeoutMs: 300\n'), { FAKE_HANG: '1' });
    expect(hung.error).toBe('the command ran longer than 300 ms and was killed');
    // A program that starts another and hangs: the timeout stops both (its process group).
    const group = await runOne(smokeStep('    timeoutMs: 300\n'), { FAKE_HANG: '1', FAKE_GRANDCHILD: '1' });
    expect(group.error).toBe('the command ran longer than 300 ms and was killed');
    // One that exits but leaves a process holding its output: its exit counts, the leftover is killed.
    const left = await runOne(smokeStep(), { FAKE_GRANDCHILD: '1' });
    expect(left.state).toBe('passed');
    expect(left.evidence!.result).toMatch(/; processes it left running \(holding its output\) were killed$/);
    const missing = await runOne(`  - id: smoke\n    kind: command\n    title: Smoke\n    run: ["no-such-program-here"]\n`);
    expect(missing.error).toBe('the command could not start: no-such-program-here was not found (PATH or the path given)');
  });

  it('a 404 fails naming got and expected; the served route passes', async () => {
    const bad = await runOne(httpStep('${APP_URL}/sign-up', '{ status: [200] }'));
    expect(bad.error).toBe(`GET ${app.url}/sign-up answered 404, expected 200`);
    expect(bad.evidence!.refs.body).toBe('Not found');
    expect((await runOne(httpStep('${APP_URL}/sign-in', '{ status: [200] }'))).state).toBe('passed');
  });

  it('a redirect where a 200 was expected fails naming the redirect', async () => {
    const bad = await runOne(httpStep('${APP_URL}/dashboard', '{ status: [200], bodyContains: "Dashboard" }'));
    expect(bad.error).toBe(`GET ${app.url}/dashboard answered 302 (a redirect to /sign-in?next=%2Fdashboard), expected 200; the body does not contain "Dashboard"`);
  });

  it('a route whose guard is missing (200, no redirect) fails; a redirect elsewhere fails too', async () => {
    const open = await runOne(httpStep('${APP_URL}/admin', '{ redirectTo: "/sign-in" }'));
    expect(open.error).toBe(`GET ${app.url}/admin answered 200, expected a redirect to /sign-in`);
    const elsewhere = await runOne(httpStep('${APP_URL}/moved', '{ redirectTo: "/sign-in" }'));
    expect(elsewhere.error).toBe(`GET ${app.url}/moved answered 301 redirecting to /elsewhere, expected a redirect to /sign-in`);
  });

  it('a forbidden text in the body fails; user:password never reaches the journal', async () => {
    const withUser = app.url.replace('http://', 'http://ops:s3cret@');
    const bad = await runOne(httpStep(`${withUser}/broken?probe=1`, '{ bodyExcludes: "Internal error" }'));
    expect(bad.error).toBe(`GET ${app.url}/broken?probe=1 the body contains "Internal error", which it must not`);
    expect(JSON.stringify(bad)).not.toContain('s3cret');
    const unset = await runOne(httpStep('${NO_APP_URL}/sign-in', '{ status: [200] }'));
    expect(unset.error).toBe('${NO_APP_URL} is not set (step web, request.url): export it before the run');
  });
});

describe('before a step runs, and in a rollback section', () => {
  it('the preview shows the argv (secrets masked) and the URL (userinfo stripped), and names an unset variable', async () => {
    const parsed = parseRunbookText(cleanRunbook());
    if (!parsed.ok) throw new Error('clean runbook does not parse');
    const [smoke, signIn] = parsed.runbook.steps;
    const ctx = { settings: {}, resolve: (f: string) => f, baseDir: dir, env: { ...process.env, APP_URL: app.url.replace('http://', 'http://ops:pw@'), SMOKE_TOKEN: 'Bearer t0ken' } };
    const p = await previewStep(session, smoke!, ctx);
    expect(p.statements).toEqual([{ label: `command (argv, no shell) in ${dir}`, sql: `fakesmoke 'a b' 'it'\\''s' 'x; rm -rf /tmp/nothing' '"quoted"' '$(id)' '*' '' '--token=\${SMOKE_TOKEN}' 'cost $5'` }]);
    expect(p.notes[0]).toBe('a program of the team\'s: it runs only from the CLI with --allow-commands, never from the UI');
    const h = await previewStep(session, signIn!, ctx);
    expect(h.writes).toBe(false);
    expect(h.statements[0]!.sql).toBe(`GET ${app.url}/sign-in?from=runbook`);
    const unset = await previewStep(session, signIn!, { ...ctx, env: {} });
    expect(unset.notes).toEqual(['${APP_URL} is not set: the step fails until it is']);
  });

  it('a rollback\'s command is held without --allow-commands and runs with it', async () => {
    const text = `version: 1
title: With a way back
steps:
  - id: served
    kind: http
    title: Served
    request: { url: "\${APP_URL}/sign-in" }
rollback:
  - id: smoke-after-rollback
    kind: command
    title: Smoke after the rollback
    run: ["fakesmoke", "rolled back"]
    expectOutput: "PASSED"
`;
    const parsed = parseRunbookText(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const file = path.join(dir, 'with-rollback.yaml');
    fs.writeFileSync(file, text);
    const runsDir = path.join(dir, 'runs');
    const env = { ...process.env, PATH: bin.path, APP_URL: app.url };
    const started = await runRunbook({ session, file, runbook: parsed.runbook, text, operator: 'dba-ann', runsDir, env });
    expect(started.complete).toBe(true);
    const held = await rollbackRun({ session, run: started.run, reason: 'drill', operator: 'dba-ann', runsDir, env });
    const step = held.rollback!.steps[0]!;
    expect(step.state).toBe('blocked');
    expect(step.error).toBe('step smoke-after-rollback runs a command (fakesmoke \'rolled back\'): rerun with --allow-commands');
    const done = await rollbackRun({ session, run: started.run, reason: 'drill', operator: 'dba-ann', runsDir, env, allowCommands: true });
    expect(done.rollback!.complete).toBe(true);
    expect(done.rollback!.steps[0]!.evidence!.refs.stdout).toContain('ARGV ["rolled back"]');
  });
});
