/** Distribution: search tenants, one tenant's footprint per table, two compared, and the no-tenant / missing-tenant buckets. */
import { useEffect, useMemo } from 'react';
import type { DistributionSummary } from '../../shared/distribution-summary.js';
import type { TenancyModel } from '../../shared/model.js';
import { Bars } from '../components/Bars.js';
import { RequireModel } from '../components/RequireModel.js';
import { EmptyState, ErrorState, LoadingState } from '../components/States.js';
import { RoleBadge } from '../components/RoleBadge.js';
import { DistributionChart } from '../components/TenantDistributionChart.js';
import { VirtualRows } from '../components/VirtualRows.js';
import { count, tableLabel } from '../lib/format.js';
import { footprint, searchTenants } from '../../shared/distribution-views.js';
import { useDistribution } from '../store/distribution.js';
import { useShallow } from 'zustand/react/shallow';

function TenantPicker({ d }: { d: DistributionSummary }) {
  const { query, setQuery, selected, compareWith, select, compare } = useDistribution(useShallow((s) => ({ query: s.query, setQuery: s.setQuery, selected: s.selected, compareWith: s.compareWith, select: s.select, compare: s.compare })));
  const totals = d.tenants;
  const found = useMemo(() => searchTenants(totals, query), [totals, query]);
  return (
    <div className="card tenant-picker">
      <label className="search">
        <span>Find a tenant (id or name)</span>
        <input
          type="search" name="tenant-search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder={`${count(totals.length)} tenants`}
          aria-describedby="tenant-count"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && found[0]) {
              e.preventDefault();
              select(found[0].id);
            }
          }}
        />
      </label>
      <p className="muted small-text" id="tenant-count" data-testid="tenant-count">{count(found.length)} of {count(totals.length)} · Enter in the search selects the first match; in the list, Enter or click selects and <kbd>C</kbd> (or the Compare button) sets the second tenant.</p>
      {found.length === 0 ? <EmptyState title="No tenant matches" /> : (
        <VirtualRows
          items={found}
          rowHeight={38}
          height={420}
          label="Tenants"
          testId="tenant-list"
          getKey={(t) => t.id}
          selectedKey={selected}
          onActivate={(t) => select(t.id)}
          secondary={{ key: 'c', run: (t) => { if (selected && selected !== t.id) compare(compareWith === t.id ? null : t.id); } }}
          renderRow={(t) => (
            <div className="tenant-row" data-tenant={t.id}>
              <span className="tenant-name">{t.name ?? <em>unnamed</em>}</span>
              <code className="muted">{t.id}</code>
              <span className="num">{count(t.rows)}</span>
              {selected && selected !== t.id && (
                <button type="button" className="small" tabIndex={-1} onClick={(e) => { e.stopPropagation(); compare(compareWith === t.id ? null : t.id); }}>
                  {compareWith === t.id ? 'Comparing' : 'Compare'}
                </button>
              )}
            </div>
          )}
        />
      )}
    </div>
  );
}

