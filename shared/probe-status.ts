/** The Isolation page's status line per table (pure, shared so that it is unit-tested). */
import type { CheckRun } from './findings.js';
import type { TableInfo } from './model.js';

const nf = new Intl.NumberFormat('en-US');

/**
 * A table's status on the Isolation page: a leak, "skipped" (a "Not checked" entry for the table
 * itself; one for one of its FKs says nothing of the probe), else isolated.
 */
export function probeStatus(run: CheckRun | null, t: TableInfo): { text: string; cls: string } {
  if (!run) return { text: 'not probed', cls: 'muted' };
  if (t.role === 'scoped') return { text: 'not probed (scoped)', cls: 'muted' };
  const leak = run.findings.find((f) => f.check === 'isolation-leak' && f.schema === t.schema && f.table === t.table);
  if (leak) return { text: `leak: ${nf.format(leak.count ?? 0)} rows`, cls: 'bad-text' };
  if (run.skipped.some((s) => s.schema === t.schema && s.table === t.table && !s.constraint)) return { text: 'skipped', cls: 'muted' };
  return { text: 'isolated', cls: 'ok-text' };
}
