/**
 * The runbook checklist in Chromium against browser mode and the Drizzle demo scenario: template
 * 000 opened as a new run, steps run one by one (gates visible, evidence expandable), every
 * write's full SQL shown whole and confirmed before it runs (a cancel runs nothing), the manual
 * steps signed off line by line, the deploy checked over http against a fake app (a Node server in
 * this process), the lessons backfill watched live (held on a row lock another session holds,
 * paused, released, resumed), the smoke-test commands run from a terminal with the CLI line the
 * page shows (a fake `pnpm` first on PATH), the rest run until complete, the journal verified in
 * the page and on disk. Screenshots: test-results/screenshots/4x-*.png.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, type DemoDatabase } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { verifyJournalFile } from '../../main/engine/runbook/journal.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
import { runTenancy } from '../support/cli.js';
import { adminUrl } from '../support/db.js';
import { fakePrograms, startFakeApp, type FakeApp, type FakePrograms } from '../support/fake-app.js';
import { pgDumpCanDump, withoutDumps } from '../support/pg-dump.js';
import { AppShell } from './pages/app.js';
import { ConnectionsPage } from './pages/connections.js';
import { RunbookPage } from './pages/runbook.js';
import { ensureRendererBuilt, launchChromium, screenshotPath } from './support/browser.js';

const ROWS = 3000;
/** A lessons row the demo leaves with NULL organization_id (id % 37 = 5), in the third batch of 500. */
const HELD_LESSON = 1189;
const PROFILE = 'Drizzle staging';

let db: DemoDatabase;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;
let holder: pg.Client | null = null;
/** The runbook file the run starts from when the template's pg_dump backups cannot run here, and the run's label. */
let runbookCopy: string | null = null;
let label = 'Runbook 000';
/** The application template 000's http steps check (the host reads APP_URL and the cookie from its environment). */
let app: FakeApp;
/** The team's `pnpm`, faked: the command steps run from a terminal (the CLI line the page shows), never from the page. */
let programs: FakePrograms;
const savedEnv = { ...process.env };

/** Reopen run `run` from the list: the page reads what the terminal's command steps journaled. */
async function reopen(run: string): Promise<void> {
  const rb = new RunbookPage(page);
  await rb.header.getByRole('button', { name: 'Other runs' }).click();
  await rb.picker.locator(`[data-run="${run}"]`).getByRole('button', { name: 'Reopen' }).click();
  await rb.header.waitFor();
  await rb.waitIdle();
}

