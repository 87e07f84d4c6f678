/** Connections: profiles, add/edit/test, connect (asking for a password only when none is held), write mode. */
import { useState } from 'react';
import type { ProfileView } from '../../shared/contract/index.js';
import { ProfileForm } from '../components/ProfileForm.js';
import { EmptyState, ErrorState, LoadingState } from '../components/States.js';
import { WriteModeSwitch } from '../components/WriteModeSwitch.js';
import { useApp } from '../store/app.js';
import { useConnection } from '../store/connection.js';
import { useProfiles } from '../store/profiles.js';

function ProfileRow({ p }: { p: ProfileView }) {
  const open = useConnection((s) => s.open);
  const connecting = useConnection((s) => s.connecting);
  const current = useConnection((s) => s.current);
  const lost = useConnection((s) => s.lost);
  const storage = useProfiles((s) => s.storage);
  const remove = useProfiles((s) => s.remove);
  const go = useApp((s) => s.go);
  const [asking, setAsking] = useState(false);
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [editing, setEditing] = useState(false);
  const isCurrent = current?.profile.name === p.name;

  const connect = async (withPassword?: string) => {
    if (await open(p.name, withPassword, remember)) {
      setAsking(false);
      setPassword('');
      go('overview');
    }
  };

  if (editing) return <li className="profile"><ProfileForm editing={p} onDone={() => setEditing(false)} /></li>;
  return (
    <li className={`profile env-edge-${p.environment}${isCurrent ? ' current' : ''}`} data-testid="profile-row" data-profile={p.name}>
      <div className="profile-main">
        <div>
          <strong>{p.name}</strong> <span className={`badge env-${p.environment}`}>{p.environment}</span>
          {p.ephemeral && <span className="badge">this session only</span>}
          {isCurrent && (lost ? <span className="badge sev-error">connection lost</span> : <span className="badge ok">connected</span>)}
          <div className="muted">{p.user}@{p.host}:{p.port}/{p.database} · sslmode {p.sslmode} · password {p.hasSavedPassword ? 'held by the console' : 'not saved'}</div>
        </div>
        <div className="actions">
          <button type="button" className="primary" disabled={connecting !== null} onClick={() => (p.hasSavedPassword ? void connect() : setAsking(true))}>
            {connecting === p.name ? 'Connecting…' : isCurrent && lost ? 'Reconnect' : 'Connect'}
          </button>
          <button type="button" onClick={() => setEditing(true)}>Edit</button>
          <button type="button" onClick={() => void remove(p.name)} aria-label={`Remove profile ${p.name}`}>Remove</button>
        </div>
      </div>
      {asking && (
        <form className="password-ask" onSubmit={(e) => { e.preventDefault(); void connect(password); }}>
          <label>
            <span>Password for {p.user} (leave empty if the server needs none)</span>
            <input type="password" name="connect-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus autoComplete="off" />
          </label>
          <label className="check">
            <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} disabled={!storage?.persistent} />
            <span>{storage?.persistent ? 'Remember it' : `Don't save (${storage?.note ?? 'no safe store'})`}</span>
          </label>
          <button type="submit" className="primary">Connect</button>
          <button type="button" onClick={() => setAsking(false)}>Cancel</button>
        </form>
      )}
    </li>
  );
}

/** The Connections page. */
export function ConnectionsPage() {
  const { list, state, error, refresh, demoState, demoMessage, startDemo } = useProfiles();
  const connectError = useConnection((s) => s.error);
  const current = useConnection((s) => s.current);
  const close = useConnection((s) => s.close);
  const lost = useConnection((s) => s.lost);
  const demoAvailable = useApp((s) => s.info?.demoAvailable ?? false);
  const [adding, setAdding] = useState(false);

  return (
    <section className="page" aria-labelledby="connections-title" data-testid="page-connections">
      <header className="page-header">
        <h1 id="connections-title">Connections</h1>
        <button type="button" className="primary" onClick={() => setAdding(true)} disabled={adding}>Add profile</button>
      </header>
      {current && (
        <div className="card current-connection" data-testid="current-connection" data-lost={lost ? 'true' : 'false'}>
          <div className="profile-main">
            <div>
              <h2>{lost ? <span className="bad-text">Connection lost: {current.profile.name}</span> : <>Connected to {current.profile.name}</>}</h2>
              <div className="muted">PostgreSQL {current.fingerprint.serverVersion} · {current.fingerprint.user}@{current.fingerprint.database}</div>
              {lost && <p className="status status-error" data-testid="lost-detail">The database stopped answering ({lost}). Reconnect below; nothing is shown as current until then.</p>}
            </div>
            <button type="button" onClick={() => void close()}>Disconnect</button>
          </div>
          <WriteModeSwitch />
        </div>
      )}
      {connectError && <p className="status status-error" role="alert" data-testid="connect-error">{connectError}</p>}
      {adding && <ProfileForm editing={null} onDone={() => setAdding(false)} />}
      {state === 'loading' && <LoadingState label="Reading profiles…" />}
      {state === 'error' && <ErrorState title="Cannot read the profiles" message={error ?? ''} onRetry={() => void refresh()} />}
      {state === 'loaded' && list.length === 0 && !adding && (
        <EmptyState
          title="No connection profiles yet"
          action={
            <div className="actions">
              <button type="button" className="primary" onClick={() => setAdding(true)}>Add a profile</button>
              {demoAvailable && (
                <button type="button" onClick={() => void startDemo()} disabled={demoState === 'starting'}>
                  {demoState === 'starting' ? 'Starting the demo database…' : 'Try the demo database'}
                </button>
              )}
            </div>
          }
        >
          {demoAvailable
            ? 'Add a profile (paste a postgres:// URL), or explore the demo: an embedded PostgreSQL with half-migrated scenarios full of defects to find.'
            : 'Add a profile: paste a postgres:// URL, test it, save it.'}
        </EmptyState>
      )}
      {demoMessage && <p className={`status ${demoState === 'error' ? 'status-error' : 'status-info'}`}>{demoMessage}</p>}
      {list.length > 0 && (
        <ul className="profiles" aria-label="Profiles">
          {list.map((p) => <ProfileRow key={p.name} p={p} />)}
        </ul>
      )}
    </section>
  );
}
