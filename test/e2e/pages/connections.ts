/** The Connections page. */
import type { Page } from 'playwright';

/** Locators and actions for Connections. */
export class ConnectionsPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-connections'); }
  get form() { return this.page.getByRole('form', { name: 'Add a profile' }); }
  get fingerprint() { return this.page.getByTestId('test-fingerprint'); }
  profileRow(name: string) { return this.page.locator(`[data-testid="profile-row"][data-profile="${name}"]`); }

  /** Add a profile from a pasted URL. */
  async addFromUrl(o: { url: string; name: string; environment: 'development' | 'staging' | 'production'; lockTimeoutMs?: number; rlsRole?: string; rlsSetting?: string; globalTables?: string; globalUniques?: string }): Promise<void> {
    await this.root.getByRole('button', { name: 'Add profile' }).click();
    await this.form.locator('input[name="url"]').fill(o.url);
    await this.form.getByRole('button', { name: 'Fill from URL' }).click();
    await this.form.getByText('Fields filled from the URL').waitFor();
    await this.form.locator('input[name="name"]').fill(o.name);
    await this.form.locator('select[name="environment"]').selectOption(o.environment);
    await this.form.getByText('Tenancy settings and timeouts').click();
    if (o.lockTimeoutMs !== undefined) await this.form.locator('input[name="lockTimeoutMs"]').fill(String(o.lockTimeoutMs));
    if (o.rlsRole) await this.form.locator('input[name="rlsRole"]').fill(o.rlsRole);
    if (o.rlsSetting) await this.form.locator('input[name="rlsSetting"]').fill(o.rlsSetting);
    if (o.globalTables) await this.form.locator('input[name="globalTables"]').fill(o.globalTables);
    if (o.globalUniques) await this.form.locator('input[name="globalUniques"]').fill(o.globalUniques);
  }

  async testConnection(): Promise<void> {
    await this.form.getByRole('button', { name: 'Test connection' }).click();
    await this.fingerprint.waitFor();
  }

  async save(): Promise<void> {
    await this.form.getByRole('button', { name: 'Save profile' }).click();
    await this.form.waitFor({ state: 'detached' });
  }

  async connect(name: string): Promise<void> {
    await this.profileRow(name).getByRole('button', { name: 'Connect' }).click();
  }
}
