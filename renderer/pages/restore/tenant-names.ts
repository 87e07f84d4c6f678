/** Tenant names for the wizard, from the tenant list the host sent. */
import { useMemo } from 'react';
import { useRestore } from '../../store/restore.js';

/** id -> name (empty until the tenant list has arrived). */
export function useTenantNames(): Map<string, string | null> {
  const tenants = useRestore((s) => s.tenants.value);
  return useMemo(() => new Map((tenants ?? []).map((t) => [t.id, t.name])), [tenants]);
}
