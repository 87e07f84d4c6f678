/** The open run's progress, in the navigation on every page: "Runbook 000: step 4 of 9". */
import { backfillFraction, runProgress } from '../../../shared/runbook-checklist.js';
import { useApp } from '../../store/app.js';
import '../../pages/runbook.css';
import { useRunbook } from '../../store/runbook.js';

/** The indicator; nothing when no run is open. */
export function RunbookIndicator() {
  const view = useRunbook((s) => s.view);
  const running = useRunbook((s) => s.running);
  const backfill = useRunbook((s) => s.backfill);
  const go = useApp((s) => s.go);
  if (!view) return null;
  const p = runProgress(view);
  const bf = backfill && running === backfill.step ? Math.round(backfillFraction(backfill.progress) * 100) : null;
  const failed = view.status.steps.some((s) => s.state === 'failed');
  return (
    <button type="button" className={`runbook-indicator${failed ? ' has-failed' : ''}${p.complete ? ' complete' : ''}`} data-testid="runbook-indicator" onClick={() => go('runbook')} title={view.status.runbook}>
      <span>{p.text}</span>
      {running && <span className="small-text">running {running}{bf !== null ? ` · ${bf}%${backfill?.paused ? ' (paused)' : ''}` : ''}</span>}
      <span className="mini-progress" aria-hidden><span style={{ width: `${(100 * view.status.steps.filter((s) => s.state === 'passed').length) / Math.max(1, p.total)}%` }} /></span>
    </button>
  );
}
