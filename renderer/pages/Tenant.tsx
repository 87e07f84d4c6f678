/** Tenant: the support engineer's page for one tenant: find it, its footprint, its rows, what the app role sees. */
import { FootprintCard } from '../components/tenant/FootprintCard.js';
import { RowBrowser } from '../components/tenant/RowBrowser.js';
import { TenantFinder } from '../components/tenant/TenantFinder.js';
import { VisibilityPanel } from '../components/tenant/VisibilityPanel.js';
import { RequireModel } from '../components/RequireModel.js';
import { EmptyState, ErrorState } from '../components/States.js';
import { useTenant } from '../store/tenant.js';
import { useShallow } from 'zustand/react/shallow';

/** The running count: tables counted of the tables in reach, the one counting now, and Cancel. */
function FootprintProgress() {
  const { footprintProgress: p, cancelFootprint } = useTenant(useShallow((s) => ({ footprintProgress: s.footprintProgress, cancelFootprint: s.cancelFootprint })));
  return (
    <div className="card" data-testid="footprint-progress" aria-live="polite">
      <div className="profile-main">
        <p>Counting the tenant's rows in every table…</p>
        <button type="button" className="danger" onClick={() => void cancelFootprint()}>Cancel count</button>
      </div>
      <progress max={p?.total || 1} value={p?.done ?? 0} aria-label="Footprint count progress" />
      <p data-testid="footprint-progress-text">{p ? `${p.done} of ${p.total} tables${p.table ? ` · counting ${p.schema}.${p.table}` : ''}` : 'Starting…'}</p>
    </div>
  );
}

/** The Tenant page. */
export function TenantPage() {
  const { selected, footprint, footprintState, footprintError, select } = useTenant(useShallow((s) => ({ selected: s.selected, footprint: s.footprint, footprintState: s.footprintState, footprintError: s.footprintError, select: s.select })));
  return (
    <section className="page" aria-labelledby="tenant-title" data-testid="page-tenant">
      <header className="page-header"><h1 id="tenant-title">Tenant</h1></header>
      <RequireModel>
        {() => (
          <>
            <TenantFinder />
            {!selected && <div className="card"><EmptyState title="Find a tenant">Type its id, or part of its name or slug, to see its rows in every table.</EmptyState></div>}
            {selected && footprintState === 'loading' && <FootprintProgress />}
            {selected && footprintState === 'cancelled' && (
              <div className="card"><p className="status status-info" role="status" data-testid="footprint-cancelled">Cancelled: the count was stopped on the server; nothing was changed. <button type="button" className="small" onClick={() => void select(selected)}>Count again</button></p></div>
            )}
            {selected && footprintState === 'error' && <ErrorState title="Cannot count this tenant's rows" message={footprintError ?? ''} onRetry={() => void select(selected)} />}
            {footprint && footprintState === 'loaded' && (
              <>
                <FootprintCard fp={footprint} />
                <RowBrowser />
                <VisibilityPanel key={footprint.tenant.id} />
              </>
            )}
          </>
        )}
      </RequireModel>
    </section>
  );
}
