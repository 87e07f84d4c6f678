/** Start a run from a template or a runbook file, or reopen an earlier run. */
import { useState } from 'react';
import { useConnection } from '../../store/connection.js';
import { useRunbook } from '../../store/runbook.js';

/** The picker shown while no run is open. */
export function RunPicker() {
  const current = useConnection((s) => s.current);
  const { templates, runs, pickerError, open, busy } = useRunbook();
  const [file, setFile] = useState('');
  const db = current?.fingerprint.database;
  return (
    <div className="run-picker" data-testid="run-picker">
      {pickerError && <p className="status status-error" role="alert">{pickerError}</p>}
      <div className="card">
        <h2>Start a run from a template</h2>
        <p className="muted">The five reference runbooks (000-004) and a move onto Citus (005). A run is journaled (hash-chained) in the console's config folder and is against {db ? <>the database <code>{db}</code></> : 'the connected database'}.</p>
        {!current && <p className="status status-info">Connect to a database first to start a run.</p>}
        <ul className="template-list">
          {templates.map((t) => (
            <li key={t.id} className="template-item" data-template={t.id}>
              <div>
                <strong>{t.id}</strong> {t.title} <span className="muted small-text">· {t.steps} steps</span>
                {t.description && <p className="muted small-text">{t.description}</p>}
              </div>
              <button type="button" className="primary" disabled={!current || busy !== null} onClick={() => void open({ kind: 'template', template: t.id })}>Start run</button>
            </li>
          ))}
        </ul>
      </div>
      <form className="card toolbar folder-bar" onSubmit={(e) => { e.preventDefault(); void open({ kind: 'file', path: file }); }}>
        <label className="grow">
          <span>Or a runbook file on this machine (YAML)</span>
          <input name="runbook-file" value={file} onChange={(e) => setFile(e.target.value)} placeholder="/path/to/runbook.yaml" autoComplete="off" spellCheck={false} />
        </label>
        <button type="submit" disabled={!current || !file.trim() || busy !== null}>Start run from file</button>
      </form>
      <div className="card">
        <h2>Earlier runs</h2>
        {runs.length === 0 && <p className="muted">No runs yet.</p>}
        <ul className="run-list">
          {runs.map((r) => (
            <li key={r.run} data-run={r.run}>
              <span><strong>{r.label}</strong> {r.runbook} <span className="muted small-text">on {r.database || '?'} · {r.startedAt.slice(0, 16).replace('T', ' ')} · {r.problem ?? (r.complete ? 'complete' : `${r.passed} of ${r.total} passed`)}</span></span>
              <button type="button" disabled={busy !== null} onClick={() => void open({ kind: 'run', run: r.run })}>Reopen</button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
