/** Orphan finder: rows pointing at missing tenants, grouped by id, the remedy's warning, CSV of the rows themselves; cross-tenant references per FK. */
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
import { recommendedRemedy, remedyWarning } from '../lib/remedy.js';
import { useChecks } from '../store/checks.js';
import { useDistribution } from '../store/distribution.js';
import { ORPHAN_EXPORT_MAX, useOrphanExport } from '../store/orphan-export.js';

/** What the exact run (the one the Overview shows) found, before rows are grouped by missing id. */
function FromExactRun({ run, onGroup, onOpen }: { run: CheckRun; onGroup: () => void; onOpen: (f: Finding) => void }) {
  const orphans = run.findings.filter((f) => f.check === 'orphan-tenant-rows');
  const rows = orphans.reduce((a, f) => a + (f.count ?? 0), 0);
  return (
    <div className="card" data-testid="orphans-from-exact">
      <div className="profile-main">
        <h2>Rows pointing at a missing tenant: {count(rows)} row{rows === 1 ? '' : 's'} in {orphans.length} table{orphans.length === 1 ? '' : 's'}</h2>
        <div className="actions">
          <button type="button" className="primary" onClick={onGroup}>Group by missing tenant id</button>
          <OrphanCsvButton tables={orphans} />
        </div>
      </div>
      <p className="muted small-text">From the exact run at {new Date(run.finishedAt).toLocaleTimeString()} (the one the Overview shows).</p>
      {orphans.length === 0 ? <p className="ok-text">The exact run found no row pointing at a missing tenant.</p> : (
        <ul className="diff-list">{orphans.map((f) => (
          <li key={tableLabel(f)} data-table={f.table}>
            <strong>{tableLabel(f)}</strong>: {count(f.count ?? 0)} rows{' '}
            <button type="button" className="small" onClick={() => onOpen(f)}>Evidence and remedy SQL</button>
            {recommendedRemedy(f.remedy) && <p className="small-text" data-testid="orphan-remedy-first">First remedy: {recommendedRemedy(f.remedy)}</p>}
            {remedyWarning(f.remedy) && <p className="status status-warn small-text" role="note" data-testid="orphan-remedy-warning"><strong>Reassigning instead:</strong> {remedyWarning(f.remedy)}</p>}
          </li>
        ))}</ul>
      )}
    </div>
  );
}

/** Export CSV of the orphan rows themselves (key and tenant value), with progress and cancel. */
function OrphanCsvButton({ tables }: { tables: { schema: string; table: string }[] }) {
  const { exporting, error, note, exportCsv, cancel } = useOrphanExport();
  const onExport = async () => {
    const csv = await exportCsv(tables);
    if (csv !== null) downloadText('orphan-tenant-rows.csv', csv);
  };
  return (
    <div className="actions orphan-export">
      {exporting && <span role="status">Exporting… {count(exporting.done)} rows read</span>}
      {exporting
        ? <button type="button" onClick={cancel}>Cancel export</button>
        : <button type="button" onClick={() => void onExport()} disabled={tables.length === 0} title={`Every orphan row: its table, key and tenant value (up to ${count(ORPHAN_EXPORT_MAX)} rows)`}>Export CSV</button>}
      {error && <p className="status status-error" role="alert">{error.startsWith('Export cancelled') ? error : `Export failed: ${error}`}</p>}
      {note && <p className="status status-warn" role="note" data-testid="orphan-export-note">{note}</p>}
    </div>
  );
}

/** What reassigning every orphan row would do, said before anyone copies the remedy; quarantine first. */
function ReassignWarning({ rows, ids }: { rows: number; ids: number }) {
  return (
    <p className="status status-warn" role="note" data-testid="orphan-remedy-warning">
      <strong>Remedy:</strong> quarantine these rows first (move them into a holding table in <code>tenancy_quarantine</code>; no tenant gets them).
      Reassigning them instead moves {count(rows)} row{rows === 1 ? '' : 's'} of {count(ids)} deleted tenant id{ids === 1 ? '' : 's'} into one live tenant:
      they will all belong to that tenant and its users will see them. The exact run's finding holds both statements.
    </p>
  );
}

function MissingTenants({ model, onOpen }: { model: TenancyModel; onOpen: (f: Finding) => void }) {
  const { data, state, error, load } = useDistribution();
  const exact = useChecks((s) => s.exact);
  const groups = useMemo(() => (data ? groupOrphans(data) : []), [data]);
  if (state === 'idle' && exact) return <FromExactRun run={exact} onGroup={() => void load()} onOpen={onOpen} />;
  if (state === 'idle') {
    return <EmptyState title="Orphans not searched yet" action={<button type="button" className="primary" onClick={() => void load()}>Find orphans</button>}>Counts rows per tenant id in every tenant table and keeps the ids the tenant table does not have.</EmptyState>;
  }
  if (state === 'loading') return <LoadingState label="Counting rows per tenant in every tenant table…" />;
  if (state === 'error' || !data) return <ErrorState title="Cannot count tenants" message={error ?? ''} onRetry={() => void load()} />;
  // The tables whose own tenant column holds the orphans (the ones their rows can be read from), once each.
  const tables = model.tables.filter((t) => t.role === 'tenant' && t.tenantColumn && data.missingTenant.some((m) => m.schema === t.schema && m.table === t.table));
  return (
    <div className="card" data-testid="orphan-groups">
      <div className="profile-main">
        <h2>Rows pointing at a missing tenant: {groups.length} missing id{groups.length === 1 ? '' : 's'}</h2>
        <div className="actions">
          <button type="button" onClick={() => void load()}>Refresh</button>
          <OrphanCsvButton tables={tables} />
        </div>
      </div>
      {groups.length > 0 && <ReassignWarning rows={groups.reduce((a, g) => a + g.rows, 0)} ids={groups.length} />}
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
            <MissingTenants model={model} onOpen={setOpen} />
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
