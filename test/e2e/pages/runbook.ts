/** The Runbook checklist page and the progress indicator in the navigation. */
import type { Page } from 'playwright';

/** Locators and actions for the checklist. */
export class RunbookPage {
  constructor(readonly page: Page) {}

  get root() { return this.page.getByTestId('page-runbook'); }
  get picker() { return this.page.getByTestId('run-picker'); }
  get header() { return this.page.getByTestId('run-header'); }
  get progress() { return this.page.getByTestId('run-progress'); }
  get verification() { return this.page.getByTestId('journal-verification'); }
  get backfill() { return this.page.getByTestId('backfill'); }
  get indicator() { return this.page.getByTestId('runbook-indicator'); }
  get error() { return this.page.getByTestId('run-error'); }
  step(id: string) { return this.page.locator(`[data-testid="step-row"][data-step="${id}"]`); }

  /** Open the page from the navigation. */
  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Runbook', exact: true }).click();
    await this.root.waitFor();
  }

  /** Start a new run from template `id` ("000"). */
  async startTemplate(id: string): Promise<void> {
    await this.picker.locator(`[data-template="${id}"]`).getByRole('button', { name: 'Start run' }).click();
    await this.header.waitFor();
  }

  /** Start a new run from a runbook file on this machine. */
  async startFile(file: string): Promise<void> {
    await this.picker.locator('input[name="runbook-file"]').fill(file);
    await this.picker.getByRole('button', { name: 'Start run from file' }).click();
    await this.header.waitFor();
  }

  /** Switch on write mode; waits until the host has switched the session. */
  async enableWriteMode(): Promise<void> {
    await this.root.getByRole('switch').click();
    await this.root.locator('input[role="switch"]:checked').waitFor();
  }

  async runNext(): Promise<void> {
    await this.header.getByRole('button', { name: 'Run next step' }).click();
  }

  async runUntilStop(): Promise<void> {
    await this.header.getByRole('button', { name: 'Run until the next stop' }).click();
  }

  /** The confirmation before a step writes (every statement whole). */
  confirmDialog(step: string) { return this.page.locator(`[data-testid="confirm-sql"][data-step="${step}"]`); }

  /** Wait for step `step`'s confirmation, return each statement's text as shown, and run (or cancel) them. */
  async confirm(step: string, answer: 'run' | 'cancel' = 'run'): Promise<string[]> {
    const dialog = this.confirmDialog(step);
    await dialog.waitFor({ timeout: 60_000 });
    const statements = await dialog.locator('[data-testid="confirm-sql-statement"] pre').allTextContents();
    await dialog.getByRole('button', { name: answer === 'run' ? 'Run these statements' : 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    return statements;
  }

  /** Wait until step `id` shows `state` (data-state of its row). */
  async waitStep(id: string, state: string, timeout = 60_000): Promise<void> {
    await this.page.locator(`[data-testid="step-row"][data-step="${id}"][data-state="${state}"]`).waitFor({ timeout });
  }

  /** Sign a manual step: each checklist line with its own note (`note` for line N reads "N: note"), or the one note. */
  async signOff(id: string, note: string): Promise<void> {
    const form = this.step(id).getByRole('form');
    const lines = await form.locator('textarea[name^="sign-off-line-"]').all();
    for (const [i, box] of lines.entries()) await box.fill(`${i + 1}: ${note}`);
    if (lines.length === 0) await form.locator('textarea[name="sign-off-note"]').fill(note);
    await form.getByRole('button', { name: 'Sign off' }).click();
  }

  /** Wait until the page has no request in flight. */
  async waitIdle(timeout = 120_000): Promise<void> {
    await this.page.locator('[data-testid="page-runbook"][data-busy="idle"]').waitFor({ timeout });
  }

  async waitBackfill(state: 'running' | 'paused' | 'done' | 'cancelled' | 'stopped', timeout = 60_000): Promise<void> {
    await this.page.locator(`[data-testid="backfill"][data-backfill-state="${state}"]`).waitFor({ timeout });
  }

  async backfillDone(): Promise<number> {
    return Number(await this.backfill.getAttribute('data-backfill-done'));
  }
}
