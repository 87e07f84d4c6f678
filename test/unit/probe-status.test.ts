/** The Isolation page's line per table: a "Not checked" FK of a table does not make the table "skipped". */
import { describe, expect, it } from 'vitest';
import type { CheckRun } from '../../shared/findings.js';
import type { TableInfo } from '../../shared/model.js';
import { probeStatus } from '../../shared/probe-status.js';

const tasks = { schema: 'public', table: 'tasks', role: 'tenant' } as TableInfo;
const runWith = (skipped: CheckRun['skipped'], findings: Partial<CheckRun['findings'][number]>[] = []) =>
  ({ findings, skipped } as unknown as CheckRun);

describe('probeStatus', () => {
  it('says isolated when only an FK of the table was not checked', () => {
    const run = runWith([{ schema: 'public', table: 'tasks', constraint: 'tasks_account', reason: 'permission denied on its parent public.billing_accounts' }]);
    expect(probeStatus(run, tasks)).toEqual({ text: 'isolated', cls: 'ok-text' });
  });

  it('says skipped when the table itself was not checked', () => {
    const run = runWith([{ schema: 'public', table: 'tasks', reason: 'isolation probe: permission denied' }]);
    expect(probeStatus(run, tasks)).toEqual({ text: 'skipped', cls: 'muted' });
  });

  it('says leak before anything else, with the row count', () => {
    const run = runWith([{ schema: 'public', table: 'tasks', reason: 'x' }], [{ check: 'isolation-leak', schema: 'public', table: 'tasks', count: 1234 }]);
    expect(probeStatus(run, tasks)).toEqual({ text: 'leak: 1,234 rows', cls: 'bad-text' });
  });
});