/** Run command step `step` of the page's run from a terminal, as the page tells the operator to. */
async function runCommandStep(run: string, step: string): Promise<string> {
  const file = runbookCopy ?? path.resolve(import.meta.dirname, '../../runbooks/templates/000-drizzle-two-phase.yaml');
  const r = await runTenancy(['runbook', 'run', file, '--run', run, '--step', step, '--write', '--allow-commands', '--url', db.url, '--env', 'staging'],
    { TENANCY_CONFIG_DIR: configDir, ...app.env, ...programs.env });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

async function shot(name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

async function scalar(sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  app = await startFakeApp();
  Object.assign(process.env, app.env);
  programs = fakePrograms();
  const database = `e2e_runbook_${process.pid}`;
  const [loaded, rendererDir] = await Promise.all([
    loadScenario(adminUrl(), demoScenario('drizzle')!, ROWS, { database, reuse: false }),
    ensureRendererBuilt(),
  ]);
  db = loaded;
  const { profile, urlPassword } = profileFromUrl(db.url);
  const probe = await Session.open(profile, { password: urlPassword });
  const canDump = await pgDumpCanDump(probe).finally(() => probe.close());
  if (!canDump) {
    runbookCopy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-rb-')), '000-drizzle-two-phase.yaml');
    fs.writeFileSync(runbookCopy, withoutDumps(fs.readFileSync(path.resolve(import.meta.dirname, '../../runbooks/templates/000-drizzle-two-phase.yaml'), 'utf8')));
    label = '000-drizzle-two-phase';
  }
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-runbook-'));
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
});

afterAll(async () => {
  for (const k of Object.keys(app?.env ?? {})) if (savedEnv[k] === undefined) delete process.env[k]; else process.env[k] = savedEnv[k];
  await app?.close();
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

describe('the runbook checklist in browser mode', () => {
  const rb = () => new RunbookPage(page);

  it('connects and opens template 000 as a new run, with every later step held by its gate', async () => {
    await page.goto(host.url);
    await new AppShell(page).waitLoaded();
    const c = new ConnectionsPage(page);
    await c.addFromUrl({ url: db.url, name: PROFILE, environment: 'staging' });
    await c.save();
    await c.connect(PROFILE);
    await page.getByTestId('page-overview').waitFor();
    await rb().open();
    await rb().picker.locator('[data-template="004"]').waitFor();
    expect(await rb().picker.locator('[data-template]').count()).toBe(6);
    // Where this machine's pg_dump is older than the server, the template's backup step (dump: true) would refuse:
    // the same template with dump: false, opened as a file.
    if (runbookCopy) await rb().startFile(runbookCopy);
    else await rb().startTemplate('000');
    expect(await rb().header.textContent()).toContain(db.database);
    expect(await rb().progress.textContent()).toContain(`${label}: step 1 of 24`);
    expect(await rb().step('preflight').getAttribute('data-state')).toBe('pending');
    expect(await rb().step('backup').getAttribute('data-state')).toBe('blocked');
    expect(await rb().step('backup').getByTestId('step-gate').textContent()).toBe('Gate: needs preflight to pass first');
    expect(await rb().step('deploy').getByTestId('step-gate').textContent()).toBe('Gate: needs preflight and backup to pass first');
    await page.locator('[data-testid="journal-verification"][data-verification="intact"]').waitFor();
    // Steps write: nothing runs until write mode is on.
    expect(await rb().header.getByRole('button', { name: 'Run next step' }).isDisabled()).toBe(true);
    await rb().enableWriteMode();
  });

  it('runs the preflight (it writes nothing, no confirmation) and the backup after its SQL is shown and confirmed; a cancel runs nothing', async () => {
    await rb().runNext();
    await rb().waitStep('preflight', 'passed');
    await rb().waitIdle();
    expect(await rb().confirmDialog('preflight').count()).toBe(0);
    await rb().runNext();
    await rb().confirmDialog('backup').waitFor();
    expect(await rb().confirmDialog('backup').textContent()).toContain(`It sends 5 statements to ${db.database}`);
    await shot('44-runbook-confirm-sql');
    const declined = await rb().confirm('backup', 'cancel');
    expect(declined).toHaveLength(5);
    expect(declined[2]).toBe('CREATE TABLE "tenancy_console"."<backup table>" AS SELECT * FROM "public"."lessons"');
    await rb().waitIdle();
    expect(await rb().step('backup').getAttribute('data-state')).toBe('pending');
    expect(await scalar("SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'tenancy_console' AND c.relname LIKE 'bk\\_%'")).toBe(0);
    await rb().runNext();
    await rb().confirm('backup');
    await rb().waitStep('backup', 'passed');
    await rb().waitIdle();
    expect(await rb().step('backup').getByTestId('step-who').textContent()).toMatch(/^Passed by .+ at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    await rb().step('backup').getByRole('button', { name: 'Evidence' }).click();
    const evidence = rb().step('backup').getByTestId('evidence');
    expect(await evidence.textContent()).toContain('5 backup(s) made');
    expect(await evidence.textContent()).toContain('public.lessons');
    expect(await rb().step('deploy').getAttribute('data-state')).toBe('sign-off');
    await shot('40-runbook-checklist');
  });

  it('signs off the manual deploy step, each checklist line with its own note; the progress shows on every page', async () => {
    const form = rb().step('deploy').getByRole('form');
    expect(await form.getByRole('button', { name: 'Sign off' }).isDisabled()).toBe(true);
    await rb().signOff('deploy', 'build 2025.03.1 live; pnpm test:tenancy green');
    await rb().waitStep('deploy', 'passed');
    await rb().waitIdle();
    await rb().step('deploy').getByRole('button', { name: 'Evidence' }).click();
    const signedOff = await rb().step('deploy').getByTestId('evidence').textContent();
    expect(signedOff).toContain('signed off: every checklist line signed');
    expect(signedOff).toContain('2: build 2025.03.1 live; pnpm test:tenancy green');
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Overview', exact: true }).click();
    await page.getByTestId('page-overview').waitFor();
    expect(await rb().indicator.textContent()).toContain(`${label}: step 4 of 24`);
    await rb().indicator.click();
    await rb().root.waitFor();
    // The deploy checked from the page over http: its routes, the guard, reads and writes across organizations.
    for (const step of ['sign-in-served', 'org-select-served', 'route-guard', 'reads-scoped', 'writes-check-ownership']) {
      await rb().runNext();
      await rb().waitStep(step, 'passed');
      await rb().waitIdle();
    }
    expect(app.seen).toEqual(['GET /sign-in', 'GET /org/select', 'GET /students', 'GET /api/students/stu-b-canary', 'PATCH /api/students/stu-b-canary']);
    // 0007 is applied on the demo: nothing to send, so nothing to confirm.
    await rb().runNext();
    await rb().waitStep('migrate-0007', 'passed');
    await rb().waitIdle();
    expect(await rb().confirmDialog('migrate-0007').count()).toBe(0);
  });

  it('shows the backfill live: held by a row lock, paused, released, resumed, filled', async () => {
    const nullsBefore = await scalar('SELECT count(*) AS n FROM lessons WHERE organization_id IS NULL');
    expect(nullsBefore).toBeGreaterThan(50);
    // Another session holds one NULL row of the third batch, as a live application might.
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM lessons WHERE id = $1 AND organization_id IS NULL FOR UPDATE', [HELD_LESSON]);

    await rb().runNext();
    const batch = await rb().confirm('backfill-lessons');
    expect(batch.join('\n')).toMatch(/UPDATE "public"\."lessons" t SET "organization_id" = todo\.v/);
    await rb().waitBackfill('running');
    await expect.poll(() => rb().backfillDone(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await rb().step('backfill-lessons').getAttribute('data-state')).toBe('running');
    expect(await rb().indicator.textContent()).toMatch(/running backfill-lessons · \d+%/);
    await shot('41-runbook-backfill-running');

    await rb().backfill.getByRole('button', { name: 'Pause' }).click();
    await rb().waitBackfill('paused');
    const doneWhenPaused = await rb().backfillDone();
    await holder.query('ROLLBACK');
    await holder.end();
    holder = null;
    // The batch that waited on the lock commits; then the backfill waits, paused.
    await expect.poll(() => rb().backfillDone(), { timeout: 30_000 }).toBeGreaterThan(doneWhenPaused);
    expect(await rb().backfill.getAttribute('data-backfill-state')).toBe('paused');
    expect(await rb().step('backfill-lessons').getAttribute('data-state')).toBe('running');
    await shot('42-runbook-backfill-paused');

    await rb().backfill.getByRole('button', { name: 'Resume' }).click();
    await rb().waitStep('backfill-lessons', 'passed');
    await rb().waitIdle();
    await rb().waitBackfill('done');
    expect(Number(await rb().backfill.getAttribute('data-backfill-events'))).toBeGreaterThanOrEqual(ROWS / 500);
    expect(await rb().backfillDone()).toBe(nullsBefore);
    expect(await scalar('SELECT count(*) AS n FROM lessons WHERE organization_id IS NULL')).toBe(0);
    await rb().step('backfill-lessons').getByRole('button', { name: 'Evidence' }).click();
    expect(await rb().step('backfill-lessons').getByTestId('evidence').textContent()).toContain(`${nullsBefore} rows filled`);
  });

  it('runs the rest until complete, confirming each write with its whole SQL, and verifies the journal, in the page and on disk', async () => {
    await rb().runUntilStop();
    // The team's smoke tests are programs: the page runs nothing and shows the CLI line; the operator runs them from a terminal.
    await rb().waitStep('smoke', 'cli');
    await rb().waitIdle();
    expect(await rb().step('smoke').getByTestId('command-cli-line').locator('pre').textContent()).toContain('--step smoke --write --allow-commands');
    expect(programs.calls()).toEqual([]);
    const run = (await rb().header.getAttribute('data-run'))!;
    await runCommandStep(run, 'smoke');
    await runCommandStep(run, 'smoke-auth-gate');
    await reopen(run);
    await rb().runUntilStop();
    // The whole migration file, every statement of it.
    const migration = await rb().confirm('migrate-0008');
    expect(migration).toHaveLength(1);
    expect(migration[0]).toBe(fs.readFileSync(path.resolve(import.meta.dirname, '../../sql/demo/drizzle/0008_remove_bootstrap_org_defaults.sql'), 'utf8'));
    const contract = await rb().confirm('contract');
    expect(contract.length).toBeGreaterThan(10);
    expect(contract.filter((st) => /^ALTER TABLE "public"\."students" ALTER COLUMN "organization_id" SET NOT NULL/.test(st))).toHaveLength(1);
    await rb().waitStep('smoke-after-0008', 'cli');
    await rb().waitIdle();
    await runCommandStep(run, 'smoke-after-0008');
    await runCommandStep(run, 'auth-gate-after-0008');
    await reopen(run);
    expect(programs.calls()).toEqual(['test:tenancy', 'exec playwright test auth-gate', 'test:tenancy', 'exec playwright test auth-gate'].map((c) => `${programs.appDir}: ${c}`));
    await rb().runUntilStop();
    expect(await rb().confirm('inserts-must-fail')).toEqual(["INSERT INTO students (first_name, last_name, email, grade) VALUES ('Probe', 'Row', 'probe@example.test', 1)"]);
    await page.getByTestId('run-complete').waitFor({ timeout: 150_000 });
    await rb().waitIdle();
    for (const id of ['verify-backfill', 'before-0008', 'migrate-0008', 'contract', 'inserts-must-fail', 'migration-state', 'column-hardening', 'null-safety', 'final-check']) {
      expect(await rb().step(id).getAttribute('data-state'), id).toBe('passed');
    }
    expect(await rb().indicator.textContent()).toContain(`${label}: complete, 24 of 24`);
    // A completed run leaves nothing to write: write mode went back off by itself, and says why.
    await page.getByTestId('write-off-notice').waitFor();
    expect(await page.getByTestId('write-off-notice').textContent()).toMatch(/^Write mode switched off: the runbook run ".*" is complete\./);
    expect(await page.getByTestId('write-banner').count()).toBe(0);
    expect(await page.getByTestId('env-band').textContent()).toContain('read-only');
    // The write probe was refused by PostgreSQL (NOT NULL), as the runbook demands.
    await rb().step('inserts-must-fail').getByRole('button', { name: 'Evidence' }).click();
    expect(await rb().step('inserts-must-fail').getByTestId('evidence').textContent()).toContain('23502');
    await rb().verification.getByRole('button', { name: 'Verify journal' }).click();
    await page.locator('[data-testid="journal-verification"][data-verification="intact"]').waitFor();
    const onDisk = verifyJournalFile(path.join(configDir, 'runs', run, 'journal.jsonl'));
    expect(onDisk).toMatchObject({ ok: true, brokenAt: null });
    expect(await rb().verification.textContent()).toContain(`${onDisk.lines} lines`);
    await shot('43-runbook-complete');
  });

  it('reopens the run from the list after a reload, exactly where it stopped', async () => {
    await page.reload();
    await new AppShell(page).waitLoaded();
    await rb().open();
    const run = (await fs.promises.readdir(path.join(configDir, 'runs')))[0]!;
    await rb().picker.locator(`[data-run="${run}"]`).getByRole('button', { name: 'Reopen' }).click();
    await rb().header.waitFor();
    expect(await rb().header.getAttribute('data-complete')).toBe('true');
    expect(await page.locator('[data-testid="step-row"][data-state="passed"]').count()).toBe(24);
  });
});
