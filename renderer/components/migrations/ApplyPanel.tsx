/**
 * Apply: needs write mode (production: the typed database name) and every lint error's rule
 * acknowledged; before it runs, each pending statement's lock and estimated lock time; while it runs, the live log (statements, NOTICEs, retries), the lock watch and Abort.
 */
import type { ApplyResult, LintFinding, LintRuleId } from '../../../shared/migrations.js';
import { useConnection } from '../../store/connection.js';
import { useMigrations } from '../../store/migrations.js';
import { WriteModeSwitch } from '../WriteModeSwitch.js';
import { LockWatch } from './LockWatch.js';
import { PendingEstimates } from './PendingEstimates.js';

function Result({ r }: { r: ApplyResult }) {
  if (r.cancelled) return <p className="status status-info" role="status">Aborted: the running statement was cancelled and its migration rolled back{r.applied.length ? `; ${r.applied.length} migration(s) before it stay applied` : ''}.</p>;
  if (r.failed) {
    const f = r.failed;
    return (
      <div className="status status-error" role="alert" data-testid="apply-failed">
        <strong>{f.id} failed</strong>{f.statementIndex !== null ? ` at statement ${f.statementIndex + 1}, line ${f.line}` : ''}: {f.error}{f.code ? ` (${f.code})` : ''}.
        {' '}{f.kept ?? (f.rolledBack ? 'Nothing of it stayed: the ledger and schema are as before it.' : 'It ran outside a transaction: earlier statements stayed applied.')}
        {f.blockers.length > 0 && <> Last blocker: pid {f.blockers[0]!.pid} ({f.blockers[0]!.user ?? '?'}): {f.blockers[0]!.query ?? ''}</>}
      </div>
    );
  }
  if (r.applied.length === 0) return <p className="status status-info" role="status">Nothing to apply: every migration is already applied.</p>;
  return (
    <p className="status status-ok" role="status" data-testid="apply-done">
      Applied {r.applied.length}: {r.applied.map((a) => `${a.id} (${a.durationMs} ms${a.attempts > 1 ? `, ${a.attempts} attempts` : ''})`).join(', ')}.
    </p>
  );
}

/** The apply panel. `errors` are the lint errors of pending migrations; `pending` how many would run. */
export function ApplyPanel({ errors, pending }: { errors: LintFinding[]; pending: number }) {
  const writable = useConnection((s) => s.current?.writable ?? false);
  const s = useMigrations();
  const rules = [...new Set(errors.map((e) => e.rule))] as LintRuleId[];
  const unacked = rules.filter((r) => !s.acknowledged.includes(r));
  const running = s.applyState === 'running';
  const blockedBy = !writable ? 'Switch on write mode to apply.' : unacked.length ? `Acknowledge the lint errors (${unacked.join(', ')}) or fix them.` : pending === 0 ? 'Nothing pending.' : null;
  return (
    <div className="card apply" data-testid="apply" data-apply-state={s.applyState}>
      <div className="profile-main">
        <div>
          <h2>Apply</h2>
          <p className="muted">Each pending migration in one transaction with its ledger row (or outside one when a statement cannot run in a transaction), under lock_timeout, retried when a lock is not available.</p>
        </div>
        {running
          ? <button type="button" className="danger" onClick={() => void s.abort()}>Abort</button>
          : <button type="button" className="primary" disabled={blockedBy !== null} onClick={() => void s.apply()}>Apply {pending} pending</button>}
      </div>
      {!running && pending > 0 && <PendingEstimates state={s.estimates.state} estimates={s.estimates.value} error={s.estimates.error} />}
      <WriteModeSwitch />
      {rules.length > 0 && (
        <fieldset className="acks" disabled={running}>
          <legend>Lint errors in pending migrations: acknowledge to apply anyway</legend>
          {rules.map((r) => (
            <label key={r} className="check">
              <input type="checkbox" checked={s.acknowledged.includes(r)} onChange={(e) => s.acknowledge(r, e.target.checked)} />
              <span><code>{r}</code> ({errors.filter((e) => e.rule === r).length})</span>
            </label>
          ))}
        </fieldset>
      )}
      {!running && blockedBy && <p className="muted" data-testid="apply-blocked">{blockedBy}</p>}
      {(running || s.log.length > 0) && (
        <ol className="apply-log" data-testid="apply-log" aria-live="polite">
          {s.log.map((l, i) => <li key={i} className={`log-${l.kind}`}>{l.text}</li>)}
          {running && s.log.length === 0 && <li className="muted">Starting…</li>}
        </ol>
      )}
      {running && s.lock && <LockWatch event={s.lock} live />}
      {s.lastBlocked && (!running || s.lastBlocked !== s.lock) && <LockWatch event={s.lastBlocked} live={false} />}
      {s.result && <Result r={s.result} />}
      {s.applyState === 'error' && !s.result && <p className="status status-error" role="alert">{s.applyError}</p>}
      {s.applyState === 'cancelled' && !s.result && <p className="status status-info" role="status">Aborted.</p>}
    </div>
  );
}
