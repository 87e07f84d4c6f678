/** Step 6: the restore's outcome: verified (checksum of the restored scope equals the backup's) and journaled. */
import { formatTime } from '../../lib/backup-format.js';
import { count } from '../../lib/format.js';
import { useRestore } from '../../store/restore.js';
import { RestoreSummary } from './RestoreSummary.js';
import { mismatchCauseText } from '../../../shared/copy-check-text.js';

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const HEADLINES = {
  verified: 'Verified: the restored rows match the backup',
  'mismatch-committed': 'Committed with a checksum MISMATCH',
  'mismatch-rolled-back': 'Rolled back: the checksum did not match, nothing changed',
  'dry-run': 'Dry run',
} as const;

/** The headlines when the scope matched but the backup copy changed since it was taken. */
const COPY_CHANGED = {
  'mismatch-committed': 'Committed, NOT verified: the backup copy changed since it was taken',
  'mismatch-rolled-back': 'Rolled back: the backup copy changed since it was taken, nothing changed',
} as const;

/** The result step. */
export function DoneStep() {
  const r = useRestore((s) => s.result.value);
  const compareAgain = useRestore((s) => s.compareAgain);
  const close = useRestore((s) => s.close);
  if (!r) return <p className="muted">Nothing restored yet.</p>;
  return (
    <section aria-label="Restore result" data-testid="restore-result" data-status={r.status}>
      <h2 tabIndex={-1} className={r.verified ? 'ok-text' : 'bad-text'}>{r.verified ? '✓ ' : '✗ '}{r.status !== 'verified' && r.copy.status === 'changed' && r.status !== 'dry-run' ? COPY_CHANGED[r.status] : HEADLINES[r.status]}</h2>
      <p>
        {r.id !== null ? <>Journaled as restore <strong>#{r.id}</strong> in <code>tenancy_console.restores</code>. </> : 'Not journaled. '}
        {formatTime(r.startedAt)} · {count(r.durationMs)} ms · by {r.operator}
      </p>
      {r.status === 'mismatch-rolled-back' && (
        <p className="muted" data-testid="rolled-back-counts">The counts below are what the restore did inside its transaction before it was rolled back; the table still has {count(r.counts.tableRowsBefore)} rows.</p>
      )}
      {mismatchCauseText(r) && <p className="status status-error" role="alert" data-testid="mismatch-cause">{capitalized(mismatchCauseText(r)!)}.</p>}
      <RestoreSummary r={r} />
      <div className="actions wizard-nav">
        <button type="button" onClick={close}>Back to backups</button>
        <button type="button" onClick={() => void compareAgain()}>Compare again</button>
      </div>
    </section>
  );
}
