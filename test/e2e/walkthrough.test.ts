/**
 * The walkthrough of issue 16, in Chromium against browser mode and a real database: pages agree
 * after the exact run (Orphans, Isolation), a leak is red, the null bar is a share of rows, an
 * exact report is never compared blindly with an estimate, write mode is unmissable and switches
 * itself off (idle, new session), Create backup shows its SQL first, the layout holds at 1024x700,
 * the keyboard works (typed shortcuts, "?", focus kept and returned), a lost connection is said
 * in one line; axe-core finds nothing serious on any page; screenshots of every page at 1440x900
 * and 1024x700 go to test-results/screenshots/walk-*.png.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
import { AppShell } from './pages/app.js';
import { BackupsPage } from './pages/backups.js';
import { ConnectionsPage } from './pages/connections.js';
import { DistributionPage } from './pages/distribution.js';
import { IsolationPage } from './pages/isolation.js';
import { NullSafetyPage } from './pages/null-safety.js';
import { OrphansPage } from './pages/orphans.js';
import { OverviewPage } from './pages/overview.js';
import { ReportsPage } from './pages/reports.js';
import { seriousViolations, type AxeProblem } from './support/axe.js';
import { ensureRendererBuilt, launchChromium, screenshotPath } from './support/browser.js';
import { createConsoleFixture, type ConsoleFixture } from './support/fixture.js';

let fixture: ConsoleFixture;
let host: BrowserHost;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let configDir: string;
const PROFILE = 'Walk staging';
const WIDE = { width: 1440, height: 900 };
const NARROW = { width: 1024, height: 700 };
const NAV = ['Connections', 'Overview', 'Null safety', 'Orphans', 'Distribution', 'Isolation', 'Backups', 'Migrations', 'Reports', 'Audit', 'Runbook', 'Tenant', 'Window'] as const;

const app = () => new AppShell(page);

/** Whether keyboard focus is inside the element with this test id. */
function focusInside(testId: string): Promise<boolean> {
  return page.evaluate(`Boolean(document.activeElement?.closest('[data-testid="${testId}"]'))`);
}

async function shot(name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: screenshotPath(`walk-${name}`), fullPage: true });
}

/** Whether the element's box lies fully inside the viewport horizontally. */
async function fullyOnScreenX(selector: ReturnType<Page['locator']>): Promise<boolean> {
  const box = await selector.boundingBox();
  const width = page.viewportSize()!.width;
  return box !== null && box.x >= 0 && box.x + box.width <= width + 0.5;
}

