/** Write mode: off by default; on production the operator types the database name to switch it on. */
import { useState } from 'react';
import { useConnection } from '../store/connection.js';

/** The switch for the current connection. */
export function WriteModeSwitch() {
  const current = useConnection((s) => s.current);
  const setWriteMode = useConnection((s) => s.setWriteMode);
  const error = useConnection((s) => s.writeError);
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  if (!current) return null;
  const production = current.profile.environment === 'production';

  const toggle = async () => {
    if (current.writable) {
      await setWriteMode(false);
    } else if (production) {
      setConfirming(true);
    } else {
      await setWriteMode(true);
    }
  };

  return (
    <div className="write-mode">
      <label className="switch">
        <input type="checkbox" role="switch" checked={current.writable} onChange={() => void toggle()} aria-describedby="write-mode-help" />
        <span>Write mode</span>
      </label>
      <p id="write-mode-help" className="muted small-text">Sessions are read-only until you switch this on; every write shows its SQL first.</p>
      {confirming && !current.writable && (
        <form
          className="confirm"
          onSubmit={(e) => {
            e.preventDefault();
            void setWriteMode(true, typed).then((ok) => ok && setConfirming(false));
          }}
        >
          <label>
            <span>This is <strong>production</strong>. Type the database name <code>{current.profile.database}</code> to allow writes:</span>
            <input name="confirm-database" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          </label>
          <button type="submit" className="danger" disabled={typed !== current.profile.database}>Enable write mode</button>
          <button type="button" onClick={() => setConfirming(false)}>Keep read-only</button>
        </form>
      )}
      {error && <p className="status status-error" role="alert">{error}</p>}
    </div>
  );
}
