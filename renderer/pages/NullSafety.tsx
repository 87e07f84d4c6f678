/** Null-safety dashboard: every tenant table's NULL-tenant rows and the constraints that would prevent them. */
import { useMemo, useState } from 'react';
import type { Finding } from '../../shared/findings.js';
import { FindingDetail } from '../components/FindingDetail.js';
import { RequireModel } from '../components/RequireModel.js';
import { EmptyState } from '../components/States.js';
import { VirtualRows } from '../components/VirtualRows.js';
import { count, percent, tableLabel } from '../lib/format.js';
import { filterRows, nullBarWidth, nullSafetyRows, sortRows, type NullSafetyRow, type SortKey } from '../lib/null-safety.js';
import { quoteIdent } from '../lib/sql.js';
import { latestRun, useChecks } from '../store/checks.js';
import type { TenancyModel } from '../../shared/model.js';

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'table', label: 'Table' },
  { key: 'rows', label: 'Rows' },
  { key: 'nullRows', label: 'NULL tenant' },
  { key: 'nullPct', label: '%' },
  { key: 'nullable', label: 'Nullable' },
  { key: 'default', label: 'Default' },
  { key: 'hasFk', label: 'FK' },
  { key: 'tenantIndex', label: 'Index' },
  { key: 'rls', label: 'RLS' },
];

const yes = (ok: boolean, good: string, bad: string) => <span className={ok ? 'ok-text' : 'bad-text'}>{ok ? good : bad}</span>;

const na = <span className="muted" title="scoped through a parent: no tenant column of its own">–</span>;

function Row({ r }: { r: NullSafetyRow }) {
  const role = r.path === null ? 'tenant' : 'scoped';
  return (
    <div className="ns-row" data-table={r.table} data-role={role}>
      <span className="cell-table" title={r.path === null ? `${r.schema}.${r.table}: tenant table` : `${r.schema}.${r.table}: scoped through ${r.path}`}>
        <span className={`badge role role-${role}`} data-testid="table-role" data-role={role}>{role}</span>{tableLabel(r)}
      </span>
      <span className="num">{r.estimate ? '≈' : ''}{count(r.rows)}</span>
      <span className="num">{r.nullRows === null ? '–' : `${r.estimate ? '≈' : ''}${count(r.nullRows)}`}</span>
      <span className="num pct-cell">
        <svg width="60" height="10" aria-hidden="true" data-share={r.nullPct.toFixed(4)}><rect width="60" height="10" className="bar-bg" /><rect data-testid="null-bar" width={nullBarWidth(r.nullRows, r.rows, 60)} height="10" className="bar-bad" /></svg>
        {r.rows ? percent(r.nullRows ?? 0, r.rows) : '–'}
      </span>
      <span>{r.path !== null ? na : yes(!r.nullable, 'NOT NULL', 'nullable')}</span>
      <span className="cell-default" title={r.default ?? ''}>{r.path !== null ? na : r.default === null ? <span className="ok-text">none</span> : <span className="bad-text">{r.default}</span>}</span>
      <span>{r.path !== null ? na : yes(r.hasFk, 'yes', 'missing')}</span>
      <span>{r.path !== null ? na : yes(r.tenantIndex, 'yes', 'missing')}</span>
      <span>{yes(r.rls !== 'off', r.rls, 'off')}</span>
    </div>
  );
}

function Dashboard({ model }: { model: TenancyModel }) {
  const run = useChecks((s) => latestRun(s));
  const exactState = useChecks((s) => s.exactState);
  const runExact = useChecks((s) => s.runExact);
  const [sort, setSort] = useState<{ key: SortKey; dir: 'asc' | 'desc' }>({ key: 'nullRows', dir: 'desc' });
  const [text, setText] = useState('');
  const [onlyProblems, setOnlyProblems] = useState(false);
  const [open, setOpen] = useState<NullSafetyRow | null>(null);
  const all = useMemo(() => nullSafetyRows(model, run), [model, run]);
  const rows = useMemo(() => sortRows(filterRows(all, { text, onlyProblems }), sort.key, sort.dir), [all, text, onlyProblems, sort]);
  const totalNull = all.reduce((a, r) => a + (r.nullRows ?? 0), 0);
  const scopedCount = all.filter((r) => r.path !== null).length;

  if (all.length === 0) return <EmptyState title="No tenant tables">No table in scope has the tenant column (or a path to a table that has it) yet; see Overview for tenant-column-missing findings.</EmptyState>;
  const finding: Finding | null = open?.finding ?? null;
  return (
    <>
      <div className="toolbar">
        <label className="search">
          <span className="sr-only">Filter tables</span>
          <input type="search" name="table-filter" placeholder="Filter tables…" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <label className="check"><input type="checkbox" checked={onlyProblems} onChange={(e) => setOnlyProblems(e.target.checked)} /> <span>Only tables with something to fix</span></label>
        <span className="muted" data-testid="ns-count">{rows.length} of {all.length} tables{scopedCount > 0 ? ` (${scopedCount} scoped through a parent)` : ''} · {count(totalNull)} NULL-tenant rows{run?.mode !== 'exact' ? ' (estimated)' : ''}</span>
        {run?.mode !== 'exact' && exactState !== 'running' && <button type="button" onClick={() => void runExact()}>Count exactly</button>}
      </div>
      <div className="ns-table" role="region" aria-label="Null safety by table">
        <div className="ns-row ns-head" role="group" aria-label="Sort by column">
          {COLUMNS.map((c) => (
            <button
              type="button"
              key={c.key}
              aria-pressed={sort.key === c.key}
              data-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
              onClick={() => setSort((s) => ({ key: c.key, dir: s.key === c.key && s.dir === 'desc' ? 'asc' : 'desc' }))}
            >
              {c.label}{sort.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
            </button>
          ))}
        </div>
        {rows.length === 0 ? <EmptyState title="No table matches the filter" /> : (
          <VirtualRows items={rows} rowHeight={34} label="Tenant tables" testId="ns-rows" getKey={(r) => r.key} selectedKey={open?.key ?? null} onActivate={(r) => setOpen(r)} renderRow={(r) => <Row r={r} />} height={520} />
        )}
      </div>
      {open && finding && <FindingDetail finding={finding} onClose={() => setOpen(null)} />}
      {open && !finding && (
        <FindingDetail
          finding={{
            check: 'null-tenant-rows', severity: 'info', schema: open.schema, table: open.table, count: open.nullRows ?? 0, estimate: open.estimate,
            message: open.nullRows === null ? `${tableLabel(open)}: not counted yet; run the exact checks.` : `${tableLabel(open)}: no rows with a NULL tenant.`,
            sql: `SELECT count(*) FROM ${quoteIdent(open.schema)}.${quoteIdent(open.table)} WHERE ${quoteIdent(model.tenantColumn ?? 'tenant_id')} IS NULL;`,
            remedy: null,
          }}
          onClose={() => setOpen(null)}
        />
      )}
    </>
  );
}

/** The Null-safety page. */
export function NullSafetyPage() {
  return (
    <section className="page" aria-labelledby="ns-title" data-testid="page-null-safety">
      <header className="page-header"><h1 id="ns-title">Null safety</h1></header>
      <RequireModel>{({ model }) => <Dashboard model={model} />}</RequireModel>
    </section>
  );
}
