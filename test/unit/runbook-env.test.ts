/**
 * `${VAR}` in command, http and notify steps: what validation refuses (with the field's line and
 * column), what substitution makes (and which variable it names when one is unset), what the
 * journal shows (secret-named variables stay `${NAME}`), the shell-quoted argv line, and a
 * command row's state on the checklist.
 */
import { describe, expect, it } from 'vitest';
import type { RunbookStep, StepStatus } from '../../shared/runbook.js';
import { commandCliLine, rowState } from '../../shared/runbook-checklist.js';
import { envTemplateProblem, shellLine, shownEnv, substituteEnv } from '../../shared/runbook-env.js';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';

describe('${VAR} syntax', () => {
  it.each([
    ['plain text', 'pnpm', null],
    ['a variable', '${APP_URL}/sign-in', null],
    ['a literal dollar', 'cost $$5 and $1 and a$', null],
    ['a default (shell syntax)', '${APP_URL:-x}', '"${APP_URL:-x}" is not a variable: write ${NAME} (letters, digits, _; no defaults or spaces), or $$ for a literal $'],
    ['unclosed', 'x ${APP', 'unclosed "${" at character 3: write ${NAME}'],
    ['a bare $NAME', '$HOME/app', '"$HOME" is not substituted (there is no shell): write ${HOME}, or $$HOME for a literal $'],
  ])('%s', (_n, text, want) => expect(envTemplateProblem(text)).toBe(want));

  it('substitutes from the environment and names the first unset (or empty) variable', () => {
    expect(substituteEnv('${A}-${B}-$$', { A: '1', B: 'two words' })).toEqual({ ok: true, value: '1-two words-$' });
    expect(substituteEnv('${A}-${B}', { A: '1', B: '' })).toEqual({ ok: false, missing: 'B' });
  });

  it('shows secret-named variables as ${NAME}, never their value', () => {
    expect(shownEnv('--token=${SMOKE_TOKEN} ${APP_URL} ${DB_PASSWORD} ${API_KEY}', { SMOKE_TOKEN: 't', APP_URL: 'http://a', DB_PASSWORD: 'p', API_KEY: 'k' }))
      .toBe('--token=${SMOKE_TOKEN} http://a ${DB_PASSWORD} ${API_KEY}');
  });

  it('quotes an argv so a POSIX shell reads back the same arguments', () => {
    expect(shellLine(['pnpm', 'test:tenancy', 'a b', "it's", 'x;y', ''])).toBe(`pnpm test:tenancy 'a b' 'it'\\''s' 'x;y' ''`);
  });
});

describe('validation of the new kinds', () => {
  it('names each bad field with its line and column', () => {
    const r = parseRunbookText(`version: 1
title: T
steps:
  - id: smoke
    kind: command
    title: Smoke
    run: ["pnpm", "$SUITE"]
  - id: web
    kind: http
    title: Web
    request: { url: "\${APP_URL}/x", headersFromEnv: { Authorization: "not a name" } }
`);
    expect(r.ok ? [] : r.issues.map((i) => `${i.line}:${i.column} ${i.field}: ${i.message}`)).toEqual([
      '7:19 steps[0].run[1]: "$SUITE" is not substituted (there is no shell): write ${SUITE}, or $$SUITE for a literal $',
      '11:70 steps[1].request.headersFromEnv.Authorization: an environment variable name: letters, digits and _',
    ]);
  });

  it('refuses a redirectTo with a status that is no redirect (a 200 has no Location to prove)', () => {
    const r = parseRunbookText('version: 1\ntitle: T\nsteps:\n  - id: web\n    kind: http\n    title: Web\n    request: { url: "${APP_URL}/x" }\n    expect: { status: [200], redirectTo: "/sign-in" }\n');
    expect(r.ok ? [] : r.issues.map((i) => `${i.line}:${i.column} ${i.field}: ${i.message}`)).toEqual([
      '8:23 steps[0].expect.status: redirectTo proves a redirect: give status only redirect codes (301, 302, 303, 307, 308), or drop status',
    ]);
    expect(parseRunbookText('version: 1\ntitle: T\nsteps:\n  - { id: web, kind: http, title: Web, request: { url: "${APP_URL}/x" }, expect: { status: 302, redirectTo: "/sign-in" } }\n').ok).toBe(true);
  });

  it('the clean twin parses, with defaults filled in', () => {
    const r = parseRunbookText('version: 1\ntitle: T\nsteps:\n  - { id: web, kind: http, title: Web, request: { url: "${APP_URL}/x" } }\n  - { id: r, kind: rehearsal, title: R }\n');
    expect(r.ok && r.runbook.steps).toEqual([
      { id: 'web', kind: 'http', title: 'Web', request: { method: 'GET', url: '${APP_URL}/x', headersFromEnv: {} }, expect: {} },
      { id: 'r', kind: 'rehearsal', title: 'R', environment: 'staging', withinDays: 14 },
    ]);
  });
});

describe('a command row on the checklist', () => {
  const st = (o: Partial<StepStatus>): StepStatus => ({ id: 'smoke', title: 'S', kind: 'command', state: 'pending', operator: null, time: null, evidence: null, error: null, durationMs: null, checklist: [], waitingFor: [], ...o });
  const def: RunbookStep = { id: 'smoke', title: 'S', kind: 'command', run: ['pnpm', 'test'], expectExit: 0 };
  it.each([
    ['reached, or held for --allow-commands: run from the CLI', st({}), 'cli'],
    ['held for --allow-commands', st({ state: 'blocked', error: 'rerun with --allow-commands' }), 'cli'],
    ['behind its gate', st({ waitingFor: ['backup'] }), 'blocked'],
    ['failed', st({ state: 'failed' }), 'failed'],
    ['passed', st({ state: 'passed' }), 'passed'],
  ] as const)('%s', (_n, status, want) => expect(rowState(status, def, null)).toBe(want));

  it('its CLI line names the file (quoted), the profile, the run and the step', () => {
    expect(commandCliLine('/srv/run books/a.yaml', 'run_20261202_010203_abcdef', 'smoke', 'app staging')).toBe("tenancy runbook run '/srv/run books/a.yaml' --profile 'app staging' --run run_20261202_010203_abcdef --step smoke --write --allow-commands");
    expect(commandCliLine('a.yaml', null, 'smoke', 'url')).toBe('tenancy runbook run a.yaml --step smoke --write --allow-commands');
  });
});
