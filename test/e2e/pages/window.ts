/** The Window page: the DBA's view of the open run. */
import type { Page } from 'playwright';

/** Locators for the Window page. */
export class WindowPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-window'); }
  get step() { return this.page.getByTestId('window-step'); }
  get sql() { return this.page.getByTestId('window-sql'); }
  get clock() { return this.page.getByTestId('step-clock'); }
  get locks() { return this.page.getByTestId('window-locks'); }
  get notices() { return this.page.getByTestId('window-notices'); }
  get complete() { return this.page.getByTestId('window-complete'); }

  /** Wait until the step card shows step `id` in `state`. */
  async waitStep(id: string, state: string, timeout = 60_000): Promise<void> {
    await this.page.locator(`[data-testid="window-step"][data-step="${id}"][data-state="${state}"]`).waitFor({ timeout });
  }
}