function Footprint({ d, model }: { d: DistributionSummary; model: TenancyModel }) {
  const { selected, compareWith, compare, held, error, loadTenantRows } = useDistribution(useShallow((s) => ({
    selected: s.selected, compareWith: s.compareWith, compare: s.compare, held: s.tenantRows, error: s.tenantRowsError, loadTenantRows: s.loadTenantRows,
  })));
  const wanted = useMemo(() => [selected, compareWith].filter((id): id is string => id !== null), [selected, compareWith]);
  // Asked for on selection (the page opened without them); the store keeps them for this count.
  useEffect(() => { if (wanted.length) void loadTenantRows(wanted); }, [wanted, d, loadTenantRows]);
  const heldOf = (id: string | null) => (id !== null && Object.hasOwn(held, id) ? held[id] : undefined);
  const a = heldOf(selected);
  const b = heldOf(compareWith);
  const rows = useMemo(() => (a && (!compareWith || b) ? footprint(a.rows, b ? b.rows : null) : null), [a, b, compareWith]);
  if (!selected) return <div className="card"><EmptyState title="Pick a tenant">Choose a tenant in the list to see its rows in every table.</EmptyState></div>;
  if (error) return <div className="card"><ErrorState title="Cannot read this tenant's rows" message={error} onRetry={() => void loadTenantRows(wanted)} /></div>;
  if (!rows) return <div className="card"><LoadingState label="Reading this tenant's rows per table…" /></div>;
  const name = (id: string) => heldOf(id)?.name ?? id;
  const totalA = rows.reduce((a, r) => a + r.a, 0);
  const totalB = rows.reduce((a, r) => a + r.b, 0);
  return (
    <div className="card" data-testid="footprint" data-tenant={selected}>
      <div className="profile-main">
        <h2>{name(selected)} {compareWith && <>vs {name(compareWith)}</>}</h2>
        {compareWith && <button type="button" className="small" onClick={() => compare(null)}>Stop comparing</button>}
      </div>
      <p className="muted">{count(totalA)} rows{compareWith ? ` vs ${count(totalB)} rows` : ''} across {rows.length} tables</p>
      {totalA === 0 && !compareWith ? <EmptyState title="This tenant has no rows">If the customer sees nothing, this is why: no table holds a row with their tenant id.</EmptyState> : (
        <Bars title={`Rows per table for ${name(selected)}`} aLabel={name(selected)} bLabel={compareWith ? name(compareWith) : undefined} data={rows.slice(0, 40).map((r) => ({ label: tableLabel(r), a: r.a, b: compareWith ? r.b : undefined }))} />
      )}
      <table className="sample-table" data-testid="footprint-table">
        <thead><tr><th scope="col">Table</th><th scope="col">{name(selected)}</th>{compareWith && <th scope="col">{name(compareWith)}</th>}<th scope="col">Role</th></tr></thead>
        <tbody>{rows.map((r) => <tr key={`${r.schema}.${r.table}`} data-table={r.table}><td>{tableLabel(r)}</td><td className="num">{count(r.a)}</td>{compareWith && <td className="num">{count(r.b)}</td>}<td className="role-path"><RoleBadge model={model} table={r} long /></td></tr>)}</tbody>
      </table>
    </div>
  );
}

function Buckets({ d }: { d: DistributionSummary }) {
  const noTenant = d.noTenant.reduce((a, r) => a + r.rows, 0);
  const missing = d.missingTenant.reduce((a, r) => a + r.rows, 0);
  return (
    <div className="cards buckets" data-testid="buckets">
      <div className={`card stat ${noTenant ? 'sev-error' : ''}`}>
        <div className="stat-label">No tenant (NULL)</div>
        <div className="stat-value">{count(noTenant)}</div>
        <div className="muted small-text">{d.noTenant.map((r) => `${tableLabel(r)}: ${count(r.rows)}`).join(' · ') || 'none'}</div>
      </div>
      <div className={`card stat ${missing ? 'sev-error' : ''}`}>
        <div className="stat-label">Missing tenant</div>
        <div className="stat-value">{count(missing)}</div>
        <div className="muted small-text">{d.missingTenant.slice(0, 6).map((r) => `${tableLabel(r)} → ${r.tenant}: ${count(r.rows)}`).join(' · ') || 'none'}</div>
      </div>
    </div>
  );
}

/** The Distribution page. */
export function DistributionPage() {
  // Only what the page shell shows: typing a search or picking a tenant re-renders the picker and the footprint, not the chart.
  // The compact summary (tenant totals and buckets), not the full table x tenant rows: one tenant's rows come on selection.
  const { data, state, error, load } = useDistribution(useShallow((s) => ({ data: s.summary, state: s.summaryState, error: s.summaryError, load: s.loadSummary })));
  useEffect(() => {
    if (state === 'idle') void load();
  }, [state, load]);
  return (
    <section className="page" aria-labelledby="dist-title" data-testid="page-distribution">
      <header className="page-header">
        <h1 id="dist-title">Distribution</h1>
        {state === 'loaded' && <button type="button" onClick={() => void load(true)}>Count again</button>}
      </header>
      <RequireModel>
        {({ model }) => state === 'error' ? <ErrorState title="Cannot count rows per tenant" message={error ?? ''} onRetry={() => void load(true)} />
          : !data ? <LoadingState label="Counting rows per tenant in every tenant table…" />
          : (
            <>
              <Buckets d={data} />
              <DistributionChart d={data} />
              <div className="split">
                <TenantPicker d={data} />
                <Footprint d={data} model={model} />
              </div>
            </>
          )}
      </RequireModel>
    </section>
  );
}
