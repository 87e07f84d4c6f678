/** A searchable tenant picker (name and id; how many of the tenant's rows differ from the backup). */
import { useMemo, useState } from 'react';
import type { CompareResult } from '../../../shared/backup.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { VirtualRows } from '../../components/VirtualRows.js';
import { count } from '../../lib/format.js';
import { searchTenantEntries } from '../../../shared/restore-wizard.js';
import { useRestore } from '../../store/restore.js';

/** The picker; `name` tells apart two pickers on one page. */
export function TenantPicker({ selected, onSelect, compare, name, label }: {
  selected: string | null; onSelect: (id: string) => void; compare: CompareResult | null; name: string; label: string;
}) {
  const tenants = useRestore((s) => s.tenants);
  const loadTenants = useRestore((s) => s.loadTenants);
  const [query, setQuery] = useState('');
  const found = useMemo(() => searchTenantEntries(tenants.value ?? [], query), [tenants.value, query]);
  const differing = useMemo(() => new Map((compare?.perTenant ?? []).map((t) => [t.tenant, t.onlyBackup + t.onlyLive + t.changed])), [compare]);
  if (tenants.state === 'error') return <ErrorState title="Cannot list tenants" message={tenants.error ?? ''} onRetry={() => void loadTenants()} />;
  if (!tenants.value) return <LoadingState label="Reading tenants…" />;
  const picked = selected !== null ? tenants.value.find((t) => t.id === selected) : undefined;
  return (
    <div className="tenant-picker" data-testid={`tenant-picker-${name}`}>
      <label className="search">
        <span>{label}</span>
        <input type="search" name={`${name}-search`} value={query} onChange={(e) => setQuery(e.target.value)} placeholder={`Search ${count(tenants.value.length)} tenants by name or id`} />
      </label>
      <p className="muted small-text">{picked ? <>Chosen: <strong>{picked.name ?? 'unnamed'}</strong> <code>{picked.id}</code></> : 'Nothing chosen yet.'} · Arrow keys move, Enter chooses.</p>
      {found.length === 0 ? <EmptyState title="No tenant matches" /> : (
        <VirtualRows
          items={found}
          rowHeight={34}
          height={Math.min(220, found.length * 34 + 4)}
          label={label}
          testId={`tenant-list-${name}`}
          getKey={(t) => t.id}
          selectedKey={selected}
          onActivate={(t) => onSelect(t.id)}
          renderRow={(t) => (
            <div className="tenant-row" data-tenant={t.id}>
              <span className="tenant-name">{t.name ?? <em>unnamed</em>}</span>
              <code className="muted">{t.id}</code>
              <span className="num small-text">{differing.get(t.id) ? `${count(differing.get(t.id))} differ` : ''}</span>
            </div>
          )}
        />
      )}
    </div>
  );
}
