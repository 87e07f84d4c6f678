/** The Isolation page. */
import type { Page } from 'playwright';

/** Locators and actions for Isolation. */
export class IsolationPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-isolation'); }
  get rows() { return this.page.getByTestId('isolation-rows'); }
  get probeResult() { return this.page.getByTestId('probe-result'); }
  row(table: string) { return this.rows.locator(`[data-table="${table}"]`); }

  async probe(role: string, setting: string, tenant: string): Promise<void> {
    await this.root.locator('input[name="rls-role"]').fill(role);
    await this.root.locator('input[name="rls-setting"]').fill(setting);
    await this.root.locator('input[name="rls-tenant"]').fill(tenant);
    await this.root.getByRole('button', { name: 'Run probe' }).click();
    await this.probeResult.waitFor();
  }
}
