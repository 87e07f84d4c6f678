/**
 * Steps outside the database on the Runbook and Window pages, in Chromium against browser mode:
 * each row shows its kind and what it runs or asks (argv, request, webhook); the http and notify
 * steps run from the page like checks and show their evidence (status, body, host); the command
 * step has no Run button anywhere: it shows the exact CLI line instead, and once that line (with
 * --allow-commands) ran it in a terminal, the page shows its exit code and output; the rehearsal
 * on staging says it is the rehearsal. Screenshots: test-results/screenshots/outside-*.png.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
import { cleanCli, runTenancy } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeBin, startFakeApp, type FakeApp, type FakeBin } from '../support/outside.js';
import { AppShell } from './pages/app.js';
import { ConnectionsPage } from './pages/connections.js';
import { RunbookPage } from './pages/runbook.js';
import { WindowPage } from './pages/window.js';
import { ensureRendererBuilt, launchChromium, screenshotPath } from './support/browser.js';

const PROFILE = 'E2E outside';
const RUNBOOK = `version: 1
title: Outside drill
steps:
  - id: sign-in-served
    kind: http
    title: The deploy serves /sign-in
    request: { url: "\${E2E_APP_URL}/sign-in" }
    expect: { status: [200], bodyContains: "Sign in" }
  - id: notify-start
    kind: notify
    title: Notify users of the window
    webhookEnv: E2E_WEBHOOK_URL
    message: "Maintenance on {database} starts now (run {run})"
  - id: smoke
    kind: command
    title: Tenant smoke checks
    run: ["fakesmoke", "a b", "it's"]
    expectOutput: "RESULT: .* PASSED"
  - id: rehearsed
    kind: rehearsal
    title: Rehearsed on staging
    environment: staging
`;

let db: TestDatabase;
let app: FakeApp;
let bin: FakeBin;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;
let file: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  const [made, rendererDir, fake] = await Promise.all([
    createTestDatabase('CREATE TABLE org (id text PRIMARY KEY);'),
    ensureRendererBuilt(),
    startFakeApp((r) => (r.url === '/sign-in' ? { status: 200, body: '<h1>Sign in</h1>' } : r.url.startsWith('/hooks/') ? { status: 204 } : null)),
  ]);
  db = made;
  app = fake;
  bin = fakeBin();
  bin.add('fakesmoke', "process.stdout.write('got ' + JSON.stringify(process.argv.slice(2)) + '\\nRESULT: 3 tests PASSED\\n');");
  // The console's own environment: where ${VAR} of the steps comes from (the host runs in this process).
  for (const [k, v] of Object.entries({ E2E_APP_URL: app.url, E2E_WEBHOOK_URL: `${app.url}/hooks/secret-path` })) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-outside-'));
  file = path.join(configDir, 'outside drill.yaml');
  fs.writeFileSync(file, RUNBOOK);
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
});

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  cleanCli();
  await browser?.close();
  await host?.close();
  await app?.close();
  await db?.drop();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('command, http, notify and rehearsal steps in the console', () => {
  const rb = () => new RunbookPage(page);
  let run = '';

  it('shows each step\'s kind and what it runs or asks; the command shows its CLI line and no Run button', async () => {
    await page.goto(host.url);
    await new AppShell(page).waitLoaded();
    const c = new ConnectionsPage(page);
    await c.addFromUrl({ url: db.url, name: PROFILE, environment: 'staging' });
    await c.save();
    await c.connect(PROFILE);
    await page.getByTestId('page-overview').waitFor();
    await rb().open();
    await rb().startFile(file);
    run = fs.readdirSync(path.join(configDir, 'runs')).find((d) => d.startsWith('run_'))!;

    const target = (id: string) => rb().step(id).getByTestId('outside-target');
    expect(await rb().step('sign-in-served').locator('.badge').first().textContent()).toBe('http');
    expect(await target('sign-in-served').textContent()).toBe('request, redirects not followed: GET ${E2E_APP_URL}/sign-in');
    expect(await target('notify-start').textContent()).toBe('webhook POST: ${E2E_WEBHOOK_URL}: Maintenance on {database} starts now (run {run})');
    expect(await target('smoke').textContent()).toBe("argv, no shell: fakesmoke 'a b' 'it'\\''s'");
    expect(await target('rehearsed').textContent()).toBe('looks in the runs folder for: a completed run of this runbook on staging within 14 day(s)');
    // The command waits for the steps before it, and even then offers no Run button.
    expect(await rb().step('smoke').getAttribute('data-state')).toBe('blocked');
    expect(await rb().step('smoke').getByRole('button', { name: /^Run/ }).count()).toBe(0);
    await rb().enableWriteMode();
  });

  it('runs the http and notify steps from the page like checks, with their evidence', async () => {
    await rb().step('sign-in-served').getByRole('button', { name: 'Run' }).click();
    await rb().waitStep('sign-in-served', 'passed');
    await rb().step('sign-in-served').getByRole('button', { name: 'Evidence' }).click();
    expect(await rb().step('sign-in-served').getByTestId('evidence-body').locator('pre').textContent()).toBe('<h1>Sign in</h1>');
    expect(await rb().step('sign-in-served').getByTestId('evidence').textContent()).toContain(`GET ${app.url}/sign-in`);

    await rb().step('notify-start').getByRole('button', { name: 'Run' }).click();
    await rb().waitStep('notify-start', 'passed');
    expect(JSON.parse(app.received.find((r) => r.url === '/hooks/secret-path')!.body)).toMatchObject({ text: `Maintenance on ${db.name} starts now (run ${run})`, step: 'notify-start' });
    await rb().step('notify-start').getByRole('button', { name: 'Evidence' }).click();
    const ev = await rb().step('notify-start').getByTestId('evidence').textContent();
    expect(ev).toContain(`sent to ${new URL(app.url).host}: answered 204`);
    expect(ev).not.toContain('secret-path');
    await rb().waitIdle();
  });

  it('shows the command\'s exact CLI line on both pages; run from a terminal, its evidence shows in the page', async () => {
    const line = `tenancy runbook run '${file}' --profile 'E2E outside' --run ${run} --step smoke --write --allow-commands`;
    await rb().waitStep('smoke', 'cli');
    expect(await rb().step('smoke').getByTestId('command-cli-line').locator('pre').textContent()).toBe(line);
    expect(await rb().step('smoke').getByRole('button', { name: /^Run/ }).count()).toBe(0);
    expect(await rb().header.getByTestId('next-action').textContent()).toContain('a command: run it from a terminal with the CLI line on its row');
    expect(await rb().header.getByRole('button', { name: 'Run next step' }).count()).toBe(0);
    await page.screenshot({ path: screenshotPath('outside-runbook'), fullPage: true });

    await new AppShell(page).go('Window');
    const win = new WindowPage(page);
    await win.waitStep('smoke', 'pending');
    expect(await win.sql.locator('figcaption span').textContent()).toBe('What this step runs (outside the database)');
    expect(await win.sql.locator('pre').textContent()).toBe("# argv, no shell\nfakesmoke 'a b' 'it'\\''s'");
    expect(await win.step.getByTestId('command-cli-line').locator('pre').textContent()).toBe(line);
    expect(await win.step.getByRole('button', { name: 'Run this step' }).count()).toBe(0);
    await page.screenshot({ path: screenshotPath('outside-window'), fullPage: true });

    // The operator runs the line in a terminal (here with --url for the profile's connection).
    const cli = await runTenancy(['runbook', 'run', file, '--url', db.url, '--run', run, '--step', 'smoke', '--write', '--allow-commands'], { TENANCY_CONFIG_DIR: configDir, PATH: bin.path });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toContain("smoke: command (argv, no shell) in");

    // Reopened, the run shows the command's evidence from the journal; the next step runs from the page.
    await rb().open();
    await rb().header.getByRole('button', { name: 'Other runs' }).click();
    await rb().picker.locator(`[data-run="${run}"]`).getByRole('button', { name: 'Reopen' }).click();
    await rb().header.waitFor();
    await rb().step('rehearsed').getByRole('button', { name: 'Run' }).click();
    await rb().waitStep('rehearsed', 'passed');
    await rb().waitStep('smoke', 'passed');
    await rb().step('smoke').getByRole('button', { name: 'Evidence' }).click();
    expect(await rb().step('smoke').getByTestId('evidence-stdout').locator('pre').textContent()).toBe('got ["a b","it\'s"]\nRESULT: 3 tests PASSED\n');
    expect(await rb().step('smoke').getByTestId('evidence').textContent()).toContain('exit 0 in');
    expect(await rb().step('smoke').getByTestId('command-cli-line').count()).toBe(0);
    await rb().step('rehearsed').getByRole('button', { name: 'Evidence' }).click();
    expect(await rb().step('rehearsed').getByTestId('evidence').textContent()).toContain('this run is on staging: it is the rehearsal');
  });
});
