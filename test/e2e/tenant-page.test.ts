/**
 * The support engineer's Tenant page in Chromium against browser mode and two demo scenarios:
 * on Drizzle (plus a table scoped through lessons), find a tenant by name with Enter, see its rows
 * per table including the scoped one and the NULL-organization lessons of its students, page and
 * filter its lessons, export them as CSV; on Prisma + RLS, impersonate a tenant as app_user and
 * see the AuditLog leak, then with the wrong setting every table hidden by tenant_isolation.
 * axe-clean at 1440x900 and 1024x700; screenshots test-results/screenshots/tenant-*.png.
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
import { TenantPage } from './pages/tenant.js';
import { ensureRendererBuilt, launchChromium } from './support/browser.js';

const ROWS = 1500;

let drizzle: DemoDatabase;
let prisma: DemoDatabase;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** Screenshots at both sizes, and axe at both: returns the serious problems found. */
beforeAll(async () => {
  const [d, p, rendererDir] = await Promise.all([
    loadScenario(adminUrl(), demoScenario('drizzle')!, ROWS, { database: `e2e_tenant_dz_${process.pid}`, reuse: false }),
    loadScenario(adminUrl(), demoScenario('prisma')!, ROWS, { database: `e2e_tenant_pr_${process.pid}`, reuse: false }),
    ensureRendererBuilt(),
  ]);
  drizzle = d;
  prisma = p;
  // A table scoped through lessons (no tenant column of its own): the footprint must reach it.
  await query(drizzle.url, `CREATE TABLE lesson_attachments (id serial PRIMARY KEY, lesson_id integer NOT NULL REFERENCES lessons (id), file_name text NOT NULL);
    INSERT INTO lesson_attachments (lesson_id, file_name) SELECT id, 'scan-' || id || '.pdf' FROM lessons WHERE id % 3 = 0; ANALYZE lesson_attachments;`);
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-tenant-'));
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: WIDE, bypassCSP: true, acceptDownloads: true });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  for (const db of [drizzle, prisma]) {
    if (!db) continue;
    await query(adminUrl(), `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db.database)} WITH (FORCE)`);
  }
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('the Tenant page', () => {
  const tp = () => new TenantPage(page);
  let org: { id: string; name: string; lessons: number; attachments: number; stray: number };

  it('finds a tenant by part of its name with Enter and shows its rows in every table, the scoped one too', async () => {
    const [top] = await query<{ id: string; name: string; lessons: string }>(drizzle.url,
      'SELECT o.id, o.name, count(*) AS lessons FROM lessons l JOIN organization o ON o.id = l.organization_id GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 1');
    const [extra] = await query<{ attachments: string; stray: string; distinct_stray: string }>(drizzle.url, `SELECT
      (SELECT count(*) FROM lesson_attachments a JOIN lessons l ON l.id = a.lesson_id WHERE l.organization_id = $1) AS attachments,
      (SELECT count(*) FROM lessons l JOIN students s ON s.id = l.student_id WHERE l.organization_id IS NULL AND s.organization_id = $1) AS stray,
      (SELECT count(*) FROM lessons l WHERE l.organization_id IS NULL AND (
        EXISTS (SELECT 1 FROM students s WHERE s.id = l.student_id AND s.organization_id = $1) OR
        EXISTS (SELECT 1 FROM resources r WHERE r.id = l.resource_id AND r.organization_id = $1))) AS distinct_stray`, [top!.id]);
    org = { id: top!.id, name: top!.name, lessons: Number(top!.lessons), attachments: Number(extra!.attachments), stray: Number(extra!.stray) };
    expect(org.stray).toBeGreaterThan(0);

    await page.goto(host.url);
    await new AppShell(page).waitLoaded();
    const c = new ConnectionsPage(page);
    await c.addFromUrl({ url: drizzle.url, name: 'Drizzle support', environment: 'staging' });
    await c.save();
    await c.connect('Drizzle support');
    await page.getByTestId('page-overview').waitFor();
    await new AppShell(page).go('Tenant');
    await tp().find(org.name.slice(0, -2).toLowerCase());
    await tp().waitFootprint(org.id);
    expect(await tp().footprint.locator('h2').textContent()).toContain(org.name);
    expect(await tp().footprintRow('lessons').locator('td.num').textContent()).toBe(org.lessons.toLocaleString('en-US'));
    const scoped = tp().footprintRow('lesson_attachments');
    expect(await scoped.textContent()).toContain('scoped');
    expect(await scoped.textContent()).toContain('lessons');
    expect(await scoped.locator('td.num').textContent()).toBe(org.attachments.toLocaleString('en-US'));
    // The NULL-organization lessons of this tenant's students are its concern: named, countable, browsable.
    expect(await tp().footprintRow('lessons').textContent()).toContain(`${org.stray} no tenant via students`);
    expect(await tp().footprintRow('students').textContent()).toContain('none');
    // Lessons hang off the tenant through students and resources: each stray row counted once.
    expect(await tp().footprint.locator('p').first().textContent()).toContain(`${extra!.distinct_stray} stray rows`);
  });

  it('pages through the tenant\'s lessons by key, filters them, and shows the stray rows', async () => {
    await tp().footprintRow('lessons').getByRole('button', { name: 'Browse rows of lessons' }).click();
    await tp().rows.waitFor();
    // Focus moves to what was opened (keyboard users land on the rows, not back at the top).
    expect(await page.evaluate('document.activeElement?.id')).toBe('row-browser-title');
    expect(await tp().pageInfo.textContent()).toBe('Page 1 · rows 1–50');
    const firstPage = (await tp().column('id')).map(Number);
    expect(firstPage).toHaveLength(50);
    expect(new Set(await tp().column('organization_id'))).toEqual(new Set([org.id]));
    await tp().browser.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2 · rows 51–').waitFor();
    const second = (await tp().column('id')).map(Number);
    expect(Math.min(...second)).toBeGreaterThan(Math.max(...firstPage));
    await tp().browser.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1 · rows 1–50').waitFor();
    expect((await tp().column('id')).map(Number)).toEqual(firstPage);

    const [{ n }] = await query<{ n: string }>(drizzle.url, "SELECT count(*) AS n FROM lessons WHERE organization_id = $1 AND notes ILIKE '%sheet%'", [org.id]) as [{ n: string }];
    await tp().addFilter('notes', 'contains', 'SHEET');
    await page.locator('[data-testid="page-info"]', { hasText: '(last page)' }).waitFor();
    expect(new Set(await tp().column('notes'))).toEqual(new Set(['bring sheet music']));
    expect(await tp().column('id')).toHaveLength(Math.min(50, Number(n)));
    expect(await shotsAndAxe(page, 'tenant-rows')).toEqual([]);
    await tp().browser.getByRole('button', { name: /^Remove/ }).click();
    await page.getByText('Page 1 · rows 1–50').waitFor();

    await tp().footprintRow('lessons').getByRole('button', { name: /no tenant via students/ }).click();
    await page.locator('[data-testid="row-browser"] h2', { hasText: 'stray rows' }).waitFor();
    await page.locator('[data-testid="page-info"]', { hasText: '(last page)' }).waitFor();
    expect(await tp().column('organization_id')).toEqual(Array(org.stray).fill('NULL'));
  });

  it('exports every one of the tenant\'s lessons as CSV, read page by page', async () => {
    await tp().footprintRow('lessons').getByRole('button', { name: 'Browse rows of lessons' }).click();
    await page.getByText('Page 1 · rows 1–50').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), tp().browser.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`lessons-${org.id}.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]!.split(',')).toEqual(expect.arrayContaining(['id', 'student_id', 'organization_id']));
    expect(csv).toHaveLength(org.lessons + 1);
    expect(await shotsAndAxe(page, 'tenant-footprint')).toEqual([]);
  });

  it('impersonates a Prisma tenant as app_user: the AuditLog leak, and with the wrong setting the policy that hides everything', async () => {
    const [t] = await query<{ id: string; name: string; slug: string }>(prisma.url,
      'SELECT t.id, t.name, t.slug FROM "Tenant" t JOIN "Project" p ON p."tenantId" = t.id GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 1 LIMIT 1');
    await new AppShell(page).go('Connections');
    const c = new ConnectionsPage(page);
    await c.addFromUrl({ url: prisma.url, name: 'Prisma support', environment: 'production', rlsRole: 'app_user', rlsSetting: 'app.tenant_id' });
    await c.form.locator('input[name="tenantTable"]').fill('public.Tenant');
    await c.form.locator('input[name="tenantColumn"]').fill('tenantId');
    await c.save();
    await c.connect('Prisma support');
    await page.getByTestId('page-overview').waitFor();
    await new AppShell(page).go('Tenant');
    await tp().find(t!.slug);
    await tp().waitFootprint(t!.id);

    await tp().visibility.getByRole('button', { name: 'See what the app sees' }).click();
    await tp().visibilityRow('Project').waitFor();
    expect(await tp().visibilityRow('Project').getAttribute('data-verdict')).toBe('all-visible');
    expect(await tp().visibilityRow('AuditLog').getAttribute('data-verdict')).toBe('leaks');
    expect(await tp().visibilityRow('AuditLog').textContent()).toContain('audit_log_read USING (true)');
    expect(await tp().visibilitySummary.textContent()).toContain('sees all of its rows');

    await tp().impersonate('app_user', 'app.tenant');
    await page.locator('[data-testid="visibility-summary"]', { hasText: 'hidden in' }).waitFor();
    expect(await tp().visibilityRow('Project').getAttribute('data-verdict')).toBe('hidden');
    expect(await tp().visibilityRow('Project').textContent()).toContain('by tenant_isolation USING');
    expect(await tp().visibilitySummary.getAttribute('role')).toBe('alert');
    expect(await shotsAndAxe(page, 'tenant-visibility')).toEqual([]);
  });
});
