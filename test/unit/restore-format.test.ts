/** The CLI's restore output says when its counts belong to a transaction that was rolled back. */
import { describe, expect, it } from 'vitest';
import { formatRestore } from '../../main/cli/commands/restore.js';
import type { RestoreResult } from '../../shared/backup.js';

const sum = { rows: 1000, checksum: 'c1' };

function result(over: Partial<RestoreResult>): RestoreResult {
  return {
    id: 7, backupId: 3, schema: 'public', table: 'items', scope: { kind: 'tenant', tenant: '1' }, strategy: 'replace',
    dryRun: false, status: 'verified',
    counts: { deleted: 0, updated: 0, inserted: 1000, scopeRowsAfter: 1000, tableRowsBefore: 200, tableRowsAfter: 1200 },
    expected: sum, actual: sum, checksumScheme: 'hash_record_extended', copy: { status: 'recorded', recorded: null, now: null },
    verified: true, columns: ['id'], columnsNotRestored: [], sequences: [], statements: [], startedAt: '2026-12-03T00:00:00Z',
    durationMs: 5, operator: 'dba', ...over,
  };
}

describe('formatRestore', () => {
  it('prints a committed restore\'s counts as the table now is', () => {
    const text = formatRestore(result({}));
    expect(text).toContain('restore 7 committed');
    expect(text).toContain('  rows in scope after: 1000; table rows 200 -> 1200');
    expect(text).not.toContain('rolled back');
  });

  it('prints a rolled-back restore\'s counts as those of the rolled-back transaction, and the table as unchanged', () => {
    const text = formatRestore(result({ id: null, status: 'mismatch-rolled-back', verified: false, actual: { rows: 1001, checksum: 'c2' } }));
    expect(text).toMatch(/^ROLLED BACK: checksum mismatch, nothing changed/);
    expect(text).toContain('  in the transaction that was rolled back: deleted 0, updated 0, inserted 1000');
    expect(text).toContain('table rows there 200 -> 1200; the table still has 200');
    expect(text).not.toContain('rows in scope after');
    expect(text).not.toContain('differ from the checksum recorded'); // more rows: the line about rows that arrived
  });

  it('a mismatch against the recorded per-tenant checksum names the two causes and how to tell them apart; a verified restore has no such line', () => {
    const bad = formatRestore(result({ id: null, status: 'mismatch-rolled-back', verified: false, actual: { rows: 1000, checksum: 'c2' } }));
    expect(bad).toContain('differ from the checksum recorded with backup 3: a trigger or a default changed them as they went in, or the copy changed since it was taken (check with tenancy backup show 3 --verify)');
    expect(formatRestore(result({}))).not.toContain('differ from the checksum recorded');
  });

  it('prints a dry run\'s counts the same way', () => {
    const text = formatRestore(result({ id: null, dryRun: true, status: 'dry-run' }));
    expect(text).toMatch(/^DRY RUN/);
    expect(text).toContain('in the transaction that was rolled back: deleted 0');
    expect(text).not.toContain('rows in scope after');
  });
});