beforeAll(async () => {
  const [f, rendererDir] = await Promise.all([createConsoleFixture(), ensureRendererBuilt()]);
  fixture = f;
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-walk-'));
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  // bypassCSP only so axe-core can be injected; the app's own CSP is tested in serve-security.test.ts.
  context = await browser.newContext({ viewport: WIDE, bypassCSP: true });
  page = await context.newPage();
  await page.clock.install();
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await fixture?.drop();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('the console walkthrough (issue 16)', () => {
  it('connects a staging profile that names the app role for the probe', async () => {
    await page.goto(host.url);
    await app().waitLoaded();
    const c = new ConnectionsPage(page);
    await c.addFromUrl({ url: fixture.db.url, name: PROFILE, environment: 'staging', lockTimeoutMs: 0, rlsRole: fixture.appRole, rlsSetting: 'app.tenant_id' });
    await c.save();
    await c.connect(PROFILE);
    await new OverviewPage(page).severity.waitFor();
  });

  it('Orphans and Isolation show what the run on the Overview found (estimate first, then the exact run)', async () => {
    await app().go('Orphans');
    const orphans = new OrphansPage(page);
    await orphans.root.getByText('Orphans not searched yet').waitFor();
    await app().go('Isolation');
    const iso = new IsolationPage(page);
    await iso.rows.waitFor();
    // The profile names the app role, so the instant estimate the Overview shows probed too: Isolation says what it found.
    await iso.probeResult.waitFor();
    expect(await iso.probeResult.textContent()).toContain('from the estimate run');
    expect(await iso.row('projects').textContent()).toContain('leak');

    await app().go('Overview');
    const o = new OverviewPage(page);
    await o.runExact();
    await o.waitRunState('done');
    expect(await o.findings.textContent()).toContain('tasks');

    await app().go('Orphans');
    await orphans.fromExact.waitFor();
    expect(await orphans.fromExact.textContent()).toContain('4 rows in 1 table');
    expect(await orphans.fromExact.textContent()).toContain('tasks: 4 rows');
    expect(await orphans.root.getByText('Orphans not searched yet').count()).toBe(0);
    await shot('orphans-from-exact-1440');

    await app().go('Isolation');
    await iso.probeResult.waitFor();
    expect(await iso.probeResult.textContent()).toMatch(/^[1-9]\d* table\(s\) leak rows of other tenants \([\d,]+ rows\) · from the exact run/);
    expect(await iso.probeResult.getAttribute('class')).toContain('status-error');
    expect(await iso.probeResult.getAttribute('role')).toBe('alert');
    expect(await iso.row('projects').textContent()).toContain('leak');
    await shot('isolation-exact-1440');
  });

  it('draws the null bar as the share of the table\'s rows, not relative to the worst table', async () => {
    await app().go('Null safety');
    const ns = new NullSafetyPage(page);
    await ns.row('tasks').waitFor();
    const svg = ns.row('tasks').locator('svg');
    expect(await svg.getAttribute('data-share')).toBe('0.0125'); // 5 of 400 rows
    // 1.25 % of 60 px is under the 2 px sliver; scaled to the worst table it would be the full 60 px.
    expect(Number(await ns.row('tasks').getByTestId('null-bar').getAttribute('width'))).toBe(2);
  });

  it('selects with Enter in the tenant search and compares by keyboard', async () => {
    await app().go('Distribution');
    const d = new DistributionPage(page);
    await d.tenants.waitFor();
    const search = d.root.locator('input[name="tenant-search"]');
    await search.fill('Acme');
    await expect.poll(() => d.tenants.getByRole('option').count()).toBe(1);
    await search.press('Enter');
    await expect.poll(() => d.footprint.getAttribute('data-tenant')).toBe('7');
    await search.fill('');
    await search.press('Tab');
    expect(await page.evaluate("document.activeElement?.getAttribute('role')")).toBe('option');
    await page.keyboard.press('End');
    await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('data-index') === String(Number(document.activeElement?.parentElement?.parentElement?.getAttribute('data-count')) - 1)")).toBe(true);
    await page.keyboard.press('c');
    await expect.poll(() => d.footprint.locator('h2').textContent()).toMatch(/^Acme Ltd vs Org \d+/);
  });

  it('offers typed shortcuts listed by "?"; dialogs keep focus and give it back on Escape', async () => {
    const titles = await app().nav.getByRole('button').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
    expect(titles.join(' ')).not.toMatch(/Alt\+1[01]/);
    expect(titles).toContain('g then u');

    await page.locator('main h1').click();
    await page.keyboard.press('?');
    await app().shortcutHelp.waitFor();
    expect(await app().shortcutHelp.textContent()).toContain('g then r, or Alt+9');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    expect(await focusInside('shortcut-help')).toBe(true);
    await page.keyboard.press('Escape');
    await app().shortcutHelp.waitFor({ state: 'detached' });

    await page.keyboard.press('g');
    await page.keyboard.press('n');
    const ns = new NullSafetyPage(page);
    await ns.row('tasks').waitFor();
    const option = page.getByTestId('ns-rows').getByRole('option').filter({ has: page.locator('[data-table="tasks"]') });
    await option.focus();
    await page.keyboard.press('Enter');
    const drawer = app().drawer('finding-detail');
    await drawer.waitFor();
    for (let i = 0; i < 12; i++) await page.keyboard.press('Tab');
    expect(await focusInside('finding-detail')).toBe(true);
    await page.keyboard.press('Shift+Tab');
    expect(await focusInside('finding-detail')).toBe(true);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await page.evaluate("document.activeElement?.querySelector('[data-table]')?.getAttribute('data-table')")).toBe('tasks');
  });

  it('says plainly that an exact and an estimate report differ in mode, and calls nothing resolved that the estimate cannot see', async () => {
    const r = new ReportsPage(page);
    await r.open();
    await r.exportReport('exact');
    const exactA = await r.lastExported();
    await r.exportReport('estimate');
    const estimate = await r.lastExported();
    await r.exportReport('exact');
    const exactB = await r.lastExported();
    expect(await r.item(exactA).getByTestId('report-mode').textContent()).toBe('exact');
    expect(await r.item(estimate).getByTestId('report-mode').textContent()).toBe('estimate');

    await r.diffCard.locator('select[name="diff-a"]').selectOption(exactA);
    await r.diffCard.locator('select[name="diff-b"]').selectOption(estimate);
    expect(await r.diffCard.getByTestId('diff-mode-warning').textContent()).toContain('different modes (before exact, after estimate)');
    await r.diffCard.getByRole('button', { name: 'Compare' }).click();
    await r.diffResult.getByTestId('diff-modes').waitFor();
    expect(await r.diffResult.getByTestId('diff-modes').textContent()).toContain('before is an exact report, after an estimate report');
    const resolved = (await r.diffResult.getByTestId('diff-resolved').textContent()) ?? '';
    expect(resolved).not.toContain('orphan-tenant-rows');
    expect(resolved).not.toContain('cross-tenant-reference');
    const apart = (await r.diffResult.getByTestId('diff-not-comparable').textContent()) ?? '';
    expect(apart).toContain('orphan-tenant-rows public.tasks');
    expect(apart).toContain('cross-tenant-reference');
    expect(await r.diffResult.getByTestId('diff-summary').textContent()).toContain('distribution not compared');
    await shot('reports-mixed-modes-1440');

    // The clean twin: two exact reports of the same database compare without a mode warning.
    await r.diff(exactA, exactB);
    await expect.poll(() => r.diffResult.getByTestId('diff-summary').textContent()).toMatch(/0 resolved · 0 new · 0 changed/);
    expect(await r.diffResult.getByTestId('diff-modes').count()).toBe(0);
    expect(await r.diffCard.getByTestId('diff-mode-warning').count()).toBe(0);
  });

  it('shows write mode as a banner in the environment colour, above drawers, and Create backup shows its SQL first', async () => {
    await app().go('Connections');
    expect(await app().writeBanner.count()).toBe(0);
    await page.getByTestId('current-connection').getByRole('switch').click();
    await app().writeBanner.waitFor();
    expect(await app().writeBanner.getAttribute('data-environment')).toBe('staging');
    expect(await app().writeBanner.textContent()).toContain(`WRITE MODE ON · STAGING · ${fixture.db.name}`);

    await app().go('Null safety');
    await new NullSafetyPage(page).row('tasks').click();
    await app().drawer('finding-detail').waitFor();
    const box = (await app().writeBanner.boundingBox())!;
    const onTop = await page.evaluate(`Boolean(document.elementFromPoint(${box.x + box.width - 40}, ${box.y + box.height / 2})?.closest('[data-testid="write-banner"]'))`);
    expect(onTop).toBe(true);
    await shot('write-banner-drawer-1440');
    await page.keyboard.press('Escape');

    const b = new BackupsPage(page);
    await b.open();
    const select = b.root.locator('select[name="backup-table"]');
    await select.selectOption((await select.locator('option', { hasText: 'public.tasks' }).first().getAttribute('value'))!);
    await b.button('Create backup…').click();
    await b.preview.waitFor();
    expect(await b.preview.textContent()).toContain('CREATE TABLE tenancy_console.bk_<UTC time>_<hash> AS SELECT "id", "organization_id", "project_id", "title" FROM "public"."tasks"');
    expect(await b.list.count()).toBe(0); // nothing ran yet
    await b.button('Run these statements').click();
    await b.row('public.tasks').waitFor();
    await b.preview.waitFor({ state: 'detached' });
  });

  it('keeps the Backups actions, the tenant names, Compare and the sidebar on screen at 1024x700', async () => {
    await page.setViewportSize(NARROW);
    const b = new BackupsPage(page);
    expect(await fullyOnScreenX(b.list.getByRole('columnheader', { name: 'Actions' }))).toBe(true);
    expect(await fullyOnScreenX(b.row('public.tasks').getByRole('button', { name: 'Restore…' }))).toBe(true);
    expect(await fullyOnScreenX(b.row('public.tasks').getByRole('button', { name: 'Drop…' }))).toBe(true);
    await shot('backups-1024');

    await app().go('Distribution');
    const d = new DistributionPage(page);
    await d.tenants.waitFor();
    const name = d.tenants.locator('.tenant-name').first();
    expect((await name.boundingBox())!.width).toBeGreaterThan(60);
    const compare = d.tenants.getByRole('button', { name: /^Compar/ }).first();
    expect(await compare.evaluate((e) => e.scrollWidth <= e.clientWidth + 1 && e.textContent?.trim())).toMatch(/^(Compare|Comparing)$/);
    expect(await fullyOnScreenX(compare)).toBe(true);

    await app().go('Null safety');
    const ns = new NullSafetyPage(page);
    await ns.row('tasks').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(await fullyOnScreenX(ns.root.getByRole('button', { name: /^RLS/ }))).toBe(true);

    await app().go('Overview');
    await new OverviewPage(page).severity.waitFor();
    expect(await page.evaluate('document.documentElement.scrollHeight > window.innerHeight')).toBe(true);
    await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
    const navTop = (await app().nav.boundingBox())!.y;
    expect(navTop).toBeGreaterThanOrEqual(0);
    expect(navTop).toBeLessThan(100);
    const first = (await app().nav.getByRole('button', { name: 'Connections', exact: true }).boundingBox())!;
    expect(first.y).toBeGreaterThanOrEqual(0);
    expect(first.y + first.height).toBeLessThanOrEqual(NARROW.height);
    await page.setViewportSize(WIDE);
  });

  it('switches write mode off after 10 minutes without input, not before', async () => {
    await page.clock.fastForward('09:00');
    expect(await app().writeBanner.isVisible()).toBe(true);
    await page.clock.fastForward('01:30');
    await app().writeBanner.waitFor({ state: 'detached' });
    expect(await app().writeOffNotice.textContent()).toContain('after 10 minutes without input');
    expect(await app().envBand.textContent()).toContain('read-only');
  });

  it('never carries write mode into a new session: a reload starts read-only, and the host keeps it off', async () => {
    await app().go('Connections');
    await page.getByTestId('current-connection').getByRole('switch').click();
    await app().writeBanner.waitFor();
    await page.reload();
    await app().waitLoaded();
    await app().writeOffNotice.waitFor();
    expect(await app().writeOffNotice.textContent()).toContain('earlier session');
    expect(await app().writeBanner.count()).toBe(0);
    expect(await app().envBand.textContent()).toContain('read-only');
    // A second window (signed in with a fresh one-use URL: the session lives in each tab) adopts the
    // host's connection: already read-only, so nothing to switch off.
    const second = await context.newPage();
    try {
      await second.goto(host.signInUrl());
      const shell = new AppShell(second);
      await shell.waitLoaded();
      await expect.poll(() => shell.envBand.textContent()).toContain('read-only');
      expect(await shell.writeOffNotice.count()).toBe(0);
      expect(await shell.writeBanner.count()).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('finds no serious or critical accessibility problem on any page, and screenshots each at both sizes', async () => {
    const problems: Record<string, AxeProblem[]> = {};
    const tooWide: string[] = [];
    for (const [i, label] of NAV.entries()) {
      await app().go(label);
      await page.locator('main h1').first().waitFor();
      await page.locator('main .spinner').waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
      const found = await seriousViolations(page);
      if (found.length) problems[label] = found;
      const slug = `${String(i + 1).padStart(2, '0')}-${label.toLowerCase().replace(/\s+/g, '-')}`;
      await shot(`${slug}-1440`);
      await page.setViewportSize(NARROW);
      await shot(`${slug}-1024`);
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      if (width > NARROW.width) tooWide.push(`${label}: ${width}px`);
      const narrow = await seriousViolations(page);
      if (narrow.length) problems[`${label} at 1024`] = narrow;
      await page.setViewportSize(WIDE);
    }
    await page.keyboard.press('?');
    await app().shortcutHelp.waitFor();
    const help = await seriousViolations(page);
    if (help.length) problems['shortcut help'] = help;
    await shot('14-shortcut-help-1440');
    await page.keyboard.press('Escape');
    fs.writeFileSync(path.join(path.dirname(screenshotPath('x')), 'walk-axe.json'), JSON.stringify(problems, null, 2));
    expect(problems).toEqual({});
    expect(tooWide).toEqual([]);
  });

  it('says in one line that the connection was lost, and Connections no longer says "Connected"', async () => {
    await app().go('Connections');
    expect(await page.getByTestId('current-connection').getAttribute('data-lost')).toBe('false');
    expect(await page.getByTestId('current-connection').textContent()).toContain(`Connected to ${PROFILE}`);
    // The clean twin: testing another profile that cannot connect says so in its form, and leaves the current connection alone.
    const c = new ConnectionsPage(page);
    const nowhere = new URL(fixture.db.url);
    nowhere.port = '1';
    await c.addFromUrl({ url: nowhere.toString(), name: 'Nowhere', environment: 'development' });
    await c.form.getByRole('button', { name: 'Test connection' }).click();
    await c.form.locator('.status-error').waitFor();
    await c.form.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('current-connection').getAttribute('data-lost')).toBe('false');
    expect(await app().connectionLost.count()).toBe(0);
    await fixture.db.exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tenancy-console' AND datname = current_database() AND pid <> pg_backend_pid()`);
    await app().go('Distribution');
    await page.getByRole('button', { name: 'Count again' }).click();
    await app().connectionLost.waitFor();
    expect(await app().connectionLost.textContent()).toContain('The connection to the database was lost: reconnect it on Connections.');
    expect(await page.locator('main').textContent()).not.toContain('not queryable');
    await shot('13-connection-lost-1440');
    await app().go('Connections');
    expect(await page.getByTestId('current-connection').getAttribute('data-lost')).toBe('true');
    expect(await page.getByTestId('current-connection').textContent()).toContain(`Connection lost: ${PROFILE}`);
    expect(await page.getByTestId('current-connection').textContent()).not.toContain('Connected to');
    expect(await new ConnectionsPage(page).profileRow(PROFILE).textContent()).toContain('connection lost');
    await shot('14-connections-lost-1440');
    await new ConnectionsPage(page).profileRow(PROFILE).getByRole('button', { name: 'Reconnect' }).click();
    await new OverviewPage(page).severity.waitFor();
    expect(await app().connectionLost.count()).toBe(0);
  });
});
