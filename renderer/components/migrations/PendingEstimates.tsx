/**
 * Before Apply: every statement of the pending migrations with the lock it takes, the locked
 * table's rows and the live lint's estimate of how long it holds the lock, measured on this server.
 */
import { formatSeconds, type StatementEstimate } from '../../../shared/migrations.js';
import { VirtualRows } from '../VirtualRows.js';

const firstLine = (sql: string) => {
  const [head, ...rest] = sql.split('\n');
  return rest.length ? `${head!.trim()} …` : head!.trim();
};

/** The estimates table; `state` is the store's load state of the estimates. */
export function PendingEstimates({ state, estimates, error }: { state: 'idle' | 'loading' | 'done' | 'error'; estimates: StatementEstimate[] | null; error: string | null }) {
  if (state === 'idle') return null;
  if (state === 'error') return <p className="status status-error" data-testid="apply-estimates-error">Could not estimate the pending statements: {error}</p>;
  if (!estimates) return <p className="muted" data-testid="apply-estimates-loading">Measuring the pending statements on this server…</p>;
  if (!estimates.length) return null;
  return (
    <div className="estimates" data-testid="apply-estimates">
      <h3>Before you apply: locks and estimated lock time</h3>
      <p className="muted small-text">Read-only: table sizes from the catalogs, times from the same kind of work timed on this server (a scan, a sort of the index keys, a copy of the rows). Statements without an estimate do no table-sized work the lint knows of.</p>
      <div className="est-row mig-head" role="row">
        <span>Where</span><span>Statement</span><span>Lock</span><span>Rows</span><span>Estimate</span>
      </div>
      <VirtualRows
        items={estimates}
        rowHeight={32}
        height={Math.min(320, estimates.length * 32 + 4)}
        label="Pending statements"
        testId="apply-estimate-rows"
        getKey={(e) => `${e.file}:${e.line}`}
        renderRow={(e) => (
          <div className="est-row" data-file={e.file} data-line={e.line} data-lock={e.lock ?? ''}>
            <span className="mono" title={e.id}>{e.file}:{e.line}</span>
            <span className="mono" title={e.statement}>{firstLine(e.statement)}</span>
            <span title={e.rules.join(', ')}>{e.lock ?? 'no table lock'}</span>
            <span>{e.rows !== null ? `~${e.rows.toLocaleString('en-US')}` : '–'}</span>
            <span data-testid="estimate" title={e.basis ?? ''}>{e.estimateSeconds !== null ? `about ${formatSeconds(e.estimateSeconds)}` : '–'}</span>
          </div>
        )}
      />
    </div>
  );
}
