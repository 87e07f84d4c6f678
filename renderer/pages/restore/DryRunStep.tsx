/** Step 4: the dry run (a transaction rolled back): resulting counts, or the FK blocker that stops it. */
import { ErrorState, LoadingState } from '../../components/States.js';
import { describeScopeChoice } from '../../../shared/restore-wizard.js';
import { useRestore } from '../../store/restore.js';
import { RestoreSummary } from './RestoreSummary.js';
import { useTenantNames } from './tenant-names.js';

/** The dry-run step. */
export function DryRunStep() {
  const dryRun = useRestore((s) => s.dryRun);
  const runDryRun = useRestore((s) => s.runDryRun);
  const goTo = useRestore((s) => s.goTo);
  const names = useTenantNames();
  const r = dryRun.value;
  const blocked = dryRun.state === 'error' && (dryRun.code === 'fk' || dryRun.code === 'usage' || dryRun.code === 'lock');
  return (
    <section aria-label="Dry run">
      <h2 tabIndex={-1}>Dry run</h2>
      {dryRun.state === 'idle' && (
        <p className="actions">
          <span className="muted">The restore's statements, in a transaction that is rolled back: nothing changes.</span>
          <button type="button" className="primary" onClick={() => void runDryRun()}>Run the dry run</button>
        </p>
      )}
      {dryRun.state === 'running' && <LoadingState label="Running the restore in a transaction that will be rolled back…" />}
      {blocked && (
        <div className="blocker" role="alert" data-testid="restore-blocker">
          <h3>{dryRun.code === 'fk' ? 'Blocked: a foreign key would break' : 'The restore cannot run as chosen'}</h3>
          <p className="error-text">{dryRun.error}</p>
          <p className="muted small-text">Nothing was changed. No trigger or constraint is switched off to get round this: restore the related table first, or narrow the scope.</p>
        </div>
      )}
      {dryRun.state === 'error' && !blocked && <ErrorState title="The dry run failed" message={dryRun.error ?? ''} onRetry={() => void runDryRun()} />}
      {r && dryRun.state === 'done' && (
        <>
          <p className="status status-info" data-testid="dry-run-note">Rolled back, nothing changed. Restoring {describeScopeChoice(r.scope, r.scope.kind === 'tenant' ? names.get(r.scope.tenant) : null)} of {r.schema}.{r.table} with <strong>{r.strategy}</strong> would leave:</p>
          <RestoreSummary r={r} />
          {!r.verified && <p className="status status-error" role="alert">The restored rows would not match the backup's checksum (a trigger or a changed column type?): the restore would be rolled back.</p>}
        </>
      )}
      <div className="actions wizard-nav">
        <button type="button" onClick={() => goTo('scope')}>Back to scope</button>
        <button type="button" className="primary" disabled={!(r && dryRun.state === 'done' && r.verified)} onClick={() => goTo('confirm')}>Next: confirm</button>
      </div>
    </section>
  );
}
