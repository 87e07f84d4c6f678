/** The Migrations page. */
import type { Page } from 'playwright';

/** Locators and actions for Migrations. */
export class MigrationsPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-migrations'); }
  get ledger() { return this.page.getByTestId('ledger'); }
  get ledgerCounts() { return this.page.getByTestId('ledger-counts'); }
  get preflight() { return this.page.getByTestId('preflight'); }
  get lint() { return this.page.getByTestId('lint'); }
  get lintFindings() { return this.page.getByTestId('lint-findings'); }
  get sqlLines() { return this.page.getByTestId('sql-lines'); }
  get apply() { return this.page.getByTestId('apply'); }
  get log() { return this.page.getByTestId('apply-log'); }
  /** The pending statements' locks and estimated lock times, above Apply. */
  get estimates() { return this.page.getByTestId('apply-estimates'); }
  get lockWatch() { return this.page.getByTestId('lock-watch'); }
  /** The last snapshot that showed a wait, kept once the wait is over. */
  get lastLockWait() { return this.page.getByTestId('lock-watch-last'); }

  /** Open the page from the navigation. */
  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Migrations', exact: true }).click();
    await this.root.waitFor();
  }

  /** Type a folder and read it. */
  async readFolder(dir: string): Promise<void> {
    await this.root.locator('input[name="migration-dir"]').fill(dir);
    await this.root.getByRole('button', { name: /Read (folder|again)/ }).click();
  }

  migration(id: string) { return this.ledger.locator(`[data-migration="${id}"]`); }
  fileTab(file: string) { return this.lint.getByRole('tab', { name: new RegExp(`^${file.replace(/\./g, '\\.')}`) }); }
  estimateRow(file: string, line: number) { return this.estimates.locator(`[data-file="${file}"][data-line="${line}"]`); }
  sqlLine(n: number) { return this.sqlLines.locator(`[data-line="${n}"]`); }

  /** The switch flips once the host has switched the session (it is controlled by the reply). */
  async enableWriteMode(): Promise<void> {
    await this.apply.getByRole('switch').click();
    await this.apply.locator('input[role="switch"]:checked').waitFor();
  }

  async acknowledge(rule: string): Promise<void> {
    await this.apply.getByRole('checkbox', { name: new RegExp(rule) }).check();
  }

  async startApply(): Promise<void> {
    await this.apply.getByRole('button', { name: /^Apply \d+ pending$/ }).click();
  }

  async waitApplyState(state: 'running' | 'done' | 'cancelled' | 'error'): Promise<void> {
    await this.page.locator(`[data-testid="apply"][data-apply-state="${state}"]`).waitFor({ timeout: 60_000 });
  }
}
