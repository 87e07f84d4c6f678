/** Find a tenant by id, name or slug; Enter selects the first match. */
import { useTenant } from '../../store/tenant.js';

/** The search form and its matches. */
export function TenantFinder() {
  const { query, setQuery, search, matches, truncated, searchState, searchError, selected, select } = useTenant();
  return (
    <div className="card" data-testid="tenant-finder">
      <form className="toolbar" role="search" onSubmit={(e) => { e.preventDefault(); void search(true); }}>
        <label className="search">
          <span>Tenant id, name or slug</span>
          <input type="search" name="tenant-query" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="e.g. acme, or the tenant's id" autoComplete="off" />
        </label>
        <button type="submit" disabled={!query.trim() || searchState === 'loading'}>Find</button>
        <span className="muted small-text">Enter opens the first match.</span>
      </form>
      {searchError && <p className="status status-error" role="alert">{searchError}</p>}
      {matches && matches.length === 0 && <p className="status status-info" role="status">No tenant has the id “{query.trim()}” or a name or slug containing it.</p>}
      {matches && matches.length > 0 && (
        <ul className="tenant-matches" aria-label="Matching tenants" data-testid="tenant-matches">
          {matches.map((m) => (
            <li key={m.id}>
              <button type="button" aria-pressed={selected === m.id} onClick={() => void select(m.id)}>
                <strong>{m.name ?? <em>unnamed</em>}</strong> <code>{m.id}</code>{m.slug && <span className="muted"> · {m.slug}</span>}
                <span className="muted small-text"> (by {m.matchedBy})</span>
              </button>
            </li>
          ))}
          {truncated && <li className="muted small-text">More tenants match: type more of the name.</li>}
        </ul>
      )}
    </div>
  );
}
