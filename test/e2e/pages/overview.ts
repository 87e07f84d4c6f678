/** The Overview page. */
import type { Page } from 'playwright';

/** Locators and actions for Overview. */
export class OverviewPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-overview'); }
  get summary() { return this.page.getByTestId('model-summary'); }
  get severity() { return this.page.getByTestId('severity-counts'); }
  get exactRun() { return this.page.getByTestId('exact-run'); }
  get progress() { return this.page.getByTestId('progress-current'); }
  get findings() { return this.page.getByTestId('findings'); }

  async runExact(): Promise<void> {
    await this.exactRun.getByRole('button', { name: /Run exact checks/ }).click();
  }

  async waitRunState(state: 'running' | 'done' | 'cancelled' | 'error'): Promise<void> {
    await this.page.locator(`[data-testid="exact-run"][data-run-state="${state}"]`).waitFor({ timeout: 60_000 });
  }

  async cancel(): Promise<void> {
    await this.exactRun.getByRole('button', { name: 'Cancel run' }).click();
  }

  /** Open the finding row whose text matches. */
  async openFinding(title: string, table: string): Promise<void> {
    await this.findings.getByRole('option').filter({ hasText: title }).filter({ hasText: table }).first().click();
  }
}
