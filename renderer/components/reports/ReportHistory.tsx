/** Report history per database (the fingerprint): findings over time, and each report's mode and scope. */
import { useMemo, useState } from 'react';
import type { SavedReport } from '../../../shared/contract/reports.js';
import { historyByDatabase } from '../../../shared/report-history.js';
import { count } from '../../lib/format.js';
import { ScrollArea } from '../ScrollArea.js';
import { FindingsChart } from './FindingsChart.js';

/** The history card. */
export function ReportHistory({ reports }: { reports: SavedReport[] }) {
  const groups = useMemo(() => historyByDatabase(reports), [reports]);
  const [picked, setPicked] = useState<string | null>(null);
  const group = groups.find((g) => g.key === picked) ?? groups[0];
  if (!group) return null;
  const scopes = new Set(group.reports.map((r) => r.scope));
  return (
    <div className="card" data-testid="report-history" data-database={group.key}>
      <div className="profile-main">
        <h2>History of {group.reports[0]!.database}</h2>
        {groups.length > 1 && (
          <label><span className="sr-only">Database</span>
            <select name="history-database" value={group.key} onChange={(e) => setPicked(e.target.value)}>
              {groups.map((g) => <option key={g.key} value={g.key}>{g.key} ({g.reports.length})</option>)}
            </select>
          </label>
        )}
      </div>
      <p className="muted small-text">Database <code>{group.key}</code> (from each report's fingerprint, whatever the profile was called) · {group.reports.length} report(s)</p>
      {scopes.size > 1 && <p className="status status-warn" role="status" data-testid="history-scope-warning">These reports did not all check the same scope ({scopes.size} different): compare only reports whose scope below is the same.</p>}
      <FindingsChart reports={group.reports} title={`Findings per report over time for ${group.key}`} />
      <ScrollArea label="Reports of this database">
        <table className="sample-table" data-testid="history-table">
          <thead><tr><th scope="col">When</th><th scope="col">Mode</th><th scope="col">Verdict</th><th scope="col">Errors</th><th scope="col">Warnings</th><th scope="col">Info</th><th scope="col">Scope</th><th scope="col">Report</th></tr></thead>
          <tbody>
            {[...group.reports].reverse().map((r) => (
              <tr key={r.name} data-report={r.name}>
                <td>{(r.createdAt ?? '').slice(0, 16).replace('T', ' ')}</td>
                <td>{r.mode}</td>
                <td>{r.verdict}</td>
                <td className="num">{count(r.bySeverity?.error)}</td>
                <td className="num">{count(r.bySeverity?.warning)}</td>
                <td className="num">{count(r.bySeverity?.info)}</td>
                <td className="scope-cell">{r.scope}</td>
                <td><code>{r.name}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollArea>
    </div>
  );
}
