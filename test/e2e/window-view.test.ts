/**
 * The DBA's window view in Chromium against browser mode and the Drizzle demo: a two-step runbook
 * file run from the Window page; the first step's NOTICE shows in "Last NOTICEs"; the second,
 * held on a row lock another session holds, shows as running with its full SQL, elapsed against
 * the runbook's expected time, and the lock watch ("Blocking this step") naming the row lock, its
 * holder pid and transaction; the console's own bookkeeping NOTICEs never show; released, the run
 * completes and the write-mode banner (in the environment's colour, full width) switches itself
 * off. axe-clean at 1440x900 and 1024x700; screenshots test-results/screenshots/window-*.png.
 */
import { WIDE, shotsAndAxe } from './support/screens.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, type DemoDatabase } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
import { adminUrl } from '../support/db.js';
import { AppShell } from './pages/app.js';
import { ConnectionsPage } from './pages/connections.js';
import { RunbookPage } from './pages/runbook.js';
import { WindowPage } from './pages/window.js';
import { ensureRendererBuilt, launchChromium } from './support/browser.js';

const RUNBOOK = `version: 1
title: Window drill
steps:
  - id: hello
    kind: sql
    title: Count the lessons out loud
    sql: "DO $$ BEGIN RAISE NOTICE 'window drill: % lessons', (SELECT count(*) FROM lessons); END $$;"
  - id: touch
    kind: sql
    title: Touch lesson 1
    expectedMinutes: 2
    sql: "UPDATE lessons SET notes = notes WHERE id = 1;"
`;

let db: DemoDatabase;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;
let holder: pg.Client | null = null;

beforeAll(async () => {
  const [loaded, rendererDir] = await Promise.all([
    loadScenario(adminUrl(), demoScenario('drizzle')!, 600, { database: `e2e_window_${process.pid}`, reuse: false }),
    ensureRendererBuilt(),
  ]);
  db = loaded;
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-window-'));
  fs.writeFileSync(path.join(configDir, 'drill.yaml'), RUNBOOK);
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: WIDE, bypassCSP: true });
  page = await context.newPage();
});

afterAll(async () => {
  await holder?.end().catch(() => undefined);
  await browser?.close();
  await host?.close();
  if (db) {
    const root = new pg.Client({ connectionString: adminUrl() });
    await root.connect();
    await root.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db.database)} WITH (FORCE)`);
    await root.end();
  }
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('the window view', () => {
  const win = () => new WindowPage(page);
  const shell = () => new AppShell(page);

  it('follows the run open on the Runbook page, and shows the next step\'s SQL before it runs', async () => {
    await page.goto(host.url);
    await shell().waitLoaded();
    await shell().go('Window');
    await win().root.getByText('No run open').waitFor();
    const c = new ConnectionsPage(page);
    await shell().go('Connections');
    await c.addFromUrl({ url: db.url, name: 'Drizzle window', environment: 'staging', lockTimeoutMs: 0 });
    await c.save();
    await c.connect('Drizzle window');
    await page.getByTestId('page-overview').waitFor();
    const rb = new RunbookPage(page);
    await rb.open();
    await rb.picker.locator('input[name="runbook-file"]').fill(path.join(configDir, 'drill.yaml'));
    await rb.picker.getByRole('button', { name: 'Start run from file' }).click();
    await rb.header.waitFor();
    await rb.enableWriteMode();

    const banner = shell().writeBanner;
    expect(await banner.getAttribute('data-environment')).toBe('staging');
    const box = (await banner.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(WIDE.width - 1);
    expect(await banner.textContent()).toContain('WRITE MODE ON · STAGING');

    await shell().go('Window');
    await win().waitStep('hello', 'pending');
    expect(await win().sql.textContent()).toContain("RAISE NOTICE 'window drill");
    expect(await win().clock.getAttribute('data-state')).toBe('idle');
  });

  it('runs the first step (after showing every statement for confirmation) and shows its NOTICE', async () => {
    await win().step.getByRole('button', { name: 'Run this step' }).click();
    // The confirmation shows on the Window page itself: before, the click waited on a dialog only the Runbook page drew.
    expect(await new RunbookPage(page).confirm('hello')).toEqual([expect.stringContaining("RAISE NOTICE 'window drill")]);
    await win().notices.getByText(/window drill: \d+ lessons/).waitFor();
    expect(await win().notices.textContent()).toContain('hello · NOTICE');
    await win().waitStep('touch', 'pending');
  });

  it('shows the held step running: its SQL, elapsed against expected, and who blocks it', async () => {
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM lessons WHERE id = 1 FOR UPDATE');
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

    await win().step.getByRole('button', { name: 'Run this step' }).click();
    await new RunbookPage(page).confirm('touch');
    await win().waitStep('touch', 'running');
    await win().locks.locator(`[data-testid="lock-blockers"] td`, { hasText: String(holderPid) }).first().waitFor();
    // The caption is about the step, and a row-lock wait is named as one, with the holder and its transaction.
    expect(await win().locks.locator('[data-testid="lock-blockers"] caption').textContent()).toBe('Blocking this step (1)');
    const waiting = (await win().locks.getByTestId('lock-watch').locator('.status').textContent())!;
    expect(waiting).toMatch(new RegExp(`^Waiting for a row lock held by pid ${holderPid} \\(transaction \\d+\\): blocked by pid ${holderPid}$`));
    expect(await win().locks.textContent()).not.toContain('(no relation)');
    expect(await win().sql.textContent()).toContain('UPDATE lessons SET notes = notes WHERE id = 1;');
    expect(await win().sql.textContent()).toContain('SQL this step sent (1 statement)');
    expect(await win().clock.textContent()).toMatch(/elapsed of 2 min 00 s expected \(from the runbook\)/);
    expect(await shotsAndAxe(page, 'window-blocked')).toEqual([]);

    await holder.query('COMMIT');
    await holder.end();
    holder = null;
    await win().complete.waitFor();
    // Both steps ran the console's bookkeeping (CREATE ... IF NOT EXISTS in its schema): none of its NOTICEs show.
    expect(await win().notices.textContent()).toContain('window drill');
    expect(await win().notices.textContent()).not.toContain('already exists, skipping');
    expect(await win().notices.locator('li').count()).toBe(1);
    await shell().writeOffNotice.waitFor();
    expect(await shell().writeOffNotice.textContent()).toContain('is complete');
    expect(await shell().writeBanner.count()).toBe(0);
    // The next poll after the step ended: nothing runs, so no lock picture.
    await win().locks.getByText('Nothing runs now').waitFor();
    expect(await shotsAndAxe(page, 'window-complete')).toEqual([]);
  });
});
