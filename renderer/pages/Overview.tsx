/** Overview: the model summary, findings by severity (estimates at once), the exact run with progress and cancel. */
import { useState } from 'react';
import { CHECKS } from '../../shared/checks.js';
import type { CheckRun, Finding } from '../../shared/findings.js';
import type { ModelSummary, TenancyModel } from '../../shared/model.js';
import { FindingDetail } from '../components/FindingDetail.js';
import { RequireModel } from '../components/RequireModel.js';
import { AcceptedBadge, RoleBadge, RolePending } from '../components/RoleBadge.js';
import { EmptyState, ErrorState, LoadingState } from '../components/States.js';
import { VirtualRows } from '../components/VirtualRows.js';
import { count, tableLabel } from '../lib/format.js';
import { latestRun, useChecks } from '../store/checks.js';
import { useShallow } from 'zustand/react/shallow';

function Summary({ summary }: { summary: ModelSummary }) {
  const cards: [string, string, boolean][] = [
    ['Tenant table', summary.tenantTable ?? 'not found', true],
    ['Tenant column', summary.tenantColumn ?? 'not found', true],
    ['Tables in scope', count(summary.tables), false],
    ['Tenant tables', count(summary.tenantTables), false],
    ['Scoped through a parent', count(summary.scopedTables), false],
    ['Unscoped tables', count(summary.unscopedTables), false],
    ['Tables with RLS', count(summary.rlsTables), false],
  ];
  return (
    <div className="summary">
      <div className="cards" data-testid="model-summary">
        {cards.map(([k, v, text]) => (
          <div className="card stat" key={k}><div className="stat-label">{k}</div><div className={`stat-value${text ? ' text' : ''}`} title={v}>{v}</div></div>
        ))}
      </div>
      <p className="muted">Schemas: {summary.schemas.join(', ') || 'none'} · global tables: {summary.globalTables.join(', ') || 'none'}</p>
      {summary.detection.notes.length > 0 && <ul className="notes">{summary.detection.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
    </div>
  );
}

function Severity({ run }: { run: CheckRun }) {
  const by = { error: 0, warning: 0, info: 0 };
  // Accepted findings (declared by design) are counted apart, as the CLI does: never errors.
  for (const f of run.findings) if (!f.accepted) by[f.severity] += 1;
  const accepted = run.findings.filter((f) => f.accepted).length;
  return (
    <div className="cards severity" data-testid="severity-counts">
      {(['error', 'warning', 'info'] as const).map((s) => (
        <div key={s} className={`card stat sev-card sev-${s}`}>
          <div className="stat-label">{s === 'error' ? 'Errors' : s === 'warning' ? 'Warnings' : 'Info'}</div>
          <div className="stat-value">{by[s]}</div>
        </div>
      ))}
      {accepted > 0 && (
        <div className="card stat" data-testid="accepted-count" title="Declared by design (profile or --global-uniques): shown, not counted as errors">
          <div className="stat-label">Accepted</div>
          <div className="stat-value">{accepted}</div>
        </div>
      )}
      <div className="card stat">
        <div className="stat-label">Speed</div>
        <div className="stat-value small">{run.mode === 'estimate' ? 'Estimate (statistics only)' : 'Exact (scanned)'}</div>
      </div>
    </div>
  );
}

function ExactRun() {
  const { exactState, progress, completed, exactError, runExact, cancel } = useChecks(useShallow((s) => ({ exactState: s.exactState, progress: s.progress, completed: s.completed, exactError: s.exactError, runExact: s.runExact, cancel: s.cancel })));
  const hasPrevious = useChecks((s) => s.exact !== null);
  const pct = progress && progress.total ? Math.round((progress.done / progress.total) * 100) : 0;
  return (
    <div className="card exact-run" data-testid="exact-run" data-run-state={exactState}>
      <div className="profile-main">
        <div>
          <h2>Exact checks</h2>
          <p className="muted">One read-only pass per tenant table, its foreign keys to other tenant tables joined in that pass where it is cheaper (else one join each), under the profile's statement_timeout.</p>
        </div>
        {exactState === 'running' ? (
          <button type="button" className="danger" onClick={() => void cancel()}>Cancel run</button>
        ) : (
          <button type="button" className="primary" onClick={() => void runExact()}>{exactState === 'done' ? 'Run exact checks again' : 'Run exact checks'}</button>
        )}
      </div>
      {exactState === 'running' && (
        <div aria-live="polite">
          <progress max={100} value={pct} aria-label="Exact run progress" />
          <p data-testid="progress-current">
            {progress ? `${progress.done} of ${progress.total} · ${progress.phase === 'foreign-key' ? 'joining' : progress.phase === 'probe' ? 'probing' : 'scanning'} ${progress.schema ?? ''}.${progress.table ?? ''}${progress.constraint ? ` (${progress.constraint})` : ''}` : 'Starting…'}
          </p>
          {completed.length > 0 && (
            <ol className="completed">{completed.slice(-6).map((c, i) => <li key={i}>✓ {c.label}</li>)}</ol>
          )}
        </div>
      )}
      {exactState === 'cancelled' && <p className="status status-info" role="status">Cancelled: the running scan was stopped on the server; nothing was changed.{hasPrevious ? ' The findings below are from the previous exact run.' : ''}</p>}
      {exactState === 'error' && <p className="status status-error" role="alert">{exactError}</p>}
    </div>
  );
}

function Findings({ run, model, onOpen }: { run: CheckRun; model: TenancyModel | null; onOpen: (f: Finding) => void }) {
  // Never "passed" when something was not checked (the skipped list below says what).
  if (run.findings.length === 0 && run.skipped.length > 0) return <EmptyState title="No findings in what was checked">{run.skipped.length} not checked (listed below){run.mode === 'estimate' ? '; by estimate, run the exact checks to be sure' : ''}.</EmptyState>;
  if (run.findings.length === 0) return <EmptyState title="No findings">Every check passed{run.mode === 'estimate' ? ' (by estimate; run the exact checks to be sure)' : ''}.</EmptyState>;
  return (
    <VirtualRows
      items={run.findings}
      rowHeight={44}
      height={Math.min(440, run.findings.length * 44 + 4)}
      label="Findings"
      testId="findings"
      getKey={(f) => `${f.check}|${f.schema}|${f.table}|${f.constraint ?? ''}|${f.column ?? ''}`}
      onActivate={(f) => onOpen(f)}
      renderRow={(f) => (
        <div className="finding-row">
          {f.accepted ? <AcceptedBadge finding={f} /> : <span className={`badge sev-${f.severity}`}>{f.severity}</span>}
          <span className="finding-title">{CHECKS[f.check].title}</span>
          <span className="finding-table">{model ? <RoleBadge model={model} table={f} /> : <RolePending />} {tableLabel(f)}{f.constraint ? ` · ${f.constraint}` : ''}</span>
          <span className="finding-count">{f.count !== undefined ? `${f.estimate ? '≈' : ''}${count(f.count)}` : ''}</span>
        </div>
      )}
    />
  );
}

/**
 * The page below its title. `model` is null while the model is still on its way and the estimate
 * has come first (its run carries the same summary): findings show at once, role badges follow.
 */
function OverviewBody({ summary, model, run, onOpen }: { summary: ModelSummary; model: TenancyModel | null; run: CheckRun | null; onOpen: (f: Finding) => void }) {
  const estimateState = useChecks((s) => s.estimateState);
  const estimateError = useChecks((s) => s.estimateError);
  const runEstimate = useChecks((s) => s.runEstimate);
  return (
    <>
      <Summary summary={summary} />
      {run ? <Severity run={run} /> : estimateState === 'error' ? (
        <ErrorState title="The estimate failed" message={estimateError ?? ''} onRetry={() => void runEstimate()} />
      ) : <LoadingState label="Estimating from statistics…" />}
      <ExactRun />
      {run && (
        <>
          <h2>Findings {run.mode === 'estimate' && <span className="badge est">estimates</span>}</h2>
          <Findings run={run} model={model} onOpen={onOpen} />
          {run.skipped.length > 0 && (
            <details className="skipped"><summary>{run.skipped.length} skipped</summary>
              <ul>{run.skipped.map((s, i) => <li key={i}>{s.schema}.{s.table}{s.constraint ? ` (${s.constraint})` : ''}: {s.reason}</li>)}</ul>
            </details>
          )}
        </>
      )}
    </>
  );
}

/** The Overview page. */
export function OverviewPage() {
  const run = useChecks((s) => latestRun(s));
  const [open, setOpen] = useState<Finding | null>(null);
  return (
    <section className="page" aria-labelledby="overview-title" data-testid="page-overview">
      <header className="page-header"><h1 id="overview-title">Overview</h1></header>
      <RequireModel whileLoading={run ? <OverviewBody summary={run.model} model={null} run={run} onOpen={setOpen} /> : undefined}>
        {({ summary, model }) => <OverviewBody summary={summary} model={model} run={run} onOpen={setOpen} />}
      </RequireModel>
      {open && <FindingDetail finding={open} onClose={() => setOpen(null)} />}
    </section>
  );
}
