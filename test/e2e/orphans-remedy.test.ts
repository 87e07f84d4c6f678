/**
 * Issue 16, for the support engineer on the Orphans page: the remedy for rows of deleted tenants
 * offers the quarantine first and says plainly that reassigning gives them all to one live tenant
 * (on the page and in the finding's drawer); the CSV holds the orphan rows themselves (key and
 * tenant value), not counts; the Distribution page's missing-tenant bucket holds while one tenant
 * is picked. In Chromium against browser mode and a real database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
import { AppShell } from './pages/app.js';
import { ConnectionsPage } from './pages/connections.js';
import { DistributionPage } from './pages/distribution.js';
import { OrphansPage } from './pages/orphans.js';
import { OverviewPage } from './pages/overview.js';
import { ensureRendererBuilt, launchChromium, screenshotPath } from './support/browser.js';
import { createConsoleFixture, type ConsoleFixture } from './support/fixture.js';

let fixture: ConsoleFixture;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;
const PROFILE = 'Orphans staging';
const app = () => new AppShell(page);
const orphans = () => new OrphansPage(page);

/** Click `button` and return the text of the file it downloads. */
async function downloaded(button: ReturnType<Page['getByRole']>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: download.suggestedFilename(), text: fs.readFileSync((await download.path())!, 'utf8') };
}

beforeAll(async () => {
  const [f, rendererDir] = await Promise.all([createConsoleFixture(), ensureRendererBuilt()]);
  fixture = f;
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-orphans-'));
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(host.url);
  await app().waitLoaded();
  const c = new ConnectionsPage(page);
  await c.addFromUrl({ url: fixture.db.url, name: PROFILE, environment: 'staging', lockTimeoutMs: 0 });
  await c.save();
  await c.connect(PROFILE);
  const o = new OverviewPage(page);
  await o.severity.waitFor();
  await o.runExact();
  await o.waitRunState('done');
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await fixture?.drop();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('the Orphans page (issue 16)', () => {
  it('offers the quarantine first and warns that reassigning gives the deleted tenant\'s rows to one live tenant', async () => {
    await app().go('Orphans');
    await orphans().fromExact.waitFor();
    const first = orphans().fromExact.getByTestId('orphan-remedy-first');
    expect(await first.textContent()).toBe('First remedy: Quarantine: move the 4 rows of 1 deleted tenant id (999) into the holding table "tenancy_quarantine"."public.tasks"; no tenant gets them.');
    const warning = orphans().fromExact.getByTestId('orphan-remedy-warning');
    expect(await warning.textContent()).toBe('Reassigning instead: this moves the 4 rows of 1 deleted tenant id (999) into ONE live tenant: all 4 will belong to tenant :\'tenant_id\' and its users will see them.');
    await page.screenshot({ path: screenshotPath('orphans-remedy-1440'), fullPage: true });

    await orphans().fromExact.getByRole('button', { name: 'Evidence and remedy SQL' }).click();
    const drawer = page.getByTestId('finding-detail');
    await drawer.waitFor();
    expect(await drawer.getByTestId('remedy-recommended').textContent()).toContain('First remedy: Quarantine: move the 4 rows');
    expect(await drawer.getByTestId('remedy-warning').textContent()).toContain('into ONE live tenant: all 4 will belong to tenant');
    const sql = (await drawer.getByTestId('remedy-sql').textContent())!;
    expect(sql.indexOf('INSERT INTO "tenancy_quarantine"."public.tasks"')).toBeGreaterThan(-1);
    expect(sql.indexOf('INSERT INTO "tenancy_quarantine"')).toBeLessThan(sql.indexOf('UPDATE "public"."tasks"'));
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  it('exports the orphan rows themselves as CSV: table, key and tenant value, from the exact run and grouped', async () => {
    const fromExact = await downloaded(orphans().fromExact.getByRole('button', { name: 'Export CSV' }));
    expect(fromExact.name).toBe('orphan-tenant-rows.csv');
    const expected = 'schema,table,key,tenant_column,tenant_value\r\n' +
      [20, 21, 22, 23].map((id) => `public,tasks,"{""id"":""${id}""}",organization_id,999\r\n`).join('');
    expect(fromExact.text).toBe(expected);

    await orphans().find();
    expect(await orphans().groups.getByTestId('orphan-remedy-warning').textContent()).toContain('moves 4 rows of 1 deleted tenant id into one live tenant: they will all belong to that tenant');
    expect(await orphans().group('999').textContent()).toContain('4 rows');
    expect((await downloaded(orphans().groups.getByRole('button', { name: 'Export CSV' }))).text).toBe(expected);
  });

  it('keeps the missing-tenant bucket on the Distribution page while one tenant is picked', async () => {
    await app().go('Distribution');
    const d = new DistributionPage(page);
    await d.tenants.waitFor();
    const search = d.root.locator('input[name="tenant-search"]');
    await search.fill('Acme');
    await search.press('Enter');
    await expect.poll(() => d.footprint.getAttribute('data-tenant')).toBe('7');
    const missing = d.root.getByTestId('buckets').locator('.stat').filter({ hasText: 'Missing tenant' });
    expect(await missing.locator('.stat-value').textContent()).toBe('4');
    expect(await missing.textContent()).toContain('tasks → 999: 4');
  });
});
