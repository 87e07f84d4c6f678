/** Dropping a backup: the operator types the copy's name, since nothing brings it back. */
import { useState } from 'react';
import type { Backup } from '../../../shared/backup.js';
import { useBackups } from '../../store/backups.js';

/** The typed confirmation for one backup. */
export function DropConfirm({ backup }: { backup: Backup }) {
  const [typed, setTyped] = useState('');
  const busy = useBackups((s) => s.busy);
  const drop = useBackups((s) => s.drop);
  const askDrop = useBackups((s) => s.askDrop);
  return (
    <form className="confirm drop-confirm" aria-label={`Drop backup ${backup.id}`} onSubmit={(e) => { e.preventDefault(); void drop(backup.id); }}>
      <label>
        <span>Dropping deletes the copy for good. Type <code>{backup.backupTable}</code> to drop backup {backup.id}:</span>
        <input name="confirm-drop" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" autoFocus />
      </label>
      <button type="submit" className="danger" disabled={typed !== backup.backupTable || busy !== null}>{busy === `drop:${backup.id}` ? 'Dropping…' : 'Drop backup'}</button>
      <button type="button" onClick={() => askDrop(null)}>Keep it</button>
    </form>
  );
}
