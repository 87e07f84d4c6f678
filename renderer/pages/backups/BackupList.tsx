/** The backups of this database: source, time, rows, checksum, operator, size; verify, restore, drop. */
import { Fragment } from 'react';
import type { Backup } from '../../../shared/backup.js';
import { EmptyState } from '../../components/States.js';
import { count } from '../../lib/format.js';
import { formatBytes, formatTime } from '../../lib/backup-format.js';
import { useBackups } from '../../store/backups.js';
import { useRestore } from '../../store/restore.js';
import { DropConfirm } from './DropConfirm.js';

function VerifyCell({ b }: { b: Backup }) {
  const v = useBackups((s) => s.verified[b.id]);
  if (!b.tableExists) return <span className="badge sev-error">copy missing</span>;
  if (!v) return <span className="muted">–</span>;
  return v.intact ? <span className="badge ok">intact</span> : <span className="badge sev-error">changed</span>;
}

/** The list, one row per backup, newest first. */
export function BackupList({ backups, writable }: { backups: Backup[]; writable: boolean }) {
  const busy = useBackups((s) => s.busy);
  const dropping = useBackups((s) => s.dropping);
  const verify = useBackups((s) => s.verify);
  const askDrop = useBackups((s) => s.askDrop);
  const startRestore = useRestore((s) => s.start);
  if (backups.length === 0) {
    return <EmptyState title="No backups in this database yet">Back a table up before a migration step; the copy goes into the console's own schema.</EmptyState>;
  }
  return (
    <table className="sample-table backup-table" data-testid="backup-list">
      <thead>
        <tr>
          <th scope="col">#</th><th scope="col">Source</th><th scope="col">Taken</th><th scope="col" className="num">Rows</th>
          <th scope="col">Checksum</th><th scope="col">Operator</th><th scope="col" className="num">Size</th><th scope="col">Verified</th><th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {backups.map((b) => (
          <Fragment key={b.id}>
          <tr data-testid="backup-row" data-backup={b.id} data-copy={b.backupTable} data-source={`${b.sourceSchema}.${b.sourceTable}`}>
            <td>{b.id}</td>
            <td><strong>{b.sourceSchema}.{b.sourceTable}</strong><div className="muted small-text copy-name">tenancy_console.{b.backupTable}</div></td>
            <td title={b.createdAt} className="nowrap">{formatTime(b.createdAt)}<div className="muted small-text">{count(b.durationMs)} ms{b.runbookRunId ? ` · run ${b.runbookRunId}` : ''}</div></td>
            <td className="num">{count(b.rowCount)}</td>
            <td><code className="checksum" title={b.checksum}>{b.checksum}</code></td>
            <td>{b.operator}</td>
            <td className="num nowrap">{formatBytes(b.sizeBytes)}</td>
            <td><VerifyCell b={b} /></td>
            <td>
              <div className="actions">
                <button type="button" className="small" disabled={busy !== null || !b.tableExists} onClick={() => void verify(b.id)}>
                  {busy === `verify:${b.id}` ? 'Verifying…' : 'Verify'}
                </button>
                <button type="button" className="small primary" disabled={!b.tableExists || !b.primaryKey} title={b.primaryKey ? undefined : 'no primary key: cannot be compared or restored'} onClick={() => startRestore(b)}>Restore…</button>
                <button type="button" className="small" disabled={busy !== null || !writable} title={writable ? undefined : 'needs write mode'} onClick={() => askDrop(b.id)}>Drop…</button>
              </div>
            </td>
          </tr>
          {dropping === b.id && <tr className="drop-row"><td colSpan={9}><DropConfirm backup={b} /></td></tr>}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
