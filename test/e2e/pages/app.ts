/** The shell: navigation, the environment band, readiness. */
import type { Page } from 'playwright';

/** Locators and actions for the app shell. */
export class AppShell {
  constructor(readonly page: Page) {}

  get root() { return this.page.locator('[data-app-state]'); }
  get envBand() { return this.page.getByTestId('env-band'); }

  /** Wait until the app has booted. */
  async waitLoaded(): Promise<void> {
    await this.page.locator('[data-app-state="loaded"]').waitFor();
  }

  /** Open a page from the navigation. */
  async go(label: 'Connections' | 'Overview' | 'Null safety' | 'Orphans' | 'Distribution' | 'Isolation' | 'Backups' | 'Migrations' | 'Reports' | 'Audit' | 'Runbook' | 'Tenant' | 'Window'): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: label, exact: true }).click();
  }

  get writeBanner() { return this.page.getByTestId('write-banner'); }
  get writeOffNotice() { return this.page.getByTestId('write-off-notice'); }
  get connectionLost() { return this.page.getByTestId('connection-lost'); }
  get shortcutHelp() { return this.page.getByTestId('shortcut-help'); }
  get nav() { return this.page.getByRole('navigation', { name: 'Pages' }); }

  drawer(testId: string) { return this.page.getByTestId(testId); }
}
