/**
 * Reports: export a signed report of the current database (saved with its HTML in the config
 * folder), download or print one, verify one (digest, signature, the section that changed), and
 * diff two (findings resolved, new, changed; distribution changes).
 */
import { useEffect } from 'react';
import type { SavedReport } from '../../shared/contract/reports.js';
import { EmptyState } from '../components/States.js';
import { ReportDiffView } from '../components/reports/ReportDiffView.js';
import { VerificationView } from '../components/reports/VerificationView.js';
import { ReportHistory } from '../components/reports/ReportHistory.js';
import { reportDifferences } from '../../shared/report-history.js';
import { count } from '../lib/format.js';
import { useConnection } from '../store/connection.js';
import { useReports } from '../store/reports.js';
import '../ops.css';

function ExportCard() {
  const current = useConnection((s) => s.current);
  const s = useReports();
  const running = s.exportState === 'running';
  const pct = s.progress && s.progress.total ? Math.round((s.progress.done / s.progress.total) * 100) : 0;
  return (
    <div className="card" data-testid="report-export" data-export-state={s.exportState}>
      <div className="profile-main">
        <div>
          <h2>Export a report</h2>
          <p className="muted">{current ? <>Of <strong>{current.profile.name}</strong> ({current.fingerprint.database}): every check, the distribution, the model and the fingerprint, signed with this installation's key{s.keyId ? <> (<code>{s.keyId}</code>)</> : ''}.</> : 'Connect to a database to export its report.'}</p>
        </div>
        {running
          ? <button type="button" className="danger" onClick={() => void s.cancel()}>Cancel export</button>
          : <button type="button" className="primary" disabled={!current} onClick={() => void s.exportReport()}>Export report</button>}
      </div>
      <div className="actions" role="radiogroup" aria-label="Speed">
        <label className="check"><input type="radio" name="report-mode" checked={s.mode === 'exact'} disabled={running} onChange={() => s.setMode('exact')} /> <span>Exact (scans every tenant table; includes the distribution)</span></label>
        <label className="check"><input type="radio" name="report-mode" checked={s.mode === 'estimate'} disabled={running} onChange={() => s.setMode('estimate')} /> <span>Estimate (statistics only)</span></label>
      </div>
      {running && <progress max={100} value={pct} aria-label="Export progress" />}
      {s.exportState === 'done' && s.lastExport && <p className="status status-ok" role="status">Saved <code>{s.lastExport}</code> and its HTML rendering.</p>}
      {s.exportState === 'cancelled' && <p className="status status-info" role="status">Cancelled: nothing was saved.</p>}
      {s.exportState === 'error' && <p className="status status-error" role="alert">{s.exportError}</p>}
    </div>
  );
}

function ReportRow({ r }: { r: SavedReport }) {
  const s = useReports();
  const v = s.verifications[r.name];
  return (
    <li className="report-item" data-report={r.name}>
      <div className="profile-main">
        <div>
          <strong className="mono">{r.name}</strong>
          <div className="muted small-text">
            {r.problem ? <span className="bad-text">{r.problem}</span> : <>
              {r.profile} {r.environment && <span className={`badge env-${r.environment}`}>{r.environment}</span>} · {r.database} · {r.createdAt ? new Date(r.createdAt).toLocaleString() : '?'} ·{' '}
              <span className={`badge mode-${r.mode ?? 'unknown'}`} data-testid="report-mode">{r.mode ?? 'mode unknown'}</span>{' '}
              <span className={`badge ${r.verdict === 'fail' ? 'sev-error' : r.verdict === 'pass' ? 'ok' : 'sev-warning'}`}>{r.verdict}</span> {count(r.findings)} findings · sha256 <code>{r.digest?.slice(0, 16)}</code>
            </>}
          </div>
        </div>
        <div className="actions">
          <button type="button" onClick={() => void s.verify(r.name)}>Verify</button>
          <button type="button" onClick={() => void s.download(r.name, 'json')}>JSON</button>
          <button type="button" onClick={() => void s.downloadPack(r.name)} title="The report, its run journal and the audit-log excerpt of its run, each signed, in one file">Evidence pack</button>
          {r.htmlName && <button type="button" onClick={() => void s.download(r.name, 'html')} title="Open the downloaded page and print it (it is laid out for A4)">HTML for printing</button>}
        </div>
      </div>
      {v && ('error' in v ? <p className="status status-error" role="alert">{v.error}</p> : <VerificationView v={v} ownKey={s.keyId} />)}
    </li>
  );
}

function DiffCard({ reports }: { reports: SavedReport[] }) {
  const s = useReports();
  const options = reports.filter((r) => !r.problem);
  const modeOf = (name: string) => options.find((r) => r.name === name)?.mode ?? null;
  const ma = modeOf(s.diffPick.a);
  const mb = modeOf(s.diffPick.b);
  const mixed = ma && mb && ma !== mb ? `before ${ma}, after ${mb}` : null;
  const ra = options.find((r) => r.name === s.diffPick.a);
  const rb = options.find((r) => r.name === s.diffPick.b);
  const otherDifferences = ra && rb ? reportDifferences(ra, rb).filter((d) => !d.startsWith('different modes')) : [];
  const pick = (side: 'a' | 'b') => (
    <label>
      <span>{side === 'a' ? 'Before' : 'After'}</span>
      <select name={`diff-${side}`} value={s.diffPick[side]} onChange={(e) => s.pickDiff(side, e.target.value)}>
        <option value="">Choose a report…</option>
        {options.map((r) => <option key={r.name} value={r.name}>{r.name} ({r.mode ?? 'mode unknown'})</option>)}
      </select>
    </label>
  );
  return (
    <div className="card" data-testid="report-diff">
      <h2>Compare two reports</h2>
      <form className="diff-pick" onSubmit={(e) => { e.preventDefault(); void s.runDiff(); }}>
        {pick('a')}
        {pick('b')}
        <button type="submit" className="primary" disabled={!s.diffPick.a || !s.diffPick.b}>Compare</button>
      </form>
      {mixed && !s.diff && <p className="status status-warn" role="status" data-testid="diff-mode-warning">These reports were made in different modes ({mixed}): an estimate cannot see orphan rows, cross-tenant references or the distribution, so those are listed as not comparable, never as resolved. Compare two exact reports to see what a migration fixed.</p>}
      {otherDifferences.length > 0 && (
        <div className="status status-warn" role="status" data-testid="diff-scope-warning">
          <p>These two reports are not like for like; what differs:</p>
          <ul>{otherDifferences.map((d) => <li key={d}>{d}</li>)}</ul>
          <p>A finding "resolved" here may only be out of scope in the other report.</p>
        </div>
      )}
      {s.diffError && <p className="status status-error" role="alert">{s.diffError}</p>}
      {s.diff && <ReportDiffView d={s.diff} />}
    </div>
  );
}

/** The Reports page. */
export function ReportsPage() {
  const s = useReports();
  const refresh = useReports((x) => x.refresh);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return (
    <section className="page" aria-labelledby="reports-title" data-testid="page-reports">
      <header className="page-header"><h1 id="reports-title">Reports</h1></header>
      <ExportCard />
      <div className="card" data-testid="report-list">
        <div className="profile-main">
          <h2>Saved reports</h2>
          <span className="muted small-text" title="Put a report you received here to verify it">{s.dir}</span>
        </div>
        {s.listError && <p className="status status-error" role="alert">{s.listError}</p>}
        {s.downloadError && <p className="status status-error" role="alert">{s.downloadError}</p>}
        {s.reports.length === 0 ? <EmptyState title="No reports yet">Export one above; reports you receive can be copied into the folder shown here to verify them.</EmptyState> : (
          <ul className="report-list">{s.reports.map((r) => <ReportRow key={r.name} r={r} />)}</ul>
        )}
      </div>
      <ReportHistory reports={s.reports} />
      <DiffCard reports={s.reports} />
    </section>
  );
}
