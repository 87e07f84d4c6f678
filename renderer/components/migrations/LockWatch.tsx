/** The lock watch while apply (or a runbook step) writes: what it waits for (a row lock named as one), who blocks it (lock modes, ages, queries), who queues behind it. */
import { lockText } from '../../../shared/lock-wait.js';
import type { LockHolder, LockWatchEvent } from '../../../shared/migrations.js';

const age = (s: number | null) => (s === null ? '–' : s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

function Holders({ title, holders, testId }: { title: string; holders: LockHolder[]; testId: string }) {
  return (
    <table className="sample-table" data-testid={testId}>
      <caption>{title} ({holders.length})</caption>
      <thead><tr><th>pid</th><th>user</th><th>state</th><th>transaction age</th><th>waiting</th><th>locks</th><th>query</th></tr></thead>
      <tbody>
        {holders.length === 0 && <tr><td colSpan={7} className="null">none</td></tr>}
        {holders.map((h) => (
          <tr key={h.pid}>
            <td>{h.pid}</td>
            <td>{h.user ?? '–'}</td>
            <td>{h.state ?? '–'}</td>
            <td>{age(h.transactionAgeSeconds)}</td>
            <td>{age(h.waitingSeconds)}</td>
            <td>{h.locks.map((l, i) => <div key={i}>{l.granted ? lockText(l) : `waiting for ${lockText(l)}`}</div>)}</td>
            <td className="query-cell" title={h.query ?? ''}>{h.query ?? '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * One lock-watch snapshot. `live` says whether it is the current one or the last blocked one kept
 * for the record; `subject` names what the watched session runs ("the migration", "this step").
 */
export function LockWatch({ event, live, subject = 'the migration' }: { event: LockWatchEvent; live: boolean; subject?: string }) {
  const waiting = event.waitingFor.length > 0 || event.blockers.length > 0;
  return (
    <div className={`lock-watch${waiting ? ' waiting' : ''}`} data-testid={live ? 'lock-watch' : 'lock-watch-last'} data-waiting={waiting}>
      <h3>
        {live ? 'Lock watch' : 'Last lock wait seen'}
        <span className="muted small-text"> · session {event.pid} · {new Date(event.at).toLocaleTimeString()}</span>
      </h3>
      {waiting ? (
        <p className="status status-error" role="status">
          Waiting for {event.waitingFor.map(lockText).join(', ') || 'a lock'}
          {event.blockers.length > 0 && <>: blocked by pid {event.blockers.map((b) => b.pid).join(', ')}</>}
        </p>
      ) : <p className="status status-ok" role="status">Not waiting for any lock.</p>}
      <Holders title={`Blocking ${subject}`} holders={event.blockers} testId="lock-blockers" />
      {event.waiters.length > 0 && <Holders title={`Queued behind ${subject}`} holders={event.waiters} testId="lock-waiters" />}
    </div>
  );
}
