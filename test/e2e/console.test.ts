/**
 * The console in Chromium against browser mode and a real database: connect, run checks, open a
 * finding's samples, filter the null-safety table, find orphans, look up one tenant, probe
 * isolation, cancel a running exact check. Screenshots of every page go to test-results/screenshots.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
import { AppShell } from './pages/app.js';
import { ConnectionsPage } from './pages/connections.js';
import { DistributionPage } from './pages/distribution.js';
import { IsolationPage } from './pages/isolation.js';
import { NullSafetyPage } from './pages/null-safety.js';
import { OrphansPage } from './pages/orphans.js';
import { OverviewPage } from './pages/overview.js';
import { ensureRendererBuilt, launchChromium, screenshotPath } from './support/browser.js';
import { createConsoleFixture, type ConsoleFixture } from './support/fixture.js';

let fixture: ConsoleFixture;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;
const bodies: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

beforeAll(async () => {
  const [f, rendererDir] = await Promise.all([createConsoleFixture(), ensureRendererBuilt()]);
  fixture = f;
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-'));
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('response', (res) => {
    if (!res.url().includes('/api/') || res.url().endsWith('/api/events')) return;
    res.text().then((t) => bodies.push(t), () => undefined);
  });
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await fixture?.drop();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('the console in browser mode', () => {
  const app = () => new AppShell(page);

  it('signs in with the launch token and shows the designed empty state', async () => {
    await page.goto(host.url);
    await app().waitLoaded();
    expect(new URL(page.url()).search).toBe('');
    await expect.poll(() => page.getByText('No connection profiles yet').isVisible()).toBe(true);
    expect(await app().envBand.getAttribute('data-environment')).toBe('none');
    await shot('01-connections-empty');
  });

  it('adds a profile from a pasted URL, tests it (fingerprint) and connects', async () => {
    const c = new ConnectionsPage(page);
    await c.addFromUrl({ url: fixture.url, name: 'Fixture staging', environment: 'staging', lockTimeoutMs: 0 });
    await c.testConnection();
    expect(await c.fingerprint.textContent()).toContain(fixture.db.name);
    await shot('02-connections-form-tested');
    await c.save();
    await expect.poll(() => c.profileRow('Fixture staging').textContent()).toContain('held by the console');
    await c.connect('Fixture staging');
    await app().root.getByTestId('page-overview').waitFor();
    expect(await app().envBand.getAttribute('data-environment')).toBe('staging');
    expect(await app().envBand.textContent()).toContain('read-only');
  });

  it('shows the model and estimated findings at once, then the exact run with samples', async () => {
    const o = new OverviewPage(page);
    await o.severity.waitFor();
    expect(await o.summary.textContent()).toContain('public.organizations');
    expect(await o.root.textContent()).toContain('estimates');
    await shot('03-overview-estimate');
    await o.runExact();
    await o.waitRunState('done');
    expect(await o.severity.textContent()).toContain('Exact');
    await o.openFinding('Rows with no tenant', 'tasks');
    const drawer = app().drawer('finding-detail');
    await drawer.waitFor();
    expect(await drawer.textContent()).toContain('5 of 400 rows have NULL organization_id');
    expect(await drawer.locator('.sample-table tbody tr').count()).toBe(5);
    expect(await drawer.getByTestId('evidence-sql').textContent()).toContain('IS NULL');
    await shot('04-overview-finding-samples');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  it('filters and sorts the null-safety table; a row opens its samples and remedy', async () => {
    await app().go('Null safety');
    const ns = new NullSafetyPage(page);
    await ns.rows.first().waitFor();
    expect(await ns.count.textContent()).toMatch(/^4 of 4 tables · 8 NULL-tenant rows/);
    await shot('05-null-safety');
    await ns.filter('task');
    await expect.poll(() => ns.count.textContent()).toMatch(/^1 of 4 tables/);
    expect(await ns.rows.count()).toBe(1);
    await ns.row('tasks').click();
    const drawer = app().drawer('finding-detail');
    await drawer.waitFor();
    expect(await drawer.getByTestId('remedy-sql').textContent()).toContain('UPDATE');
    await shot('06-null-safety-detail');
    await page.keyboard.press('Escape');
    await ns.filter('Odd');
    await expect.poll(() => ns.count.textContent()).toMatch(/^1 of 4 tables/);
    expect(await ns.rows.first().textContent()).toContain('Odd "Name"; x');
    await ns.filter('');
  });

  it('finds orphans grouped by missing id, and cross-tenant references side by side', async () => {
    await app().go('Orphans');
    const o = new OrphansPage(page);
    await o.find();
    expect(await o.group('999').textContent()).toContain('4 rows');
    await o.crossTenant.waitFor();
    expect(await o.crossTenant.textContent()).toContain('tasks_project_id_fkey');
    expect(await o.crossTenant.locator('caption', { hasText: 'Parent' }).count()).toBeGreaterThan(0);
    const download = page.waitForEvent('download');
    await o.groups.getByRole('button', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    // The CSV holds the orphan rows themselves (key and tenant value), not counts: the 4 tasks of missing tenant 999.
    const csv = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(csv[0]).toBe('schema,table,key,tenant_column,tenant_value');
    expect(csv.filter((l) => l.startsWith('public,tasks,') && l.endsWith(',organization_id,999'))).toHaveLength(4);
    await shot('07-orphans');
  });

  it("looks up one tenant's footprint and compares two tenants", async () => {
    await app().go('Distribution');
    const d = new DistributionPage(page);
    await d.tenants.waitFor();
    await d.search('Acme');
    await expect.poll(() => d.tenants.getByRole('option').count()).toBe(1);
    await d.pick('7');
    await d.footprint.waitFor();
    expect(await d.footprintTable.textContent()).toContain('Odd "Name"; x12');
    await d.search('');
    await d.compareWith('8');
    await expect.poll(() => d.footprint.textContent()).toContain('vs Org 8');
    expect(await d.buckets.textContent()).toContain('No tenant (NULL)');
    await shot('08-distribution');
  });

  it('shows RLS per table and probes isolation as the app role', async () => {
    await app().go('Isolation');
    const iso = new IsolationPage(page);
    await iso.rows.waitFor();
    expect(await iso.row('projects').textContent()).toContain('enabled');
    await iso.probe(fixture.appRole, 'app.tenant_id', '7');
    expect(await iso.probeResult.textContent()).toMatch(/^[1-9]\d* table\(s\) leak/);
    expect(await iso.row('projects').textContent()).toContain('leak');
    await iso.row('projects').click();
    const drawer = app().drawer('policy-detail');
    await drawer.waitFor();
    expect(await drawer.textContent()).toContain('ignores the tenant column');
    await shot('09-isolation');
    await page.keyboard.press('Escape');
  });

  it('cancels a running exact check: the scan waiting on a lock stops on the server', async () => {
    const locker = new pg.Client({ connectionString: fixture.db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE big_events IN ACCESS EXCLUSIVE MODE');
      await app().go('Overview');
      const o = new OverviewPage(page);
      await o.runExact();
      await o.waitRunState('running');
      await expect.poll(() => o.progress.textContent(), { timeout: 30_000 }).toContain('big_events');
      const waiting = () => locker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'tenancy-console' AND wait_event_type = 'Lock'`).then((r) => r.rows[0].n as number);
      await expect.poll(waiting, { timeout: 30_000 }).toBe(1);
      await shot('10-overview-exact-running');
      await o.cancel();
      await o.waitRunState('cancelled');
      await expect.poll(waiting).toBe(0);
      expect(await o.exactRun.textContent()).toContain('Cancelled');
      await shot('11-overview-cancelled');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  });

  it('never sent the stored password to the renderer', () => {
    expect(bodies.length).toBeGreaterThan(10);
    const leaked = bodies.filter((b) => b.includes(fixture.password) || b.includes(encodeURIComponent(fixture.password)));
    expect(leaked).toEqual([]);
  });
});
