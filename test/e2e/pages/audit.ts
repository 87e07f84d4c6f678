/** The Audit page. */
import type { Page } from 'playwright';

/** Locators and actions for Audit. */
export class AuditPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-audit'); }
  get chain() { return this.page.getByTestId('audit-chain'); }
  get count() { return this.page.getByTestId('audit-count'); }
  get rows() { return this.page.getByTestId('audit-rows').getByRole('option'); }
  get filters() { return this.page.getByRole('form', { name: 'Filter the audit log' }); }

  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Audit', exact: true }).click();
    await this.root.waitFor();
  }

  /** Fill the filter form and apply it; waits for the list to be read again. */
  async filter(o: { text?: string; profile?: string; errorsOnly?: boolean }): Promise<void> {
    if (o.text !== undefined) await this.filters.locator('input[name="text"]').fill(o.text);
    if (o.profile !== undefined) await this.filters.locator('input[name="profile"]').fill(o.profile);
    if (o.errorsOnly !== undefined) await this.filters.locator('input[name="errors-only"]').setChecked(o.errorsOnly);
    await this.filters.getByRole('button', { name: 'Filter' }).click();
    await this.page.locator('[data-testid="audit-count"][data-state="done"]').waitFor();
  }
}
