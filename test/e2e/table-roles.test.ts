/**
 * The pages show each table's role (tenant / scoped through PATH / global / unscoped) and accepted
 * findings as "accepted" with who declared them: a profile with a declared global unique, a table
 * scoped through its parent with a cross-tenant reference planted along the path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { AppShell } from './pages/app.js';
import { ConnectionsPage } from './pages/connections.js';
import { DistributionPage } from './pages/distribution.js';
import { OrphansPage } from './pages/orphans.js';
import { OverviewPage } from './pages/overview.js';
import { ensureRendererBuilt, launchChromium, screenshotPath } from './support/browser.js';

const FIXTURE = `
CREATE TABLE orgs (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO orgs VALUES (1, 'Acme'), (2, 'Globex');
CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL);
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
CREATE TABLE projects (id bigint PRIMARY KEY, org_id bigint NOT NULL REFERENCES orgs(id), name text);
CREATE INDEX ON projects (org_id);
CREATE TABLE milestones (id bigint PRIMARY KEY, org_id bigint NOT NULL REFERENCES orgs(id), title text);
CREATE INDEX ON milestones (org_id);
-- Scoped through projects; task 3's milestone is the other org's.
CREATE TABLE tasks (id bigint PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects(id), milestone_id bigint REFERENCES milestones(id), title text);
CREATE TABLE invitations (id bigint PRIMARY KEY, org_id bigint NOT NULL REFERENCES orgs(id), token text NOT NULL UNIQUE);
CREATE INDEX ON invitations (org_id);
INSERT INTO projects VALUES (10, 1, 'a'), (20, 2, 'b');
INSERT INTO milestones VALUES (100, 1, 'm1'), (200, 2, 'm2');
INSERT INTO tasks VALUES (1, 10, 100, 't1'), (2, 20, 200, 't2'), (3, 10, 200, 't3');
INSERT INTO invitations VALUES (1, 1, 'tok-a'), (2, 2, 'tok-b');
`;

let db: TestDatabase;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;

beforeAll(async () => {
  const [d, rendererDir] = await Promise.all([createTestDatabase(FIXTURE), ensureRendererBuilt()]);
  db = d;
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-roles-'));
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await db?.drop();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('table roles and accepted findings on the pages', () => {
  const app = () => new AppShell(page);

  it('connects with a profile that declares a global table and a global unique', async () => {
    await page.goto(host.url);
    await app().waitLoaded();
    const c = new ConnectionsPage(page);
    await c.addFromUrl({ url: db.url, name: 'Roles', environment: 'development', globalTables: 'public.countries', globalUniques: 'public.invitations.token' });
    await c.save();
    await c.connect('Roles');
    await app().root.getByTestId('page-overview').waitFor();
  });

  it('Overview: the declared key is accepted (by the profile), counted apart, and each finding names its table role', async () => {
    const o = new OverviewPage(page);
    await o.runExact();
    await o.waitRunState('done');
    const accepted = o.findings.getByRole('option').filter({ hasText: 'invitations' }).filter({ hasText: 'Unique key not scoped' });
    expect(await accepted.getByTestId('accepted').getAttribute('data-declared-by')).toBe('profile');
    expect(await accepted.getByTestId('accepted').textContent()).toBe('accepted · profile');
    expect(await o.severity.getByTestId('accepted-count').textContent()).toContain('1');
    const missing = o.findings.getByRole('option').filter({ hasText: 'Tenant column missing' });
    expect(await missing.getByTestId('table-role').getAttribute('data-role')).toBe('unscoped');
    const cross = o.findings.getByRole('option').filter({ hasText: 'Cross-tenant reference' });
    expect(await cross.getByTestId('table-role').getAttribute('data-role')).toBe('scoped');
    await o.openFinding('Unique key not scoped', 'invitations');
    const drawer = app().drawer('finding-detail');
    expect(await drawer.getByTestId('accepted-detail').textContent()).toContain('profile "Roles" tenancy.globalUniques public.invitations.token');
    await page.keyboard.press('Escape');
    await page.screenshot({ path: screenshotPath('roles-01-overview'), fullPage: true });
  });

  it('Null safety lists the scoped table with its path; Isolation shows its role', async () => {
    await app().go('Null safety');
    const row = page.getByTestId('ns-rows').locator('[data-table="tasks"]');
    await row.waitFor();
    expect(await row.getAttribute('data-role')).toBe('scoped');
    expect(await row.locator('.cell-table').getAttribute('title')).toBe('public.tasks: scoped through tasks.project_id -> projects.org_id');
    await app().go('Isolation');
    const iso = page.getByTestId('isolation-rows').locator('[data-table="tasks"]');
    await iso.waitFor();
    expect(await iso.getAttribute('data-role')).toBe('scoped');
    expect(await page.getByTestId('isolation-rows').locator('[data-table="projects"]').getAttribute('data-role')).toBe('tenant');
  });

  it('Orphans: the cross-tenant reference along the path shows both roles', async () => {
    await app().go('Orphans');
    const o = new OrphansPage(page);
    await o.crossTenant.waitFor();
    const roles = o.crossTenant.getByTestId('fk-roles');
    expect(await roles.textContent()).toContain('scoped through tasks.project_id -> projects.org_id');
    expect(await roles.locator('[data-role="tenant"]').textContent()).toBe('tenant (org_id)');
  });

  it('Distribution: the footprint names each table\'s role', async () => {
    await app().go('Distribution');
    const d = new DistributionPage(page);
    await d.tenants.waitFor();
    await d.pick('1');
    await d.footprint.waitFor();
    expect(await d.footprintTable.locator('tr[data-table="tasks"] [data-testid="table-role"]').textContent()).toBe('scoped through tasks.project_id -> projects.org_id');
    expect(await d.footprintTable.locator('tr[data-table="projects"] [data-testid="table-role"]').getAttribute('data-role')).toBe('tenant');
    await page.screenshot({ path: screenshotPath('roles-02-distribution'), fullPage: true });
  });
});
