/** A backfill step's live progress: a bar, rows done and left, rate, ETA; Pause, Resume, Cancel. */
import { backfillFraction, formatEta } from '../../../shared/runbook-checklist.js';
import { useRunbook } from '../../store/runbook.js';

const NOTE: Record<'running' | 'paused' | 'done' | 'cancelled' | 'stopped', (batches: string) => string> = {
  running: (b) => `${b} batch(es) committed; the next one is running`,
  paused: (b) => `${b} batch(es) committed; paused: a batch in flight commits, then it waits for Resume`,
  done: (b) => `Finished: ${b} batch(es)`,
  cancelled: (b) => `Cancelled after ${b} batch(es); committed batches stay, and running the step again resumes after them`,
  stopped: (b) => `Stopped after ${b} batch(es); running the step again resumes after them`,
};

/** The panel, shown while a backfill runs and after it ends. */
export function BackfillPanel() {
  const b = useRunbook((s) => s.backfill);
  const running = useRunbook((s) => s.running);
  const error = useRunbook((s) => s.backfillError);
  const pause = useRunbook((s) => s.pauseBackfill);
  const resume = useRunbook((s) => s.resumeBackfill);
  const cancel = useRunbook((s) => s.cancelBackfill);
  if (!b) return null;
  const p = b.progress;
  const live = running === b.step && p.phase !== 'done' && p.phase !== 'cancelled';
  const state: keyof typeof NOTE = !live ? p.phase === 'cancelled' ? 'cancelled' : p.phase === 'done' ? 'done' : 'stopped' : b.paused ? 'paused' : 'running';
  const pct = Math.round(backfillFraction(p) * 1000) / 10;
  const n = (x: number) => x.toLocaleString('en-US');
  return (
    <section className="card backfill-panel" data-testid="backfill" data-backfill-state={state} data-backfill-done={p.done} data-backfill-events={b.events} aria-label="Backfill progress">
      <div className="profile-main">
        <div>
          <h2>Backfill <code>{p.id}</code> <span className="muted small-text">step {b.step}</span></h2>
          <p className="muted small-text" data-testid="backfill-note">{NOTE[state](n(p.batch))}{p.phase === 'retry' && p.message ? ` · ${p.message}` : ''}</p>
        </div>
        {live && (
          <div className="actions">
            {b.paused
              ? <button type="button" className="primary" onClick={() => void resume()}>Resume</button>
              : <button type="button" onClick={() => void pause()}>Pause</button>}
            <button type="button" className="danger" onClick={() => void cancel()}>Cancel</button>
          </div>
        )}
      </div>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Rows filled">
        <div className={`progress-fill${b.paused && live ? ' paused' : ''}`} style={{ width: `${pct}%` }} />
      </div>
      <dl className="backfill-stats">
        <div><dt>Filled</dt><dd className="num" data-testid="backfill-done">{n(p.done)}</dd></div>
        <div><dt>Left</dt><dd className="num" data-testid="backfill-remaining" title={p.remainingEstimated ? "the planner's estimate; the count at the end is exact" : undefined}>{p.remainingEstimated ? '≈ ' : ''}{n(p.remaining)}</dd></div>
        <div><dt>Rate</dt><dd className="num">{n(p.rate)} rows/s</dd></div>
        <div><dt>ETA</dt><dd className="num">{state === 'running' ? formatEta(p.etaSeconds) : state === 'paused' ? 'paused' : '—'}</dd></div>
        <div><dt>Done</dt><dd className="num">{pct}%</dd></div>
      </dl>
      {p.unresolved > 0 && <p className="status status-info">{n(p.unresolved)} row(s) of the last batch had no value in the source and stay NULL.</p>}
      {error && <p className="status status-error" role="alert">{error}</p>}
    </section>
  );
}
