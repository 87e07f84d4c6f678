/** Backups: the list (verify, drop, restore), creating one, and the guided restore wizard. */
import { useEffect } from 'react';
import { RequireModel } from '../components/RequireModel.js';
import { ErrorState, LoadingState } from '../components/States.js';
import { WriteModeSwitch } from '../components/WriteModeSwitch.js';
import { useBackups } from '../store/backups.js';
import { useConnection } from '../store/connection.js';
import { useRestore } from '../store/restore.js';
import { BackupList } from './backups/BackupList.js';
import { CreateBackup } from './backups/CreateBackup.js';
import { RestoreWizard } from './restore/RestoreWizard.js';
import './backups.css';

function BackupsBody() {
  const current = useConnection((s) => s.current);
  const model = useConnection((s) => s.model);
  const { backups, state, error, load, notice, loadedFor, reset } = useBackups();
  const wizardOpen = useRestore((s) => s.open);
  const closeWizard = useRestore((s) => s.close);
  const id = current?.id ?? null;
  useEffect(() => {
    if (id && loadedFor !== id) {
      reset();
      closeWizard();
      void load();
    }
  }, [id, loadedFor, reset, load, closeWizard]);
  const writable = current?.writable ?? false;
  return (
    <>
      <div className="card write-card">
        <WriteModeSwitch />
        <p className="muted small-text">Listing, verifying and comparing only read. Creating, dropping and restoring — the dry run too, which runs the statements and rolls them back — need write mode.</p>
      </div>
      {notice && !wizardOpen && <p className={`status ${notice.kind === 'ok' ? 'status-ok' : 'status-error'}`} role={notice.kind === 'ok' ? 'status' : 'alert'} data-testid="backup-notice">{notice.text}</p>}
      {wizardOpen ? <RestoreWizard /> : (
        <>
          {model && <CreateBackup tables={model.model.tables} writable={writable} />}
          <div className="card">
            <div className="profile-main">
              <h2>Backups in this database</h2>
              <button type="button" className="small" onClick={() => void load()}>Refresh</button>
            </div>
            {state === 'error' ? <ErrorState title="Cannot list backups" message={error ?? ''} onRetry={() => void load()} />
              : !backups ? <LoadingState label="Reading tenancy_console.backups…" />
              : <BackupList backups={backups} writable={writable} />}
          </div>
        </>
      )}
    </>
  );
}

/** The Backups page. */
export function BackupsPage() {
  return (
    <section className="page backups-page" aria-labelledby="backups-title" data-testid="page-backups">
      <header className="page-header"><h1 id="backups-title">Backups and restore</h1></header>
      <RequireModel>{() => <BackupsBody />}</RequireModel>
    </section>
  );
}
