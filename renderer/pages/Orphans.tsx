/** Orphan finder: rows pointing at missing tenants, grouped by id; cross-tenant references per FK; CSV export. */
import { useMemo, useState } from 'react';
import type { CheckRun, Finding } from '../../shared/findings.js';
import type { TenancyModel } from '../../shared/model.js';
import { FindingDetail } from '../components/FindingDetail.js';
import { RequireModel } from '../components/RequireModel.js';
import { RoleBadge } from '../components/RoleBadge.js';
import { SampleTable } from '../components/SampleTable.js';
import { EmptyState, ErrorState, LoadingState } from '../components/States.js';
import { VirtualRows } from '../components/VirtualRows.js';
import { downloadText, toCsv } from '../lib/csv.js';
import { count, tableLabel } from '../lib/format.js';
import { groupOrphans, splitSample } from '../lib/orphans.js';
import { useChecks } from '../store/checks.js';
import { useDistribution } from '../store/distribution.js';

/** What the exact run (the one the Overview shows) found, before rows are grouped by missing id. */
function FromExactRun({ run, onGroup }: { run: CheckRun; onGroup: () => void }) {
  const orphans = run.findings.filter((f) => f.check === 'orphan-tenant-rows');
  const rows = orphans.reduce((a, f) => a + (f.count ?? 0), 0);
  return (
    <div className="card" data-testid="orphans-from-exact">
      <div className="profile-main">
        <h2>Rows pointing at a missing tenant: {count(rows)} row{rows === 1 ? '' : 's'} in {orphans.length} table{orphans.length === 1 ? '' : 's'}</h2>
        <button type="button" className="primary" onClick={onGroup}>Group by missing tenant id</button>
      </div>
      <p className="muted small-text">From the exact run at {new Date(run.finishedAt).toLocaleTimeString()} (the one the Overview shows).</p>
      {orphans.length === 0 ? <p className="ok-text">The exact run found no row pointing at a missing tenant.</p> : (
        <ul className="diff-list">{orphans.map((f) => <li key={tableLabel(f)}><strong>{tableLabel(f)}</strong>: {count(f.count ?? 0)} rows</li>)}</ul>
      )}
    </div>
  );
}

function MissingTenants() {
  const { data, state, error, load } = useDistribution();
  const exact = useChecks((s) => s.exact);
  const groups = useMemo(() => (data ? groupOrphans(data) : []), [data]);
  if (state === 'idle' && exact) return <FromExactRun run={exact} onGroup={() => void load()} />;
  if (state === 'idle') {
    return <EmptyState title="Orphans not searched yet" action={<button type="button" className="primary" onClick={() => void load()}>Find orphans</button>}>Counts rows per tenant id in every tenant table and keeps the ids the tenant table does not have.</EmptyState>;
  }
  if (state === 'loading') return <LoadingState label="Counting rows per tenant in every tenant table…" />;
  if (state === 'error' || !data) return <ErrorState title="Cannot count tenants" message={error ?? ''} onRetry={() => void load()} />;
  const exportCsv = () => {
    const rows = groups.flatMap((g) => g.tables.map((t) => ({ missing_tenant: g.tenant, schema: t.schema, table: t.table, rows: t.rows })));
    downloadText('orphan-tenant-rows.csv', toCsv(['missing_tenant', 'schema', 'table', 'rows'], rows));
  };
  return (
    <div className="card" data-testid="orphan-groups">
      <div className="profile-main">
        <h2>Rows pointing at a missing tenant: {groups.length} missing id{groups.length === 1 ? '' : 's'}</h2>
        <div className="actions">
          <button type="button" onClick={() => void load()}>Refresh</button>
          <button type="button" onClick={exportCsv} disabled={groups.length === 0}>Export CSV</button>
        </div>
      </div>
      {groups.length === 0 ? <p className="ok-text">Every tenant id in every tenant table exists in {data.tenantTable ?? 'the tenant table'}.</p> : (
        <VirtualRows
          items={groups}
          rowHeight={52}
          height={Math.min(420, groups.length * 52 + 4)}
          label="Missing tenant ids"
          getKey={(g) => g.tenant}
          renderRow={(g) => (
            <div className="orphan-row" data-tenant={g.tenant}>
              <code className="tenant-id">{g.tenant}</code>
              <strong>{count(g.rows)} rows</strong>
              <span className="muted">{g.tables.map((t) => `${tableLabel(t)} (${count(t.rows)})`).join(', ')}</span>
            </div>
          )}
        />
      )}
    </div>
  );
}

