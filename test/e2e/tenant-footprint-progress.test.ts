/**
 * The Tenant page's footprint count shows progress and can be cancelled, in Chromium against browser
 * mode and the Drizzle demo: with lessons locked by another session, the count says which table it is
 * counting and how many of the tables in reach are done; Cancel stops the waiting statement on the
 * server (no session of the console waits on the lock afterwards) and says so; Count again, with the
 * lock gone, shows the footprint. axe-clean while counting; screenshots tenant-progress-*.png.
 */
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
import { TenantPage } from './pages/tenant.js';
import { seriousViolations } from './support/axe.js';
import { ensureRendererBuilt, launchChromium, screenshotPath } from './support/browser.js';

const WIDE = { width: 1440, height: 900 };
const NARROW = { width: 1024, height: 700 };

let db: DemoDatabase;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;

beforeAll(async () => {
  const [d, rendererDir] = await Promise.all([
    loadScenario(adminUrl(), demoScenario('drizzle')!, 600, { database: `e2e_tenant_progress_${process.pid}`, reuse: false }),
    ensureRendererBuilt(),
  ]);
  db = d;
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-tenant-progress-'));
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: WIDE, bypassCSP: true });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  if (db) {
    const c = new pg.Client({ connectionString: adminUrl() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db.database)} WITH (FORCE)`);
    await c.end();
  }
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('the footprint count on the Tenant page', () => {
  const tp = () => new TenantPage(page);
  const progress = () => page.getByTestId('footprint-progress');

  it('shows tables done of total and the table being counted, and Cancel stops it on the server', async () => {
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    // Watched from a session of its own: inside the locker's transaction pg_stat_activity is one cached snapshot.
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    const waiting = () => watcher.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'tenancy-console' AND wait_event_type = 'Lock'`).then((r) => r.rows[0].n as number);
    try {
      const [org] = (await locker.query<{ id: string; name: string }>('SELECT id, name FROM organization ORDER BY id LIMIT 1')).rows;
      await page.goto(host.url);
      await new AppShell(page).waitLoaded();
      const c = new ConnectionsPage(page);
      await c.addFromUrl({ url: db.url, name: 'Drizzle progress', environment: 'staging', lockTimeoutMs: 0 });
      await c.save();
      await c.connect('Drizzle progress');
      await page.getByTestId('page-overview').waitFor();
      await new AppShell(page).go('Tenant');

      await locker.query('BEGIN');
      await locker.query('LOCK TABLE lessons IN ACCESS EXCLUSIVE MODE');
      await tp().find(org!.id);
      await progress().waitFor();
      await expect.poll(waiting, { timeout: 30_000 }).toBe(1);
      const text = page.getByTestId('footprint-progress-text');
      await expect.poll(() => text.textContent(), { timeout: 30_000 }).toMatch(/^\d+ of \d+ tables · counting public\.lessons$/);
      const [done, total] = (await text.textContent())!.match(/\d+/g)!.map(Number);
      expect(total).toBeGreaterThan(1);
      expect(done).toBeLessThan(total!);
      expect(Number(await progress().locator('progress').getAttribute('value'))).toBe(done);

      const problems: string[] = [];
      for (const [size, vp] of [['1440', WIDE], ['1024', NARROW]] as const) {
        await page.setViewportSize(vp);
        await page.screenshot({ path: screenshotPath(`tenant-progress-counting-${size}`), fullPage: true });
        problems.push(...(await seriousViolations(page)).map((p) => `${size}: ${p.id} ${p.targets.join(' ')}`));
      }
      await page.setViewportSize(WIDE);
      expect(problems).toEqual([]);

      await progress().getByRole('button', { name: 'Cancel count' }).click();
      await page.getByTestId('footprint-cancelled').waitFor();
      await expect.poll(waiting).toBe(0);
      expect(await page.getByTestId('footprint-cancelled').textContent()).toContain('stopped on the server');
      expect(await tp().footprint.count()).toBe(0);
      await page.screenshot({ path: screenshotPath('tenant-progress-cancelled-1440'), fullPage: true });

      await locker.query('ROLLBACK');
      await page.getByTestId('footprint-cancelled').getByRole('button', { name: 'Count again' }).click();
      await tp().waitFootprint(org!.id);
      expect(await tp().footprintRow('lessons').count()).toBe(1);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await watcher.end();
    }
  });
});
