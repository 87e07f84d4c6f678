/**
 * Back a table up: pick it from the model, read the statements it will run, then run them. Needs
 * write mode (production: the typed database name). Every write shows its SQL first.
 */
import { useMemo, useState } from 'react';
import type { TableInfo } from '../../../shared/model.js';
import { CodeBlock } from '../../components/CodeBlock.js';
import { tableKey, tableLabel } from '../../lib/format.js';
import { backupPreviewSql } from '../../lib/sql.js';
import { useBackups } from '../../store/backups.js';

/** The create form. */
export function CreateBackup({ tables, writable }: { tables: TableInfo[]; writable: boolean }) {
  const busy = useBackups((s) => s.busy);
  const create = useBackups((s) => s.create);
  const sorted = useMemo(() => [...tables].sort((a, b) => tableLabel(a).localeCompare(tableLabel(b))), [tables]);
  const [chosen, setChosen] = useState('');
  const [previewing, setPreviewing] = useState(false);
  const table = sorted.find((t) => tableKey(t) === chosen);
  return (
    <form
      className="card create-backup"
      aria-label="Back up a table"
      onSubmit={(e) => {
        e.preventDefault();
        if (!table) return;
        if (!previewing) setPreviewing(true);
        else void create(table.schema, table.table).then(() => setPreviewing(false));
      }}
    >
      <h2>Back up a table</h2>
      <p className="muted small-text">
        One <code>CREATE TABLE … AS SELECT</code> into <code>tenancy_console</code>, with the row count and an order-independent checksum taken from the same snapshot.
      </p>
      <div className="actions">
        <label className="grow">
          <span>Table</span>
          <select name="backup-table" value={chosen} onChange={(e) => { setChosen(e.target.value); setPreviewing(false); }}>
            <option value="">Choose a table…</option>
            {sorted.map((t) => (
              <option key={tableKey(t)} value={tableKey(t)}>
                {t.schema}.{t.table}{t.estimatedRows !== null ? ` (~${t.estimatedRows} rows)` : ''}{t.primaryKey ? '' : ' — no primary key: cannot be restored'}
              </option>
            ))}
          </select>
        </label>
        {previewing
          ? <>
            <button type="submit" className="primary" disabled={!table || !writable || busy !== null}>{busy === 'create' ? 'Backing up…' : 'Run these statements'}</button>
            <button type="button" onClick={() => setPreviewing(false)}>Cancel</button>
          </>
          : <button type="submit" className="primary" disabled={!table || !writable || busy !== null}>Create backup…</button>}
      </div>
      {previewing && table && (
        <div data-testid="backup-preview">
          <p className="small-text">Nothing has run yet. These are the statements the backup sends, in one transaction:</p>
          <CodeBlock label={`Backup of ${tableLabel(table)}`} code={backupPreviewSql(table)} />
        </div>
      )}
      {!writable && <p className="muted small-text">Creating a backup writes to the database: switch on write mode above first.</p>}
    </form>
  );
}
