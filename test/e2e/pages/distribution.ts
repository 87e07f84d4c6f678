/** The Distribution page. */
import type { Page } from 'playwright';

/** Locators and actions for Distribution. */
export class DistributionPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-distribution'); }
  get tenants() { return this.page.getByTestId('tenant-list'); }
  get footprint() { return this.page.getByTestId('footprint'); }
  get footprintTable() { return this.page.getByTestId('footprint-table'); }
  get buckets() { return this.page.getByTestId('buckets'); }

  async search(q: string): Promise<void> {
    await this.root.locator('input[name="tenant-search"]').fill(q);
  }

  async pick(tenantId: string): Promise<void> {
    await this.tenants.locator(`[data-tenant="${tenantId}"]`).click();
  }

  async compareWith(tenantId: string): Promise<void> {
    await this.tenants.locator(`[data-tenant="${tenantId}"]`).getByRole('button', { name: 'Compare' }).click();
  }
}
