/** The environment colour band on every page: which database, which environment, read-only or not. */
import { useConnection } from '../store/connection.js';

/** The band. */
export function EnvBand() {
  const current = useConnection((s) => s.current);
  if (!current) {
    return <div className="env-band env-none" data-testid="env-band" data-environment="none">Not connected</div>;
  }
  const fp = current.fingerprint;
  const env = current.profile.environment;
  return (
    <div className={`env-band env-${env}`} data-testid="env-band" data-environment={env} role="banner">
      <strong>{env.toUpperCase()}</strong>
      <span>{current.profile.name}</span>
      <span>{fp.user}@{fp.serverAddress ?? current.profile.host}:{fp.serverPort ?? current.profile.port}/{fp.database}</span>
      <span>PostgreSQL {fp.serverVersion}</span>
      {fp.systemIdentifier && <span title="system identifier">sysid {fp.systemIdentifier}</span>}
      <span className={current.writable ? 'mode-write' : 'mode-read'}>{current.writable ? 'WRITE MODE' : 'read-only'}</span>
    </div>
  );
}
