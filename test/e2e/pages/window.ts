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

  /** Run the current step from the Window page, confirming its writes (every statement whole) when it asks; returns the statements shown. */
  async runStep(step: string): Promise<string[]> {
    await this.step.getByRole('button', { name: 'Run this step' }).click();
    const dialog = this.page.locator(`[data-testid="confirm-sql"][data-step="${step}"]`);
    await dialog.waitFor();
    const statements = await dialog.locator('[data-testid="confirm-sql-statement"] pre').allTextContents();
    await dialog.getByRole('button', { name: 'Run these statements' }).click();
    await dialog.waitFor({ state: 'detached' });
    return statements;
  }

  /** Wait until the step card shows step `id` in `state`. */
  async waitStep(id: string, state: string, timeout = 60_000): Promise<void> {
    await this.page.locator(`[data-testid="window-step"][data-step="${id}"][data-state="${state}"]`).waitFor({ timeout });
  }
}
