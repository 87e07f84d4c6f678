/** The Tenant page: finder, footprint, row browser, impersonation. */
import type { Page } from 'playwright';

/** Locators and actions for the Tenant page. */
export class TenantPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-tenant'); }
  get footprint() { return this.page.getByTestId('tenant-footprint'); }
  get matches() { return this.page.getByTestId('tenant-matches'); }
  get browser() { return this.page.getByTestId('row-browser'); }
  get rows() { return this.page.getByTestId('tenant-rows'); }
  get pageInfo() { return this.page.getByTestId('page-info'); }
  get visibility() { return this.page.getByTestId('visibility'); }
  get visibilitySummary() { return this.page.getByTestId('visibility-summary'); }
  footprintRow(table: string) { return this.page.locator(`[data-testid="footprint-tables"] tr[data-table="${table}"]`); }
  visibilityRow(table: string) { return this.page.locator(`[data-testid="visibility-table"] tr[data-table="${table}"]`); }

  /** Type a query and press Enter (opens the first match). */
  async find(query: string): Promise<void> {
    const input = this.root.locator('input[name="tenant-query"]');
    await input.fill(query);
    await input.press('Enter');
  }

  /** Wait for the footprint of this tenant id. */
  async waitFootprint(id: string): Promise<void> {
    await this.page.locator(`[data-testid="tenant-footprint"][data-tenant="${id}"]`).waitFor();
  }

  /** Rows on the current page: the text of one column. */
  async column(name: string): Promise<string[]> {
    const headers = await this.rows.locator('thead th').allTextContents();
    const i = headers.indexOf(name);
    return this.rows.locator(`tbody tr td:nth-child(${i + 1})`).allTextContents();
  }

  async addFilter(column: string, op: string, value?: string): Promise<void> {
    const form = this.browser.getByRole('form', { name: 'Filter rows' });
    await form.locator('select[name="filter-column"]').selectOption(column);
    await form.locator('select[name="filter-op"]').selectOption(op);
    if (value !== undefined) await form.locator('input[name="filter-value"]').fill(value);
    await form.getByRole('button', { name: 'Add filter' }).click();
  }

  async impersonate(role: string, setting: string): Promise<void> {
    await this.visibility.locator('input[name="impersonate-role"]').fill(role);
    await this.visibility.locator('input[name="impersonate-setting"]').fill(setting);
    await this.visibility.getByRole('button', { name: 'See what the app sees' }).click();
  }
}
