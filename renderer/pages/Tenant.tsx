/** Tenant: the support engineer's page for one tenant: find it, its footprint, its rows, what the app role sees. */
import { FootprintCard } from '../components/tenant/FootprintCard.js';
import { RowBrowser } from '../components/tenant/RowBrowser.js';
import { TenantFinder } from '../components/tenant/TenantFinder.js';
import { VisibilityPanel } from '../components/tenant/VisibilityPanel.js';
import { RequireModel } from '../components/RequireModel.js';
import { EmptyState, ErrorState, LoadingState } from '../components/States.js';
import { useTenant } from '../store/tenant.js';

/** The Tenant page. */
export function TenantPage() {
  const { selected, footprint, footprintState, footprintError, select } = useTenant();
  return (
    <section className="page" aria-labelledby="tenant-title" data-testid="page-tenant">
      <header className="page-header"><h1 id="tenant-title">Tenant</h1></header>
      <RequireModel>
        {() => (
          <>
            <TenantFinder />
            {!selected && <div className="card"><EmptyState title="Find a tenant">Type its id, or part of its name or slug, to see its rows in every table.</EmptyState></div>}
            {selected && footprintState === 'loading' && <LoadingState label="Counting the tenant's rows in every table…" />}
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