/** The table an FK finding's constraint points at. */
function parentOf(model: TenancyModel, f: Finding): { schema: string; table: string } | null {
  const fk = model.tables.find((t) => t.schema === f.schema && t.table === f.table)?.foreignKeys.find((k) => k.name === f.constraint);
  return fk ? { schema: fk.refSchema, table: fk.refTable } : null;
}

function CrossTenant({ findings, model, onOpen }: { findings: Finding[]; model: TenancyModel; onOpen: (f: Finding) => void }) {
  const exportCsv = () => {
    const rows = findings.flatMap((f) => (f.sample ?? []).map((s) => {
      const { child, parent } = splitSample(s);
      return { schema: f.schema, table: f.table, constraint: f.constraint ?? '', count: f.count ?? 0, child: JSON.stringify(child), parent: JSON.stringify(parent) };
    }));
    downloadText('cross-tenant-references.csv', toCsv(['schema', 'table', 'constraint', 'count', 'child', 'parent'], rows));
  };
  return (
    <div className="card" data-testid="cross-tenant">
      <div className="profile-main">
        <h2>Cross-tenant references: {findings.length} foreign key{findings.length === 1 ? '' : 's'}</h2>
        <button type="button" onClick={exportCsv} disabled={findings.length === 0}>Export CSV</button>
      </div>
      {findings.length === 0 ? <p className="ok-text">No child row's tenant differs from its parent's.</p> : findings.map((f) => {
        const split = (f.sample ?? []).map(splitSample);
        return (
          <article key={`${f.schema}.${f.table}.${f.constraint}`} className="fk-card" data-constraint={f.constraint}>
            <h3>{tableLabel(f)} → parent via <code>{f.constraint}</code>: {count(f.count ?? 0)} rows</h3>
            <p className="small-text fk-roles" data-testid="fk-roles">
              Child: <RoleBadge model={model} table={f} long />
              {parentOf(model, f) && <> · parent {tableLabel(parentOf(model, f)!)}: <RoleBadge model={model} table={parentOf(model, f)!} long /></>}
            </p>
            <div className="side-by-side">
              <SampleTable caption="Child" rows={split.map((s) => s.child)} />
              <SampleTable caption="Parent" rows={split.map((s) => s.parent)} />
            </div>
            <button type="button" className="small" onClick={() => onOpen(f)}>Evidence and remedy SQL</button>
          </article>
        );
      })}
    </div>
  );
}

/** The Orphan finder page. */
export function OrphansPage() {
  const exact = useChecks((s) => s.exact);
  const exactState = useChecks((s) => s.exactState);
  const runExact = useChecks((s) => s.runExact);
  const [open, setOpen] = useState<Finding | null>(null);
  const cross = useMemo(() => (exact?.findings ?? []).filter((f) => f.check === 'cross-tenant-reference'), [exact]);
  return (
    <section className="page" aria-labelledby="orphans-title" data-testid="page-orphans">
      <header className="page-header"><h1 id="orphans-title">Orphan finder</h1></header>
      <RequireModel>
        {({ model }) => (
          <>
            <MissingTenants />
            {exact ? <CrossTenant findings={cross} model={model} onOpen={setOpen} /> : (
              <div className="card">
                <h2>Cross-tenant references</h2>
                {exactState === 'running' ? <LoadingState label="The exact run is joining every foreign key…" /> : (
                  <EmptyState title="Needs the exact checks" action={<button type="button" onClick={() => void runExact()}>Run exact checks</button>}>
                    Cross-tenant references are found by joining each foreign key; statistics cannot estimate them.
                  </EmptyState>
                )}
              </div>
            )}
          </>
        )}
      </RequireModel>
      {open && <FindingDetail finding={open} onClose={() => setOpen(null)} />}
    </section>
  );
}
