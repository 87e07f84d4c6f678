/** Step 5: say what will happen; on production type the table name; restore in one transaction. */
import { describeScopeChoice, confirmationMatches } from '../../../shared/restore-wizard.js';
import { count } from '../../lib/format.js';
import { useConnection } from '../../store/connection.js';
import { useRestore } from '../../store/restore.js';
import { useTenantNames } from './tenant-names.js';

/** The confirm step. */
export function ConfirmStep() {
  const dry = useRestore((s) => s.dryRun.value);
  const result = useRestore((s) => s.result);
  const confirmText = useRestore((s) => s.confirmText);
  const setConfirmText = useRestore((s) => s.setConfirmText);
  const runRestore = useRestore((s) => s.runRestore);
  const current = useConnection((s) => s.current);
  const names = useTenantNames();
  if (!dry || !current) return <p className="muted">Run the dry run first.</p>;
  const production = current.profile.environment === 'production';
  const confirmed = !production || confirmationMatches(confirmText, dry.schema, dry.table);
  const c = dry.counts;
  return (
    <form
      aria-label="Confirm the restore"
      onSubmit={(e) => {
        e.preventDefault();
        if (confirmed && current.writable) void runRestore();
      }}
    >
      <h2 tabIndex={-1}>Confirm</h2>
      <p data-testid="confirm-summary">
        Restore <strong>{describeScopeChoice(dry.scope, dry.scope.kind === 'tenant' ? names.get(dry.scope.tenant) : null)}</strong> of <strong>{dry.schema}.{dry.table}</strong> from backup {dry.backupId} ({dry.strategy}):
        delete {count(c.deleted)}, update {count(c.updated)}, insert {count(c.inserted)} rows in one transaction, then compare the scope's checksum with the backup's before committing.
      </p>
      {production && (
        <label className="confirm-table">
          <span>This is <strong>production</strong>. Type the table name <code>{dry.table}</code> (or <code>{dry.schema}.{dry.table}</code>) to restore:</span>
          <input name="confirm-table" value={confirmText} onChange={(e) => setConfirmText(e.target.value)} autoComplete="off" />
        </label>
      )}
      {!current.writable && <p className="status status-error" role="alert">Write mode was switched off: switch it on above to restore.</p>}
      {result.state === 'error' && <p className="status status-error" role="alert" data-testid="restore-error">{result.error}</p>}
      <div className="actions wizard-nav">
        <button type="submit" className="danger" disabled={!confirmed || !current.writable || result.state === 'running'}>{result.state === 'running' ? 'Restoring…' : 'Restore now'}</button>
      </div>
    </form>
  );
}
