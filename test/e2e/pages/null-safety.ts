/** The Null-safety dashboard. */
import type { Page } from 'playwright';

/** Locators and actions for Null safety. */
export class NullSafetyPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-null-safety'); }
  get rows() { return this.page.getByTestId('ns-rows').getByRole('option'); }
  get count() { return this.page.getByTestId('ns-count'); }

  async filter(text: string): Promise<void> {
    await this.root.locator('input[name="table-filter"]').fill(text);
  }

  async sortBy(label: string): Promise<void> {
    await this.root.getByRole('group', { name: 'Sort by column' }).getByRole('button', { name: new RegExp(`^${label}`) }).click();
  }

  row(table: string) { return this.page.getByTestId('ns-rows').locator(`[data-table="${table}"]`); }
}
