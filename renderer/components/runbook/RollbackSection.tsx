/**
 * The run's rollback section under its steps: each rollback step's state, who and when, the
 * evidence or error, and how to start it (read only here: `tenancy runbook rollback --run ID --write`).
 */
import type { RollbackStatus } from '../../../shared/runbook.js';

/** The rollback section of a run, or nothing when its runbook has none. */
export function RollbackSection({ run, rollback }: { run: string; rollback: RollbackStatus | null | undefined }) {
  if (!rollback) return null;
  return (
    <section className="card" aria-label="Rollback" data-testid="rollback" data-rollback={rollback.startedAt ? (rollback.complete ? 'rolled-back' : 'started') : 'not-started'}>
      <h2>Rollback</h2>
      <p className="muted">
        {rollback.startedAt
          ? `Started by ${rollback.startedBy ?? '?'} at ${rollback.startedAt}: ${rollback.reason ?? ''}. ${rollback.complete ? 'Rolled back: every rollback step passed.' : `Next: ${rollback.next?.step ?? ''} - ${rollback.next?.action ?? ''}`}`
          : `Not started. To roll this run back: tenancy runbook rollback --run ${run} --write --reason "..."`}
      </p>
      <ol className="checklist">
        {rollback.steps.map((st) => (
          <li key={st.id} data-state={st.state} data-testid={`rollback-step-${st.id}`}>
            <b>{st.title}</b> <span className="muted">{st.kind} · {st.state}{st.operator && st.state !== 'pending' ? ` · ${st.operator} at ${st.time}` : ''}</span>
            {st.evidence && <div>{st.evidence.result}</div>}
            {st.error && st.state !== 'passed' && <div className="status status-error">{st.error}</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}
