/** The open table's rows for the tenant: filters, keyset pages, the SQL that read them, CSV export. */
import { useEffect, useRef, useState } from 'react';
import type { RowFilter } from '../../../shared/tenant.js';
import { downloadText } from '../../lib/csv.js';
import { count, tableLabel } from '../../lib/format.js';
import { EXPORT_MAX, PAGE_SIZE, useTenant } from '../../store/tenant.js';
import { CodeBlock } from '../CodeBlock.js';
import { ScrollArea } from '../ScrollArea.js';
import { ErrorState, LoadingState } from '../States.js';

const OPS: { op: RowFilter['op']; label: string }[] = [
  { op: 'contains', label: 'contains' },
  { op: 'equals', label: 'equals' },
  { op: 'is-null', label: 'is empty (NULL)' },
  { op: 'not-null', label: 'is not empty' },
];

function FilterForm({ columns }: { columns: string[] }) {
  const filters = useTenant((s) => s.browse?.filters ?? []);
  const setFilters = useTenant((s) => s.setFilters);
  const [column, setColumn] = useState(columns[0] ?? '');
  const [op, setOp] = useState<RowFilter['op']>('contains');
  const [value, setValue] = useState('');
  const needsValue = op === 'contains' || op === 'equals';
  return (
    <div>
      <form className="toolbar" aria-label="Filter rows" onSubmit={(e) => {
        e.preventDefault();
        void setFilters([...filters, needsValue ? { column, op, value } : { column, op }]);
        setValue('');
      }}>
        <label><span>Column</span>{' '}
          <select name="filter-column" value={column} onChange={(e) => setColumn(e.target.value)}>{columns.map((c) => <option key={c}>{c}</option>)}</select>
        </label>
        <label><span>Condition</span>{' '}
          <select name="filter-op" value={op} onChange={(e) => setOp(e.target.value as RowFilter['op'])}>{OPS.map((o) => <option key={o.op} value={o.op}>{o.label}</option>)}</select>
        </label>
        {needsValue && <label><span>Value</span>{' '}<input name="filter-value" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" /></label>}
        <button type="submit" disabled={needsValue && value === ''}>Add filter</button>
      </form>
      {filters.length > 0 && (
        <ul className="filter-chips" aria-label="Filters">
          {filters.map((f, i) => (
            <li key={i}>
              <code>{f.column} {OPS.find((o) => o.op === f.op)!.label}{f.value !== undefined ? ` “${f.value}”` : ''}</code>
              <button type="button" className="small" onClick={() => void setFilters(filters.filter((_, j) => j !== i))}>Remove<span className="sr-only"> filter on {f.column}</span></button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The browser (nothing until a table is opened). */
export function RowBrowser() {
  const b = useTenant((s) => s.browse);
  const tenant = useTenant((s) => s.selected);
  const next = useTenant((s) => s.nextPage);
  const previous = useTenant((s) => s.previousPage);
  const exportCsv = useTenant((s) => s.exportCsv);
  const exporting = useTenant((s) => s.exporting);
  const exportError = useTenant((s) => s.exportError);
  const cancelExport = useTenant((s) => s.cancelExport);
  const title = useRef<HTMLHeadingElement>(null);
  const opened = b ? `${b.schema}.${b.table}.${b.scope.kind === 'concerning' ? b.scope.constraint : ''}` : '';
  // Opening a table (or its stray rows) moves focus to the browser, so keyboard users land on what they asked for.
  useEffect(() => {
    if (opened) title.current?.focus();
  }, [opened]);
  if (!b || !tenant) return null;
  const columns = b.page?.columns ?? [];
  const pageNo = b.cursors.length;
  const first = (pageNo - 1) * PAGE_SIZE + 1;
  const what = b.scope.kind === 'tenant' ? 'rows' : `stray rows (no or missing tenant) whose ${b.scope.constraint} parent is the tenant's`;
  const onExport = async () => {
    const csv = await exportCsv();
    if (csv !== null) downloadText(`${b.table}-${tenant}${b.scope.kind === 'concerning' ? '-stray' : ''}.csv`, csv);
  };
  return (
    <div className="card" data-testid="row-browser" data-table={b.table} aria-labelledby="row-browser-title">
      <div className="profile-main">
        <h2 id="row-browser-title" tabIndex={-1} ref={title}>{tableLabel(b)}: {what}</h2>
        <div className="actions">
          {exporting && <span role="status">Exporting… {count(exporting.done)} rows read</span>}
          {exporting
            ? <button type="button" onClick={cancelExport}>Cancel export</button>
            : <button type="button" onClick={() => void onExport()} disabled={!b.page}>Export CSV</button>}
        </div>
      </div>
      <p className="muted small-text">Every row read from the database, {PAGE_SIZE} a page in key order; the export reads all of them (filters applied, up to {count(EXPORT_MAX)}).</p>
      {exportError && <p className="status status-error" role="alert">{exportError.startsWith('Export cancelled') ? exportError : `Export failed: ${exportError}`}</p>}
      {columns.length > 0 && <FilterForm key={`${b.schema}.${b.table}`} columns={columns.filter((c) => c !== 'ctid')} />}
      {b.state === 'error' && <ErrorState title="Cannot read these rows" message={b.error ?? ''} />}
      {b.state === 'loading' && !b.page && <LoadingState label="Reading rows…" />}
      {b.page && (
        <>
          <ScrollArea label={`Rows of ${b.table}`}>
            <table className="sample-table" data-testid="tenant-rows" aria-busy={b.state === 'loading'}>
              <thead><tr>{b.page.columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr></thead>
              <tbody>
                {b.page.rows.map((r, i) => (
                  <tr key={i}>{b.page!.columns.map((c) => r[c] === null ? <td key={c} className="null">NULL</td> : <td key={c}>{r[c]}</td>)}</tr>
                ))}
              </tbody>
            </table>
          </ScrollArea>
          <div className="toolbar pager" role="group" aria-label="Pages of rows">
            <button type="button" onClick={() => void previous()} disabled={pageNo < 2 || b.state === 'loading'}>Previous page</button>
            <span data-testid="page-info" aria-live="polite">
              {b.page.rows.length === 0 ? 'No rows' : `Page ${pageNo} · rows ${count(first)}–${count(first + b.page.rows.length - 1)}${b.page.next ? '' : ' (last page)'}`}
            </span>
            <button type="button" onClick={() => void next()} disabled={!b.page.next || b.state === 'loading'}>Next page</button>
          </div>
          <details><summary>The statement that read this page</summary><CodeBlock label="SQL (values bound as $n)" code={b.page.sql} /></details>
        </>
      )}
    </div>
  );
}
