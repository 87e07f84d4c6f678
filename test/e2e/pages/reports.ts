/** The Reports page. */
import type { Page } from 'playwright';

/** Locators and actions for Reports. */
export class ReportsPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-reports'); }
  get exportCard() { return this.page.getByTestId('report-export'); }
  get list() { return this.page.getByTestId('report-list'); }
  get items() { return this.list.locator('[data-report]'); }
  get diffCard() { return this.page.getByTestId('report-diff'); }
  get diffResult() { return this.page.getByTestId('diff-result'); }

  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Reports', exact: true }).click();
    await this.root.waitFor();
  }

  /** Export an exact report and wait until it is saved. */
  async exportReport(mode: 'exact' | 'estimate' = 'exact'): Promise<void> {
    await this.exportCard.getByRole('radio', { name: mode === 'exact' ? /^Exact/ : /^Estimate/ }).check();
    await this.exportCard.getByRole('button', { name: 'Export report' }).click();
    await this.page.locator('[data-testid="report-export"][data-export-state="running"]').waitFor();
    await this.page.locator('[data-testid="report-export"][data-export-state="done"]').waitFor({ timeout: 60_000 });
  }

  /** The newest saved report's file name (the one just exported). */
  async lastExported(): Promise<string> {
    return (await this.exportCard.locator('.status-ok code').textContent())!;
  }

  item(name: string) { return this.list.locator(`[data-report="${name}"]`); }

  async verify(name: string) {
    await this.item(name).getByRole('button', { name: 'Verify' }).click();
    const v = this.item(name).getByTestId('verification');
    await v.waitFor();
    return v;
  }

  async diff(a: string, b: string): Promise<void> {
    await this.diffCard.locator('select[name="diff-a"]').selectOption(a);
    await this.diffCard.locator('select[name="diff-b"]').selectOption(b);
    await this.diffCard.getByRole('button', { name: 'Compare' }).click();
    await this.diffResult.waitFor();
  }
}
