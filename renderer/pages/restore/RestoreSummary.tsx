/** What a restore or its dry run did: counts, checksums, sequences, the statements. */
import type { RestoreResult } from '../../../shared/backup.js';
import { CodeBlock } from '../../components/CodeBlock.js';
import { count } from '../../lib/format.js';
import { copyCheckText } from '../../../shared/copy-check-text.js';

/** Counts and checksums of a restore result. */
export function RestoreSummary({ r }: { r: RestoreResult }) {
  const c = r.counts;
  const cards: [string, string][] = [
    ['Deleted', count(c.deleted)],
    ['Updated', count(c.updated)],
    ['Inserted', count(c.inserted)],
    ['Rows in scope after', count(c.scopeRowsAfter)],
    ['Table rows', `${count(c.tableRowsBefore)} → ${count(c.tableRowsAfter)}`],
  ];
  return (
    <div className="restore-summary" data-testid="restore-summary">
      <div className="cards">
        {cards.map(([k, v]) => <div key={k} className="card stat" data-count={k}><div className="stat-label">{k}</div><div className="stat-value">{v}</div></div>)}
      </div>
      <dl className="fingerprint checksums" data-testid="restore-checksums">
        <dt>Backup</dt><dd>{count(r.expected.rows)} rows · <code>{r.expected.checksum}</code></dd>
        <dt>Live after</dt><dd>{count(r.actual.rows)} rows · <code>{r.actual.checksum}</code></dd>
        <dt>Row hash</dt><dd><code>{r.checksumScheme}</code></dd>
        <dt>Backup side</dt><dd data-testid="restore-copy-check" data-status={r.copy.status}>{copyCheckText(r.copy, r.backupId)}</dd>
        <dt>Checksum</dt><dd>{r.verified ? <span className="badge ok">match</span> : <span className="badge sev-error">{r.copy.status === 'changed' ? 'NOT VERIFIED: the copy changed' : 'MISMATCH'}</span>}</dd>
      </dl>
      {r.columnsNotRestored.length > 0 && <p className="status status-info">Not restored (dropped since the backup): {r.columnsNotRestored.join(', ')}</p>}
      {r.sequences.length > 0 && (
        <ul className="small-text">{r.sequences.map((s) => <li key={s.sequence}>Sequence <code>{s.sequence}</code> {r.dryRun ? 'would be advanced' : 'advanced'} to {s.value} ({s.column})</li>)}</ul>
      )}
      <details>
        <summary>The statements ({r.statements.length})</summary>
        <CodeBlock label="Restore SQL" code={r.statements.map((s) => `${s};`).join('\n\n')} testId="restore-sql" />
      </details>
    </div>
  );
}
