/**
 * The Backups page and the guided restore in Chromium against browser mode, on a production
 * profile: a backup taken through the engine, one tenant damaged, then the wizard walked: pick,
 * compare, scope to that tenant, dry run, typed confirmation, verified. The database proves the
 * tenant restored and the other tenant untouched; a second walk hits an FK blocker and cannot
 * restore. Screenshots: test-results/screenshots/30-*.png.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backup } from '../../shared/backup.js';
import { createBackup } from '../../main/engine/backup/create.js';
import { CONSOLE_SCHEMA } from '../../main/engine/config.js';
import { qualified } from '../../main/engine/ident.js';
import { startBrowserHost, type BrowserHost } from '../../main/serve/host.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { AppShell } from './pages/app.js';
import { BackupsPage } from './pages/backups.js';
import { ConnectionsPage } from './pages/connections.js';
import { ensureRendererBuilt, launchChromium, screenshotPath } from './support/browser.js';

const TABLE = 'Credentials; "Ünï"';
const CREDS = qualified('public', TABLE);

let db: TestDatabase;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let configDir: string;
let backup: Backup;
let tenantTwoBefore: string;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

/** The first column of the first row. */
async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.exec(sql, params);
  return Object.values(rows[0] as Record<string, T>)[0]!;
}

/** A digest of one tenant's rows, in id order, as stored. */
function tenantDigest(org: number): Promise<string> {
  return one<string>(`SELECT md5(coalesce(string_agg(c::text, '|' ORDER BY id), '')) FROM ${CREDS} c WHERE organization_id = $1`, [org]);
}

/** Rows of one tenant that differ between the live table and the backup copy, either way. */
function differences(org: number): Promise<number> {
  const copy = qualified(CONSOLE_SCHEMA, backup.backupTable);
  return one<number>(`SELECT count(*)::int FROM (
      (SELECT * FROM ${CREDS} WHERE organization_id = $1 EXCEPT ALL SELECT * FROM ${copy} WHERE organization_id = $1)
      UNION ALL
      (SELECT * FROM ${copy} WHERE organization_id = $1 EXCEPT ALL SELECT * FROM ${CREDS} WHERE organization_id = $1)) d`, [org]);
}

beforeAll(async () => {
  const sql = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'restore.sql'), 'utf8');
  const [d, rendererDir] = await Promise.all([createTestDatabase(sql), ensureRendererBuilt()]);
  db = d;
  const s = await db.session();
  await s.enableWrite();
  backup = await createBackup(s, { schema: 'public', table: TABLE }, { operator: 'e2e-operator' });
  await createBackup(s, { schema: 'public', table: 'notes' }, { operator: 'e2e-operator' });
  await s.close();
  // Since the notes backup: the tenant column added (existing notes are Globex's), a column dropped, notes lost.
  await db.exec('ALTER TABLE notes ADD COLUMN organization_id bigint REFERENCES organizations(id)');
  await db.exec('ALTER TABLE notes DROP COLUMN obsolete');
  await db.exec('UPDATE notes SET organization_id = 2');
  await db.exec('DELETE FROM notes WHERE id > 15');
  // Damage tenant 1 (Acme): rows deleted, rows changed, a row that was never there.
  await db.exec(`DELETE FROM ${CREDS} WHERE id IN (2, 4, 6, 10, 12)`);
  await db.exec(`UPDATE ${CREDS} SET label = 'tampered', secret_hash = NULL WHERE id IN (20, 24, 28)`);
  await db.exec(`INSERT INTO ${CREDS} (id, organization_id, label) VALUES (1001, 1, 'intruder')`);
  // Tenant 2 moved on since the backup: a changed row, and a new row that another table uses.
  await db.exec(`UPDATE ${CREDS} SET label = 'renamed later' WHERE id = 3`);
  await db.exec(`INSERT INTO ${CREDS} (id, organization_id, label) VALUES (2001, 2, 'new since the backup')`);
  await db.exec(`INSERT INTO credential_uses (organization_id, credential_id) VALUES (2, 2001)`);
  tenantTwoBefore = await tenantDigest(2);

  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-e2e-restore-'));
  host = await startBrowserHost({ configDir, rendererDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await db?.drop();
  if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
});

