/** The Backups page and the restore wizard. */
import type { Page } from 'playwright';

/** Locators and actions for Backups and the restore wizard. */
export class BackupsPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-backups'); }
  get list() { return this.page.getByTestId('backup-list'); }
  get notice() { return this.page.getByTestId('backup-notice'); }
  get wizard() { return this.page.getByTestId('restore-wizard'); }
  get stepper() { return this.page.getByTestId('restore-stepper'); }
  get compareCounts() { return this.page.getByTestId('compare-counts'); }
  get compareColumns() { return this.page.getByTestId('compare-columns'); }
  get compareTenants() { return this.page.getByTestId('compare-tenants'); }
  get summary() { return this.page.getByTestId('restore-summary'); }
  get blocker() { return this.page.getByTestId('restore-blocker'); }
  get result() { return this.page.getByTestId('restore-result'); }
  row(source: string) { return this.list.locator(`[data-testid="backup-row"][data-source="${source.replace(/["\\]/g, '\\$&')}"]`); }
  step(id: string) { return this.page.getByTestId(`step-${id}`); }
  button(name: string) { return this.root.getByRole('button', { name, exact: true }); }
  /** A button of the wizard's current step (the stepper's buttons are not in it). */
  action(name: string) { return this.wizard.locator('.wizard-body').getByRole('button', { name, exact: true }); }

  /** Open the page from the navigation. */
  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Backups', exact: true }).click();
    await this.root.waitFor();
  }

  /** Switch on write mode; on production type the database name. */
  async enableWriteMode(database?: string): Promise<void> {
    await this.root.getByRole('switch').click();
    if (database !== undefined) {
      await this.root.locator('input[name="confirm-database"]').fill(database);
      await this.root.getByRole('button', { name: 'Enable write mode' }).click();
    }
    await this.page.getByTestId('env-band').getByText('WRITE MODE').waitFor();
  }

  get preview() { return this.page.getByTestId('backup-preview'); }

  /** Back up a table chosen by its schema.table label: read the SQL it will run, then run it. Returns that SQL. */
  async create(qualifiedLabel: string): Promise<string> {
    const select = this.root.locator('select[name="backup-table"]');
    const value = await select.locator('option', { hasText: qualifiedLabel }).first().getAttribute('value');
    await select.selectOption(value!);
    await this.button('Create backup…').click();
    await this.preview.waitFor();
    const sql = (await this.preview.textContent()) ?? '';
    await this.button('Run these statements').click();
    return sql;
  }

  /** Search the scope's tenant picker and choose a tenant by id. */
  async chooseTenant(query: string, id: string): Promise<void> {
    await this.root.locator('input[name="scope-search"]').fill(query);
    await this.page.getByTestId('tenant-list-scope').locator(`[data-tenant="${id}"]`).click();
  }
}
