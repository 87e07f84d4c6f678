/** The open run: which runbook, which database, who started it, the journal's verification, the next action. */
import type { RunView } from '../../../shared/contract/runbooks.js';
import { runProgress } from '../../../shared/runbook-checklist.js';
import { useConnection } from '../../store/connection.js';
import { useRunbook } from '../../store/runbook.js';

function Verification() {
  const v = useRunbook((s) => s.verification);
  const verify = useRunbook((s) => s.verify);
  const state = v.state === 'checking' ? 'checking' : v.error ? 'error' : v.value ? (v.value.ok ? 'intact' : 'broken') : 'unknown';
  return (
    <div className={`journal-verify verify-${state}`} data-testid="journal-verification" data-verification={state}>
      {state === 'intact' && <span><strong>Journal intact</strong>: {v.value!.lines} line{v.value!.lines === 1 ? '' : 's'}, hash chain unbroken (head <code title={v.value!.head}>{v.value!.head.slice(0, 16)}…</code>)</span>}
      {state === 'broken' && <span><strong>Journal BROKEN</strong> at line {v.value!.brokenAt!.line}: {v.value!.brokenAt!.reason}</span>}
      {state === 'error' && <span>{v.error}</span>}
      {state === 'checking' && <span>Verifying the hash chain…</span>}
      {v.at && <span className="muted small-text"> · checked {v.at.slice(11, 19)} UTC</span>}
      <button type="button" onClick={() => void verify()} disabled={state === 'checking'}>Verify journal</button>
    </div>
  );
}

/** The header card of the checklist. */
export function RunHeader({ view }: { view: RunView }) {
  const current = useConnection((s) => s.current);
  const { busy, running, runStep, runUntilStop, close, error } = useRunbook();
  const s = view.status;
  const p = runProgress(view);
  const nextDef = s.next ? view.steps.find((d) => d.id === s.next!.step) : undefined;
  const otherDb = current && current.fingerprint.database !== s.database;
  const manualNext = nextDef?.kind === 'manual';
  // A command runs from a terminal only: its row shows the CLI line.
  const commandNext = nextDef?.kind === 'command';
  const writable = current?.writable ?? false;
  return (
    <div className="card run-header" data-testid="run-header" data-run={s.run} data-complete={s.complete}>
      <div className="profile-main">
        <div>
          <h2>{view.label}: {s.runbook}</h2>
          <p className="muted small-text">Run <code>{s.run}</code> on <code>{s.database}</code> (profile {s.profile || '—'}), started {s.startedAt.replace('T', ' ').slice(0, 19)} UTC</p>
        </div>
        <button type="button" onClick={close} disabled={busy !== null}>Other runs</button>
      </div>
      <div className="run-progress" data-testid="run-progress">
        <strong>{p.text}</strong>
        <div className="progress"><div className="progress-fill" style={{ width: `${(100 * s.steps.filter((x) => x.state === 'passed').length) / Math.max(1, p.total)}%` }} /></div>
      </div>
      <Verification />
      {otherDb && <p className="status status-error" role="alert">This run is against <code>{s.database}</code>; the console is connected to <code>{current.fingerprint.database}</code>. Connect to {s.database} to continue it.</p>}
      {!current && <p className="status status-info">Not connected: connect to {s.database} to continue this run.</p>}
      {s.complete
        ? <p className="status status-ok" role="status" data-testid="run-complete">Complete: every step passed.</p>
        : (
          <div className="next-action" data-testid="next-action">
            <span>Next: <strong>{s.next!.step}</strong> — {manualNext ? 'sign it off below' : commandNext ? 'a command: run it from a terminal with the CLI line on its row' : running ? `running ${running}…` : s.next!.action.replace(/: --step.*$/, '')}</span>
            {!manualNext && !commandNext && !running && (
              <button type="button" className="primary" disabled={busy !== null || !current || Boolean(otherDb) || !writable} onClick={() => void runStep()}>Run next step</button>
            )}
            {!running && !manualNext && !commandNext && <button type="button" disabled={busy !== null || !current || Boolean(otherDb) || !writable} onClick={() => void runUntilStop()} title="Runs steps until one fails or needs a sign-off">Run until the next stop</button>}
            {!writable && current && <span className="muted small-text">Switch on write mode to run steps.</span>}
          </div>
        )}
      {error && <p className="status status-error" role="alert" data-testid="run-error">{error}</p>}
    </div>
  );
}
