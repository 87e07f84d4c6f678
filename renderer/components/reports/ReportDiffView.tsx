/** Two reports compared: findings resolved, new and changed, and distribution buckets that moved. */
import type { ReportDiff } from '../../../shared/report.js';
import { count } from '../../lib/format.js';

type Diff = ReportDiff & { verified: { a: boolean; b: boolean } };

function FindingList({ title, items, testId }: { title: string; items: Diff['resolved']; testId: string }) {
  return (
    <div data-testid={testId}>
      <h3>{title} ({items.length})</h3>
      {items.length === 0 ? <p className="muted">none</p> : (
        <ul className="diff-list">
          {items.map((f) => <li key={f.key}><span className={`badge sev-${f.severity}`}>{f.severity}</span> <code>{f.check}</code> {f.message}{f.count !== null ? ` (${count(f.count)})` : ''}</li>)}
        </ul>
      )}
    </div>
  );
}

/** The diff. */
export function ReportDiffView({ d }: { d: Diff }) {
  return (
    <div className="report-diff" data-testid="diff-result">
      {(!d.verified.a || !d.verified.b) && (
        <p className="status status-error" role="alert">
          {!d.verified.a && 'The "before" report does not verify. '}{!d.verified.b && 'The "after" report does not verify. '}Verify them to see what changed in the files.
        </p>
      )}
      {!d.sameDatabase && <p className="status status-warn">These reports are of different databases.</p>}
      {!d.sameMode && (
        <p className="status status-error" role="alert" data-testid="diff-modes">
          Modes differ: before is an <strong>{d.modes.a}</strong> report, after an <strong>{d.modes.b}</strong> report. {count(d.notComparable.length)} row-count finding{d.notComparable.length === 1 ? '' : 's'} cannot be compared and {d.notComparable.length === 1 ? 'is' : 'are'} listed apart, not as resolved.
        </p>
      )}
      <p className="muted" data-testid="diff-summary">
        {d.a.verdict} → {d.b.verdict} · {d.resolved.length} resolved · {d.added.length} new · {d.changed.length} changed · {d.unchanged} unchanged
        {d.sameMode ? '' : ` · ${d.notComparable.length} not comparable`} · {d.distributionCompared ? `${d.distribution.length} distribution change${d.distribution.length === 1 ? '' : 's'}` : 'distribution not compared (a report has none)'}
      </p>
      <div className="grid-2">
        <FindingList title="Resolved" items={d.resolved} testId="diff-resolved" />
        <FindingList title="New" items={d.added} testId="diff-added" />
      </div>
      {d.notComparable.length > 0 && (
        <table className="sample-table" data-testid="diff-not-comparable">
          <caption>Not comparable (the modes differ)</caption>
          <thead><tr><th scope="col">check</th><th scope="col">finding</th><th scope="col">before ({d.modes.a})</th><th scope="col">after ({d.modes.b})</th></tr></thead>
          <tbody>{d.notComparable.map((c) => <tr key={c.key}><td>{c.check}</td><td>{c.key}</td><td>{c.before === null ? 'not seen' : count(c.before)}</td><td>{c.after === null ? 'not seen' : count(c.after)}</td></tr>)}</tbody>
        </table>
      )}
      {d.changed.length > 0 && (
        <table className="sample-table" data-testid="diff-changed">
          <caption>Changed</caption>
          <thead><tr><th>check</th><th>finding</th><th>before</th><th>after</th></tr></thead>
          <tbody>{d.changed.map((c) => <tr key={c.key}><td>{c.check}</td><td>{c.key}</td><td>{count(c.before)}</td><td>{count(c.after)}</td></tr>)}</tbody>
        </table>
      )}
      {d.distribution.length > 0 && (
        <table className="sample-table" data-testid="diff-distribution">
          <caption>Distribution changes</caption>
          <thead><tr><th>table</th><th>bucket</th><th>before</th><th>after</th></tr></thead>
          <tbody>
            {d.distribution.slice(0, 200).map((r, i) => (
              <tr key={i}><td>{r.schema}.{r.table}</td><td>{r.tenantName ?? r.tenant ?? r.bucket}</td><td>{count(r.before)}</td><td>{count(r.after)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {d.distribution.length > 200 && <p className="muted">…and {d.distribution.length - 200} more buckets.</p>}
    </div>
  );
}
