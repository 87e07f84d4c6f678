/** Step 1: which backup to restore from. */
import { EmptyState } from '../../components/States.js';
import { formatTime } from '../../lib/backup-format.js';
import { count } from '../../lib/format.js';
import { useBackups } from '../../store/backups.js';
import { useRestore } from '../../store/restore.js';

/** The backup picker. */
export function PickStep() {
  const backups = useBackups((s) => s.backups) ?? [];
  const chosen = useRestore((s) => s.backup?.id ?? null);
  const pick = useRestore((s) => s.pick);
  const usable = backups.filter((b) => b.tableExists && b.primaryKey);
  return (
    <section aria-label="Pick a backup">
      <h2 tabIndex={-1}>Pick a backup</h2>
      {usable.length === 0 ? <EmptyState title="No backup can be restored">A restore needs a backup whose copy still exists and whose table has a primary key.</EmptyState> : (
        <ul className="pick-list" data-testid="pick-list">
          {usable.map((b) => (
            <li key={b.id}>
              <button type="button" className={`pick${chosen === b.id ? ' selected' : ''}`} aria-pressed={chosen === b.id} data-backup={b.id} onClick={() => void pick(b)}>
                <strong>#{b.id} {b.sourceSchema}.{b.sourceTable}</strong>
                <span className="muted">{formatTime(b.createdAt)} · {count(b.rowCount)} rows · by {b.operator}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