describe('backups and the guided restore in browser mode', () => {
  const b = () => new BackupsPage(page);

  it('connects to a production profile and lists the engine\'s backup', async () => {
    await page.goto(host.url);
    await new AppShell(page).waitLoaded();
    const c = new ConnectionsPage(page);
    await c.addFromUrl({ url: db.url, name: 'Prod restore', environment: 'production', lockTimeoutMs: 2000 });
    await c.save();
    await c.connect('Prod restore');
    await page.getByTestId('page-overview').waitFor();
    await b().open();
    await b().row(`public.${TABLE}`).waitFor();
    const row = await b().row(`public.${TABLE}`).textContent();
    expect(row).toContain('300');
    expect(row).toContain('e2e-operator');
    expect(row).toContain(backup.checksum.slice(0, 8));
    expect(await b().button('Create backup…').isDisabled()).toBe(true);
    await shot('30-backups-read-only');
  });

  it('needs the database name typed for write mode, then creates, verifies and drops (typed) a backup', async () => {
    await b().enableWriteMode(db.name);
    const shown = await b().create('public.organizations');
    expect(shown).toContain('Nothing has run yet');
    expect(shown).toMatch(/CREATE TABLE tenancy_console\.bk_.* AS SELECT .* FROM "public"\."organizations"/);
    await expect.poll(() => b().notice.textContent()).toMatch(/^Backup \d+ of public\.organizations: 40 rows/);
    const org = b().row('public.organizations');
    await org.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => org.textContent()).toContain('intact');
    await shot('31-backups-created-verified');
    await org.getByRole('button', { name: 'Drop…' }).click();
    const form = page.getByRole('form', { name: /^Drop backup \d+$/ });
    const drop = form.getByRole('button', { name: 'Drop backup' });
    expect(await drop.isDisabled()).toBe(true);
    const copy = (await org.getAttribute('data-copy'))!;
    expect(copy).toMatch(/^bk_\d{8}_\d{6}_[0-9a-f]{8}$/);
    await form.locator('input[name="confirm-drop"]').fill(copy.slice(0, -1));
    expect(await drop.isDisabled()).toBe(true);
    await shot('32-backups-drop-confirm');
    await form.locator('input[name="confirm-drop"]').fill(copy);
    await drop.click();
    await expect.poll(() => b().notice.textContent()).toMatch(/dropped$/);
    await expect.poll(() => b().list.locator('[data-testid="backup-row"]').count()).toBe(2);
    expect(await one<number>(`SELECT count(*)::int FROM ${qualified(CONSOLE_SCHEMA, 'backups')}`)).toBe(2);
  });

  it('walks the wizard: pick, compare, one tenant, dry run, typed confirmation, verified', async () => {
    await b().row(`public.${TABLE}`).getByRole('button', { name: 'Restore…' }).click();
    await b().compareCounts.waitFor();
    expect(await b().stepper.locator('[aria-current="step"]').textContent()).toContain('Compare');
    const counts = await b().compareCounts.textContent();
    expect(counts).toContain('Only in backup5');
    expect(counts).toContain('Only live2');
    expect(counts).toContain('Changed4');
    expect(await b().compareColumns.textContent()).toContain('label (4)');
    await expect.poll(() => b().compareTenants.getByRole('option').count()).toBe(2);
    expect(await b().compareTenants.locator('[data-tenant="1"]').textContent()).toContain('Acme Ltd');
    await shot('33-restore-compare');

    await b().action('Next: choose scope').click();
    await b().root.locator('input[name="scope"][value="tenant"]').check();
    expect(await b().action('Dry run').isDisabled()).toBe(true);
    await b().chooseTenant('acme', '1');
    await expect.poll(() => page.getByTestId('tenant-picker-scope').textContent()).toContain('Chosen: Acme Ltd');
    await shot('34-restore-scope-tenant');

    await b().action('Dry run').click();
    await b().summary.waitFor();
    const dry = await b().summary.textContent();
    expect(dry).toContain('Deleted1');
    expect(dry).toContain('Updated3');
    expect(dry).toContain('Inserted5');
    expect(dry).toContain('Rows in scope after150');
    expect(dry).toContain('297 → 301');
    expect(await page.getByTestId('dry-run-note').textContent()).toContain('tenant 1 (Acme Ltd)');
    expect(await differences(1)).toBe(12); // 5 deleted + 1 intruder + 3 changed (both sides): the dry run rolled back
    await shot('35-restore-dry-run');

    await b().action('Next: confirm').click();
    const restore = b().action('Restore now');
    expect(await restore.isDisabled()).toBe(true);
    await b().root.locator('input[name="confirm-table"]').fill('credentials');
    expect(await restore.isDisabled()).toBe(true);
    await b().root.locator('input[name="confirm-table"]').fill(TABLE);
    await shot('36-restore-confirm');
    await restore.click();
    await b().result.waitFor();
    expect(await b().result.getAttribute('data-status')).toBe('verified');
    expect(await b().stepper.locator('[data-step="done"]').textContent()).toBe('✓Verified');
    expect(await b().result.textContent()).toMatch(/Journaled as restore #\d+/);
    await shot('37-restore-verified');

    expect(await differences(1)).toBe(0);
    expect(await tenantDigest(2)).toBe(tenantTwoBefore);
    expect(await one<number>(`SELECT count(*)::int FROM ${CREDS}`)).toBe(301);
    expect(await one<string>(`SELECT status FROM ${qualified(CONSOLE_SCHEMA, 'restores')} ORDER BY id DESC LIMIT 1`)).toBe('verified');
  });

  it('stops at the dry run when a restore would break a foreign key, and cannot go on', async () => {
    await b().action('Compare again').click();
    await b().compareCounts.waitFor();
    expect(await b().compareCounts.textContent()).toContain('Only in backup0');
    await b().action('Next: choose scope').click();
    await b().root.locator('input[name="scope"][value="tenant"]').check();
    await b().chooseTenant('globex', '2');
    await b().action('Dry run').click();
    await b().blocker.waitFor();
    expect(await b().blocker.textContent()).toContain('credential_uses');
    expect(await b().action('Next: confirm').isDisabled()).toBe(true);
    expect(await b().stepper.locator('[data-step="confirm"]').isDisabled()).toBe(true);
    await shot('38-restore-fk-blocked');
    expect(await tenantDigest(2)).toBe(tenantTwoBefore);
  });

  it('moves between open steps with the arrow keys', async () => {
    await b().stepper.locator('[aria-current="step"]').focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => b().wizard.getAttribute('data-step')).toBe('scope');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => b().wizard.getAttribute('data-step')).toBe('dry-run');
    await page.keyboard.press('ArrowRight');
    expect(await b().wizard.getAttribute('data-step')).toBe('dry-run');
    expect(await b().stepper.locator('[data-step="dry-run"]:focus').count()).toBe(1);
  });

  it('shows columns added and dropped since the backup; restores chosen keys with the added tenant column set from a chosen org', async () => {
    await b().button('Cancel restore').click();
    await b().row('public.notes').getByRole('button', { name: 'Restore…' }).click();
    await b().compareColumns.waitFor();
    const columns = await b().compareColumns.textContent();
    expect(columns).toContain('Columns added since the backup: organization_id');
    expect(columns).toContain('Columns dropped since the backup: obsolete');
    expect(await b().compareCounts.textContent()).toContain('Only in backup5');
    await shot('39-restore-columns-added');
    await b().action('Next: choose scope').click();
    await b().root.locator('input[name="scope"][value="keys"]').check();
    await b().root.locator('textarea[name="scope-keys"]').fill('16, 17, 18\n19,20');
    await b().root.locator('input[name="strategy"][value="upsert"]').check();
    await b().root.locator('select[name="column-mode-organization_id"]').selectOption('value');
    expect(await b().action('Dry run').isDisabled()).toBe(true);
    await b().root.locator('input[name="column-organization_id-search"]').fill('Acme');
    await page.getByTestId('tenant-list-column-organization_id').locator('[data-tenant="1"]').click();
    await b().action('Dry run').click();
    await b().summary.waitFor();
    expect(await b().summary.textContent()).toContain('Updated0');
    expect(await b().summary.textContent()).toContain('Inserted5');
    expect(await b().summary.textContent()).toContain('Not restored (dropped since the backup): obsolete');
    await shot('40-restore-columns-dry-run');
    await b().action('Next: confirm').click();
    await b().root.locator('input[name="confirm-table"]').fill('public.notes');
    await b().action('Restore now').click();
    await b().result.waitFor();
    expect(await b().result.getAttribute('data-status')).toBe('verified');
    const { rows } = await db.exec('SELECT organization_id::text AS org, count(*)::int AS n FROM notes GROUP BY 1 ORDER BY 1');
    expect(rows).toEqual([{ org: '1', n: 5 }, { org: '2', n: 15 }]);
  });

  it('a restore whose rows change between a verified dry run and the restore is rolled back, and says the table is unchanged', async () => {
    await b().result.getByRole('button', { name: 'Back to backups' }).click();
    await db.exec(`DELETE FROM ${CREDS} WHERE id IN (2, 4)`);
    const acmeBefore = await tenantDigest(1);
    await b().row(`public.${TABLE}`).getByRole('button', { name: 'Restore…' }).click();
    await b().compareCounts.waitFor();
    await b().action('Next: choose scope').click();
    await b().root.locator('input[name="scope"][value="tenant"]').check();
    await b().chooseTenant('acme', '1');
    await b().action('Dry run').click();
    await b().summary.waitFor();
    expect(await b().summary.textContent()).toContain('Inserted2');
    await b().action('Next: confirm').click();
    await b().root.locator('input[name="confirm-table"]').fill(TABLE);
    // The planted change after the verified dry run: a trigger that alters every row as it goes in.
    await db.exec(`CREATE FUNCTION e2e_alter_label() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.label := NEW.label || ' (altered)'; RETURN NEW; END $$`);
    await db.exec(`CREATE TRIGGER e2e_alter BEFORE INSERT OR UPDATE ON ${CREDS} FOR EACH ROW EXECUTE FUNCTION e2e_alter_label()`);
    try {
      await b().action('Restore now').click();
      await b().result.waitFor();
      expect(await b().result.getAttribute('data-status')).toBe('mismatch-rolled-back');
      expect(await b().result.getByRole('heading', { level: 2 }).textContent()).toContain('Rolled back: the checksum did not match, nothing changed');
      expect(await b().stepper.locator('[data-step="done"]').textContent()).toBe('✗Rolled back');
      expect(await page.getByTestId('rolled-back-counts').textContent()).toBe(
        'The counts below are what the restore did inside its transaction before it was rolled back; the table still has 299 rows.');
      expect(await page.getByTestId('mismatch-cause').textContent()).toContain('a trigger or a default changed them as they went in, or the copy changed since it was taken (check with tenancy backup show 1 --verify)');
      await shot('41-restore-rolled-back');
    } finally {
      await db.exec(`DROP TRIGGER e2e_alter ON ${CREDS}; DROP FUNCTION e2e_alter_label()`);
    }
    expect(await tenantDigest(1)).toBe(acmeBefore);
    expect(await one<number>(`SELECT count(*)::int FROM ${CREDS}`)).toBe(299);
  });
});
