/** The Orphan finder. */
import type { Page } from 'playwright';

/** Locators and actions for Orphans. */
export class OrphansPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-orphans'); }
  get groups() { return this.page.getByTestId('orphan-groups'); }
  get fromExact() { return this.page.getByTestId('orphans-from-exact'); }
  get crossTenant() { return this.page.getByTestId('cross-tenant'); }
  group(tenant: string) { return this.groups.locator(`[data-tenant="${tenant}"]`); }

  async find(): Promise<void> {
    await this.root.getByRole('button', { name: /^(Find orphans|Group by missing tenant id)$/ }).click();
    await this.groups.waitFor();
  }
}
