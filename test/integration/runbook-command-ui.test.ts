/**
 * The console's window never starts a program: through the runbooks/* handlers (as the desktop
 * app and browser mode call them) on real PostgreSQL, a command step is refused with the exact CLI
 * line and nothing of it runs or is journaled; "run until the next stop" holds at it (journaled as
 * blocked, naming --allow-commands); the http step before it runs like a check.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { RunViewSchema } from '../../shared/contract/runbooks.js';
import { MemorySecretStore } from '../../main/engine/host/secret-store.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { createHostContext, type HostContext } from '../../main/handlers/context.js';
import { dispatch } from '../../main/handlers/dispatch.js';
import { HANDLERS } from '../../main/handlers/index.js';
import { tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeBin, startFakeApp, type FakeApp } from '../support/outside.js';

type RunView = z.output<typeof RunViewSchema>;

let db: TestDatabase;
let app: FakeApp;
let ctx: HostContext;
let connectionId: string;
let file: string;
let marker: string;
const savedPath = process.env.PATH;

async function call<T>(name: string, payload: unknown): Promise<T> {
  const r = await dispatch(HANDLERS, ctx, name, payload);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

beforeAll(async () => {
  db = await createTestDatabase('CREATE TABLE org (id text PRIMARY KEY);');
  app = await startFakeApp((r) => (r.url === '/sign-in' ? { status: 200, body: 'Sign in' } : null));
  const bin = fakeBin();
  const configDir = tempConfigDir();
  marker = path.join(configDir, 'smoke-ran');
  bin.add('fakesmoke', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); console.log('RESULT: 1 tests PASSED');`);
  process.env.PATH = bin.path;
  file = path.join(configDir, 'ui.yaml');
  fs.writeFileSync(file, `version: 1
title: UI drill
steps:
  - id: served
    kind: http
    title: Served
    request: { url: "${app.url}/sign-in" }
    expect: { bodyContains: "Sign in" }
  - id: smoke
    kind: command
    title: Smoke
    run: ["fakesmoke"]
`);
  ctx = createHostContext({
    mode: 'browser', version: 'test', configDir, audit: () => undefined,
    secrets: new MemorySecretStore({ persistent: false, backend: 'memory', note: 'test' }),
    emit: () => undefined,
  });
  const { profile, urlPassword } = profileFromUrl(db.url, { name: 'ui drill' });
  connectionId = (await ctx.connections.connect(profile, urlPassword)).id;
  await ctx.connections.setWriteMode(connectionId, true);
});

afterAll(async () => {
  process.env.PATH = savedPath;
  await ctx?.connections.closeAll();
  await app.close();
  await db.drop();
});

describe('command steps from the console', () => {
  it('are refused with the CLI line; the http step runs; run-until-stop holds at the command', async () => {
    const opened = await call<RunView>('runbooks/open', { connectionId, source: { kind: 'file', path: file } });
    const run = opened.status.run;
    const served = await call<RunView>('runbooks/runStep', { connectionId, run, step: 'served' });
    expect(served.status.steps[0]!.state).toBe('passed');

    await expect(call('runbooks/runStep', { connectionId, run, step: 'smoke' })).rejects.toThrow(
      `smoke runs a command (fakesmoke): it never runs from the console's window; run it from a terminal: tenancy runbook run ${file} --profile 'ui drill' --run ${run} --step smoke --write --allow-commands`,
    );
    expect(fs.existsSync(marker)).toBe(false);
    const after = await call<RunView>('runbooks/status', { run });
    expect(after.status.steps[1]!.state).toBe('pending');

    const held = await call<RunView>('runbooks/runStep', { connectionId, run, untilStop: true });
    const smoke = held.status.steps[1]!;
    expect(smoke.state).toBe('blocked');
    expect(smoke.error).toBe('step smoke runs a command (fakesmoke): rerun with --allow-commands');
    expect(held.status.next!.action).toBe('step smoke runs a command (fakesmoke): rerun with --allow-commands (the CLI prints the full argv before the program starts; commands never run from the UI)');
    expect(fs.existsSync(marker)).toBe(false);
  });
});
