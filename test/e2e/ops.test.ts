/**
 * The Migrations, Reports and Audit pages in Chromium against browser mode and a real database:
 * lint findings beside the SQL and each pending statement's lock and estimated lock time; an apply that waits on a lock held by another session (the lock
 * watch names the blocker, the lock timeout retries) and finishes once it is released; a report
 * exported before and after a fix, verified, tampered with, diffed; the audit log filtered, and
 * every UI statement in it without the password. Screenshots: test-results/screenshots/2x-*.png.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDir } from '../../main/engine/audit/files.js';
import { reportsDir } from '../../main/engine/report/saved.js';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
import { AppShell } from './pages/app.js';
import { AuditPage } from './pages/audit.js';
import { ConnectionsPage } from './pages/connections.js';
import { MigrationsPage } from './pages/migrations.js';
import { ReportsPage } from './pages/reports.js';
import { ensureRendererBuilt, launchChromium, screenshotPath } from './support/browser.js';
import { createConsoleFixture, type ConsoleFixture } from './support/fixture.js';

let fixture: ConsoleFixture;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;
let migDir: string;
let role: string;
let password: string;
const PROFILE = 'Ops staging';

async function shot(name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

beforeAll(async () => {
  const [f, rendererDir] = await Promise.all([createConsoleFixture(), ensureRendererBuilt()]);
  fixture = f;
  const suffix = crypto.randomBytes(4).toString('hex');
  role = `e2e migrator "${suffix}"`;
  password = `pw-Ключ;'x ${suffix}`;
  const id = pg.escapeIdentifier;
  await fixture.db.exec(`CREATE ROLE ${id(role)} LOGIN PASSWORD ${pg.escapeLiteral(password)} IN ROLE pg_read_all_stats`);
  await fixture.db.exec(`GRANT CREATE ON DATABASE ${id(fixture.db.name)} TO ${id(role)}`);
  await fixture.db.exec(`GRANT USAGE, CREATE ON SCHEMA public TO ${id(role)}`);
  await fixture.db.exec(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${id(role)}`);
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-ops-'));
  migDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-migrations-'));
  fs.writeFileSync(path.join(migDir, '001_widgets.sql'), 'CREATE TABLE widgets (id int PRIMARY KEY, org_id int NOT NULL);\nINSERT INTO widgets SELECT g, g % 3 FROM generate_series(1, 30) g;\n');
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await fixture?.drop();
  const root = new pg.Client({ connectionString: new URL('/postgres', fixture.db.url).toString() });
  await root.connect();
  await root.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
  await root.end();
  fs.rmSync(configDir, { recursive: true, force: true });
  fs.rmSync(migDir, { recursive: true, force: true });
});

describe('migrations, reports and audit in browser mode', () => {
  const app = () => new AppShell(page);

  it('connects with a password-protected role', async () => {
    await page.goto(host.url);
    await app().waitLoaded();
    const c = new ConnectionsPage(page);
    await c.addFromUrl({ url: fixture.db.urlAs(role, password), name: PROFILE, environment: 'staging', lockTimeoutMs: 1500 });
    await c.save();
    await c.connect(PROFILE);
    await app().root.getByTestId('page-overview').waitFor();
  });

  it('shows the ledger and preflight, applies the first migration', async () => {
    const m = new MigrationsPage(page);
    await m.open();
    await m.readFolder(migDir);
    await m.migration('001_widgets.sql').waitFor();
    expect(await m.migration('001_widgets.sql').getAttribute('data-state')).toBe('pending');
    expect(await m.preflight.textContent()).toContain(fixture.db.name);
    expect(await m.preflight.getByTestId('preflight-counts').textContent()).toBe('0 applied · 1 pending');
    expect(await m.apply.getByTestId('apply-blocked').textContent()).toContain('write mode');
    await m.enableWriteMode();
    await expect.poll(() => app().envBand.textContent()).toContain('WRITE');
    await m.startApply();
    await m.waitApplyState('done');
    await expect.poll(() => m.migration('001_widgets.sql').getAttribute('data-state')).toBe('applied');
  });

  it('shows lint findings beside the SQL, and an apply waiting on a lock another session holds', async () => {
    fs.writeFileSync(path.join(migDir, '002_widget_notes.sql'), [
      "DO $$ BEGIN RAISE NOTICE 'widgets: adding the note column'; END $$;",
      'ALTER TABLE widgets ADD COLUMN note text;',
      'CREATE INDEX widgets_org ON widgets (org_id);',
      '',
    ].join('\n'));
    const m = new MigrationsPage(page);
    await m.readFolder(migDir);
    await expect.poll(() => m.migration('002_widget_notes.sql').getAttribute('data-state')).toBe('pending');
    await m.fileTab('002_widget_notes.sql').click();
    const finding = m.lintFindings.locator('[data-rule="index-not-concurrent"]');
    await finding.waitFor();
    expect(await finding.textContent()).toContain('002_widget_notes.sql:3');
    expect(await finding.textContent()).toContain('CONCURRENTLY');
    expect(await m.sqlLine(3).getAttribute('class')).toContain('flagged');
    expect(await m.sqlLine(3).textContent()).toContain('index-not-concurrent');
    expect(await m.apply.getByTestId('apply-blocked').textContent()).toContain('index-not-concurrent');
    // Before Apply: each pending statement's lock and, where the statement works through the table, an estimate measured on the server.
    await m.estimateRow('002_widget_notes.sql', 3).waitFor();
    expect(await m.estimateRow('002_widget_notes.sql', 1).getAttribute('data-lock')).toBe('');
    expect(await m.estimateRow('002_widget_notes.sql', 2).getAttribute('data-lock')).toBe('ACCESS EXCLUSIVE on public.widgets');
    expect(await m.estimateRow('002_widget_notes.sql', 2).getByTestId('estimate').textContent()).toBe('–');
    expect(await m.estimateRow('002_widget_notes.sql', 3).getAttribute('data-lock')).toBe('SHARE on public.widgets');
    expect(await m.estimateRow('002_widget_notes.sql', 3).textContent()).toContain('~30');
    expect(await m.estimateRow('002_widget_notes.sql', 3).getByTestId('estimate').textContent()).toMatch(/^about \d+\.\d+ s$/);
    await shot('20-migrations-lint');

    // Another session reads widgets and keeps its transaction open: ALTER TABLE has to wait.
    const holder = new pg.Client({ connectionString: fixture.db.url });
    await holder.connect();
    try {
      const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await holder.query('BEGIN');
      await holder.query('SELECT count(*) FROM widgets');
      await m.acknowledge('index-not-concurrent');
      await m.startApply();
      await m.waitApplyState('running');
      await expect.poll(() => m.lockWatch.getAttribute('data-waiting'), { timeout: 20_000 }).toBe('true');
      await expect.poll(() => m.lockWatch.getByTestId('lock-blockers').textContent(), { timeout: 20_000 }).toContain(String(holderPid));
      expect(await m.lockWatch.textContent()).toContain('AccessShareLock');
      expect(await m.lockWatch.textContent()).toContain('SELECT count(*) FROM widgets');
      await expect.poll(() => m.log.textContent(), { timeout: 20_000 }).toContain('retry 1');
      expect(await m.log.textContent()).toContain('widgets: adding the note column');
      // The retried migration was rolled back as a whole: no note column yet.
      const cols = await fixture.db.exec("SELECT 1 FROM information_schema.columns WHERE table_name = 'widgets' AND column_name = 'note'");
      expect(cols.rowCount).toBe(0);
      // The retry waits again: take the picture while it does.
      await expect.poll(() => m.lockWatch.getAttribute('data-waiting'), { timeout: 20_000 }).toBe('true');
      await shot('21-migrations-apply-waiting');
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    await m.waitApplyState('done');
    expect(await m.apply.getByTestId('apply-done').textContent()).toMatch(/002_widget_notes\.sql \(\d+ ms, \d attempts\)/);
    await expect.poll(() => m.migration('002_widget_notes.sql').getAttribute('data-state')).toBe('applied');
    await expect.poll(() => m.estimates.count()).toBe(0);
    expect(await m.lastLockWait.textContent()).toContain(`blocked by pid`);
    await shot('22-migrations-applied');
  });

  it('exports a report, fixes the data, exports again; verifies, catches a tampered byte, diffs', async () => {
    const r = new ReportsPage(page);
    await r.open();
    await r.exportReport();
    await expect.poll(() => r.items.count()).toBe(1);
    const before = (await r.items.first().getAttribute('data-report'))!;
    await fixture.db.exec('UPDATE tasks SET organization_id = 1 WHERE organization_id IS NULL');
    await r.exportReport();
    await expect.poll(() => r.items.count()).toBe(2);
    const names = await r.items.evaluateAll((els) => els.map((e) => e.getAttribute('data-report')!));
    const after = names.find((n) => n !== before)!;

    const ok = await r.verify(before);
    expect(await ok.getAttribute('data-ok')).toBe('true');
    expect(await ok.textContent()).toContain("this installation's key");

    // Change one finding's count in the saved "before" report: verify names the finding.
    const file = path.join(reportsDir(configDir), before);
    const text = fs.readFileSync(file, 'utf8');
    const tampered = text.replace('"count":5,', '"count":4,');
    expect(tampered).not.toBe(text);
    fs.writeFileSync(file, tampered);
    await r.item(before).getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => r.item(before).getByTestId('verification').getAttribute('data-ok')).toBe('false');
    expect(await r.item(before).getByTestId('verification').textContent()).toMatch(/checks\.findings\[\d+\]: changed/);
    await shot('23-reports-verify-tampered');
    fs.writeFileSync(file, text);

    await r.diff(before, after);
    const resolved = r.diffResult.getByTestId('diff-resolved');
    expect(await resolved.textContent()).toContain('null-tenant-rows');
    expect(await resolved.textContent()).toContain('tasks');
    expect(await r.diffResult.getByTestId('diff-distribution').textContent()).toContain('tasks');
    expect(await r.diffResult.getByTestId('diff-summary').textContent()).toMatch(/1 resolved · 0 new/);
    await shot('24-reports-diff');
  });

  it('filters the audit log; every UI statement is in it, never the password', async () => {
    const a = new AuditPage(page);
    await a.open();
    await expect.poll(() => a.chain.getAttribute('data-ok')).toBe('true');
    await expect.poll(() => a.rows.count()).toBeGreaterThan(5);
    await a.filter({ text: 'widgets', profile: PROFILE, errorsOnly: true });
    await expect.poll(() => a.count.textContent()).toMatch(/^[1-9]\d* statements?/);
    const first = await a.rows.first().textContent();
    expect(first).toContain('ALTER TABLE widgets');
    expect(first).toContain('lock timeout');
    await shot('25-audit-filter');
    await a.rows.first().click();
    const drawer = app().drawer('audit-detail');
    await drawer.waitFor();
    expect(await drawer.getByTestId('audit-sql').textContent()).toContain('ALTER TABLE widgets ADD COLUMN note text');
    await page.keyboard.press('Escape');

    const log = fs.readdirSync(auditDir(configDir)).filter((n) => n.endsWith('.jsonl')).map((n) => fs.readFileSync(path.join(auditDir(configDir), n), 'utf8')).join('');
    const lines = log.trim().split('\n').map((l) => JSON.parse(l) as { entry: { sql: string; profile: string } });
    // The exact check runs of both exports, the migration and its ledger row, all from the UI.
    expect(lines.some((l) => l.entry.profile === PROFILE && /count\(\*\)/i.test(l.entry.sql) && l.entry.sql.includes('"tasks"'))).toBe(true);
    expect(lines.some((l) => l.entry.sql.includes('schema_migrations'))).toBe(true);
    expect(log).not.toContain(password);
    expect(log).not.toContain(password.slice(3, 12));
  });
});
