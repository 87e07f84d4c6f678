/**
 * The Distribution page's rows-per-tenant chart in Chromium against browser mode and the Drizzle demo
 * (which plants NULL-organization lessons): every tenant drawn sorted on a zero-based scale whose top
 * is the biggest of the tenants and the buckets, the no-tenant bucket drawn with the count the
 * database holds, an empty missing-tenant bucket drawn empty; title and desc name the figures.
 * Count again counts again (a NULL lesson deleted meanwhile shows only then) and re-reads the selected
 * tenant's rows. axe-clean at 1440x900 and 1024x700; screenshots test-results/screenshots/distribution-chart-*.png.
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
import { ensureRendererBuilt, launchChromium } from './support/browser.js';


let db: DemoDatabase;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  const [d, rendererDir] = await Promise.all([
    loadScenario(adminUrl(), demoScenario('drizzle')!, 800, { database: `e2e_dist_chart_${process.pid}`, reuse: false }),
    ensureRendererBuilt(),
  ]);
  db = d;
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-dist-chart-'));
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

describe('the rows-per-tenant chart on Distribution', () => {
  const chart = () => page.getByTestId('tenant-distribution-chart');

  it('draws every tenant on a zero-based scale with the no-tenant bucket the database holds', async () => {
    const [orgs] = await query<{ n: string }>('SELECT count(*) AS n FROM organization');
    const [nulls] = await query<{ n: string }>('SELECT count(*) AS n FROM lessons WHERE organization_id IS NULL');
    expect(Number(nulls!.n)).toBeGreaterThan(0);

    await page.goto(host.url);
    await new AppShell(page).waitLoaded();
    const c = new ConnectionsPage(page);
    await c.addFromUrl({ url: db.url, name: 'Drizzle chart', environment: 'staging' });
    await c.save();
    await c.connect('Drizzle chart');
    await page.getByTestId('page-overview').waitFor();
    await new AppShell(page).go('Distribution');
    await chart().waitFor();

    expect(Number(await chart().getAttribute('data-tenants'))).toBe(Number(orgs!.n));
    const noTenant = Number(await chart().getByTestId('chart-no-tenant').getAttribute('data-rows'));
    const missing = Number(await chart().getByTestId('chart-missing-tenant').getAttribute('data-rows'));
    // The chart and its table equivalent (the bucket cards) say the same, and it includes at least the NULL lessons.
    expect(noTenant).toBeGreaterThanOrEqual(Number(nulls!.n));
    const cards = page.getByTestId('buckets').locator('.stat-value');
    expect(await cards.nth(0).textContent()).toBe(noTenant.toLocaleString('en-US'));
    expect(await cards.nth(1).textContent()).toBe(missing.toLocaleString('en-US'));
    // An empty bucket is drawn empty (no bar), a full one in red.
    const noTenantBar = chart().getByTestId('chart-no-tenant').locator('rect');
    expect(await noTenantBar.getAttribute('class')).toBe('bar-bad');
    if (missing === 0) expect(Number(await chart().getByTestId('chart-missing-tenant').locator('rect').getAttribute('height'))).toBe(0);
    // Zero-based: the top of the scale is the biggest of the first tenant in the sorted list and the buckets.
    const first = page.getByTestId('tenant-list').getByRole('option').first().locator('.num');
    const biggest = Number((await first.textContent())!.replace(/,/g, ''));
    expect(Number(await chart().getAttribute('data-max'))).toBe(Math.max(biggest, noTenant, missing));
    expect(await chart().locator('.axis text').first().textContent()).toBe('0');
    // Accessible: the image is named by its title and described by figures a screen reader can read.
    const svg = chart().locator('svg');
    expect(await svg.getAttribute('role')).toBe('img');
    expect(await svg.locator('title').textContent()).toContain(`${Number(orgs!.n).toLocaleString('en-US')} tenants sorted biggest first`);
    expect(await svg.locator('desc').textContent()).toContain(`No tenant (NULL): ${noTenant.toLocaleString('en-US')} rows`);
  });

  it('is axe-clean and fits at 1440x900 and 1024x700 (screenshots saved)', async () => {
    const problems = await shotsAndAxe(page, 'distribution-chart');
    expect(problems).toEqual([]);
  });

  it('keeps its count until Count again, which counts again and reads the selected tenant\'s rows again', async () => {
    const bucket = () => chart().getByTestId('chart-no-tenant');
    const before = Number(await bucket().getAttribute('data-rows'));
    const tenantList = page.getByTestId('tenant-list');
    await tenantList.getByRole('option').first().click();
    const footprint = page.getByTestId('footprint-table');
    await footprint.locator('tbody tr').first().waitFor();
    const rowsShown = await footprint.locator('tbody').textContent();
    await query("DELETE FROM lessons WHERE ctid IN (SELECT ctid FROM lessons WHERE organization_id IS NULL LIMIT 1)");
    await new AppShell(page).go('Overview');
    await new AppShell(page).go('Distribution');
    await chart().waitFor();
    expect(Number(await bucket().getAttribute('data-rows'))).toBe(before);
    await page.getByTestId('page-distribution').getByRole('button', { name: 'Count again' }).click();
    await expect.poll(async () => Number(await bucket().getAttribute('data-rows'))).toBe(before - 1);
    await footprint.locator('tbody tr').first().waitFor();
    expect(await footprint.locator('tbody').textContent()).toBe(rowsShown);
  });
});
