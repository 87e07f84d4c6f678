/** Preflight: which database, which folder and commit, ledger consistency, pending count, write permission. */
import type { Preflight } from '../../../shared/migrations.js';

/** The preflight result. */
export function PreflightCard({ p }: { p: Preflight }) {
  const errors = p.issues.filter((i) => i.severity === 'error').length;
  return (
    <div className="card" data-testid="preflight">
      <div className="profile-main">
        <h2>Preflight</h2>
        <span className={`badge ${errors ? 'sev-error' : 'ok'}`}>{errors ? `${errors} error${errors === 1 ? '' : 's'}` : 'consistent'}</span>
      </div>
      <div className="grid-2">
        <dl className="fingerprint">
          <dt>Database</dt><dd>{p.database.database}</dd>
          <dt>Server</dt><dd>{p.database.serverVersion}</dd>
          <dt>User</dt><dd>{p.database.user}</dd>
          <dt>Address</dt><dd>{p.database.serverAddress ?? 'local socket'}</dd>
          <dt>System id</dt><dd>{p.database.systemIdentifier ?? 'not readable'}</dd>
        </dl>
        <dl className="fingerprint">
          <dt>Folder</dt><dd className="mono" title={p.dir}>{p.dir} ({p.kind})</dd>
          <dt>Git</dt><dd>{p.git ? <><code>{p.git.commit.slice(0, 12)}</code> {p.git.branch ?? '(detached)'}{p.git.dirty ? <span className="bad-text"> · uncommitted changes</span> : ''}</> : 'not a git repository'}</dd>
          <dt>Ledger</dt><dd>{p.ledger.schema}.{p.ledger.table}</dd>
          <dt>Migrations</dt><dd data-testid="preflight-counts">{p.applied} applied · {p.pending} pending</dd>
          <dt>Write</dt><dd className={p.canWrite ? 'ok-text' : 'bad-text'}>{p.canWrite ? 'allowed' : 'not allowed'}: {p.writeDetail}</dd>
        </dl>
      </div>
      {p.issues.length > 0 && (
        <ul className="issues">
          {p.issues.map((i, n) => (
            <li key={n}><span className={`badge sev-${i.severity}`}>{i.severity}</span> <code>{i.code}</code> {i.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
