/** Back a table up: pick it from the model; needs write mode (production: the typed database name). */
import { useMemo, useState } from 'react';
import type { TableInfo } from '../../../shared/model.js';
import { tableKey, tableLabel } from '../../lib/format.js';
import { useBackups } from '../../store/backups.js';

/** The create form. */
export function CreateBackup({ tables, writable }: { tables: TableInfo[]; writable: boolean }) {
  const busy = useBackups((s) => s.busy);
  const create = useBackups((s) => s.create);
  const sorted = useMemo(() => [...tables].sort((a, b) => tableLabel(a).localeCompare(tableLabel(b))), [tables]);
  const [chosen, setChosen] = useState('');
  const table = sorted.find((t) => tableKey(t) === chosen);
  return (
    <form
      className="card create-backup"
      aria-label="Back up a table"
      onSubmit={(e) => {
        e.preventDefault();
        if (table) void create(table.schema, table.table);
      }}
    >
      <h2>Back up a table</h2>
      <p className="muted small-text">
        One <code>CREATE TABLE … AS SELECT</code> into <code>tenancy_console</code>, with the row count and an order-independent checksum taken from the same snapshot.
      </p>
      <div className="actions">
        <label className="grow">
          <span>Table</span>
          <select name="backup-table" value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">Choose a table…</option>
            {sorted.map((t) => (
              <option key={tableKey(t)} value={tableKey(t)}>
                {t.schema}.{t.table}{t.estimatedRows !== null ? ` (~${t.estimatedRows} rows)` : ''}{t.primaryKey ? '' : ' — no primary key: cannot be restored'}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={!table || !writable || busy !== null}>{busy === 'create' ? 'Backing up…' : 'Create backup'}</button>
      </div>
      {!writable && <p className="muted small-text">Creating a backup writes to the database: switch on write mode above first.</p>}
    </form>
  );
}
