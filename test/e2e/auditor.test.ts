/**
 * The auditor in Chromium against browser mode and the Drizzle demo: four reports of one database
 * (exact, estimate, exact after the NULL lessons are fixed, exact from a profile with another
 * scope) make its history: a chart of findings over time (the estimate hollow), a table with each
 * report's mode and scope, a warning that the scopes differ; comparing two exact reports of the
 * same scope says nothing is amiss, comparing different scopes says plainly what differs; the
 * evidence pack downloads as one file that verifies. axe-clean at 1440x900 and 1024x700;
 * screenshots test-results/screenshots/auditor-*.png.
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
import { verifyEvidencePack, type EvidencePack } from '../../main/engine/report/pack.js';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
import { adminUrl } from '../support/db.js';
import { AppShell } from './pages/app.js';
import { ConnectionsPage } from './pages/connections.js';
import { ReportsPage } from './pages/reports.js';
import { ensureRendererBuilt, launchChromium } from './support/browser.js';


let db: DemoDatabase;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;

beforeAll(async () => {
  const [loaded, rendererDir] = await Promise.all([
    loadScenario(adminUrl(), demoScenario('drizzle')!, 800, { database: `e2e_auditor_${process.pid}`, reuse: false }),
    ensureRendererBuilt(),
  ]);
  db = loaded;
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-auditor-'));
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: WIDE, bypassCSP: true, acceptDownloads: true });
  page = await context.newPage();
});

afterAll(async () => {
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

describe('the auditor', () => {
  const rp = () => new ReportsPage(page);
  const names: string[] = [];

  it('exports four reports of one database: exact, estimate, exact after a fix, exact with another scope', async () => {
    await page.goto(host.url);
    await new AppShell(page).waitLoaded();
    const c = new ConnectionsPage(page);
    await c.addFromUrl({ url: db.url, name: 'Drizzle audit', environment: 'staging' });
    await c.save();
    await c.connect('Drizzle audit');
    await page.getByTestId('page-overview').waitFor();
    await rp().open();
    for (const mode of ['exact', 'estimate'] as const) {
      await rp().exportReport(mode);
      names.push(await rp().lastExported());
    }
    const fix = new pg.Client({ connectionString: db.url });
    await fix.connect();
    await fix.query('UPDATE lessons l SET organization_id = s.organization_id FROM students s WHERE s.id = l.student_id AND l.organization_id IS NULL');
    await fix.end();
    await rp().exportReport('exact');
    names.push(await rp().lastExported());

    await new AppShell(page).go('Connections');
    await c.addFromUrl({ url: db.url, name: 'Drizzle audit scoped', environment: 'staging' });
    await c.form.locator('input[name="globalTables"]').fill('public.app_settings');
    await c.save();
    await c.connect('Drizzle audit scoped');
    await page.getByTestId('page-overview').waitFor();
    await rp().open();
    await rp().exportReport('exact');
    names.push(await rp().lastExported());
    expect(new Set(names).size).toBe(4);
  });

  it('shows the history of the database: a bar per report in time order, the estimate hollow, and that scopes differ', async () => {
    const history = page.getByTestId('report-history');
    await history.locator('[data-testid="history-table"] tbody tr').nth(3).waitFor();
    expect(await history.locator('[data-testid="findings-chart"] g[data-report]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-report')))).toEqual(names);
    expect(await history.locator(`g[data-report="${names[1]}"] rect.hollow`).count()).toBeGreaterThan(0);
    expect(await history.locator(`g[data-report="${names[0]}"] rect.hollow`).count()).toBe(0);
    const errors = async (name: string) => Number((await history.locator(`tr[data-report="${name}"] td.num`).first().textContent())!.replace(/,/g, ''));
    expect(await errors(names[2]!)).toBeLessThan(await errors(names[0]!));
    expect(await page.getByTestId('history-scope-warning').textContent()).toContain('2 different');
    expect(await history.locator(`tr[data-report="${names[3]}"] td.scope-cell`).textContent()).toContain('global public.app_settings');
    expect(await shotsAndAxe(page, 'auditor-history')).toEqual([]);
  });

  it('compares two exact reports of the same scope with no warning, and says plainly what differs otherwise', async () => {
    await rp().diff(names[0]!, names[2]!);
    expect(await page.getByTestId('diff-scope-warning').count()).toBe(0);
    expect(await page.getByTestId('diff-mode-warning').count()).toBe(0);
    expect(await rp().diffResult.textContent()).toMatch(/resolved/i);
    await rp().diffCard.locator('select[name="diff-a"]').selectOption(names[2]!);
    await rp().diffCard.locator('select[name="diff-b"]').selectOption(names[3]!);
    const warning = page.getByTestId('diff-scope-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('different scope: global: none → public.app_settings');
    await rp().diffCard.locator('select[name="diff-b"]').selectOption(names[1]!);
    await page.getByTestId('diff-mode-warning').waitFor();
  });

  it('downloads the evidence pack of a report as one file that verifies', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), rp().item(names[2]!).getByRole('button', { name: 'Evidence pack' }).click()]);
    expect(download.suggestedFilename()).toBe(names[2]!.replace(/\.json$/, '.evidence.json'));
    const text = fs.readFileSync((await download.path())!, 'utf8');
    expect(verifyEvidencePack(text)).toMatchObject({ ok: true, problems: [] });
    const pack = JSON.parse(text) as EvidencePack;
    expect(pack.parts.report.content.integrity.digest).toBe(JSON.parse(fs.readFileSync(path.join(configDir, 'reports', names[2]!), 'utf8')).integrity.digest);
    expect(pack.parts.audit.content.records.length).toBeGreaterThan(0);
  });
});
