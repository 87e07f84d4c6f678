/** Distribution views: one tenant's rows per table, tenant totals, search. */
import type { Distribution } from '../../shared/findings.js';
import { tableKey } from './format.js';

/** A tenant with its total rows across tables. */
export interface TenantTotal {
  id: string;
  name: string | null;
  rows: number;
}

/** Code-unit order of two ids: a stable tie-break many times cheaper than localeCompare over 10,000 tenants. */
function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const totalsCache = new WeakMap<Distribution, TenantTotal[]>();

/** Every tenant with its total rows, biggest first (ties by id); computed once per distribution (the list and the chart share it). */
export function tenantTotals(d: Distribution): TenantTotal[] {
  const cached = totalsCache.get(d);
  if (cached) return cached;
  const totals = new Map<string, number>();
  for (const r of d.rows) if (r.bucket === 'tenant' && r.tenant !== null) totals.set(r.tenant, (totals.get(r.tenant) ?? 0) + r.rows);
  const list = d.tenants.map((t) => ({ id: t.id, name: t.name, rows: totals.get(t.id) ?? 0 })).sort((a, b) => b.rows - a.rows || byId(a.id, b.id));
  totalsCache.set(d, list);
  return list;
}

/** Tenants whose id or name contains the query. */
export function searchTenants(list: TenantTotal[], query: string): TenantTotal[] {
  const q = query.trim().toLowerCase();
  if (!q) return list;
  return list.filter((t) => t.id.toLowerCase().includes(q) || (t.name ?? '').toLowerCase().includes(q));
}

/** Rows per table for one or two tenants: the tables where either has rows, biggest first. */
export function footprint(d: Distribution, a: string, b: string | null): { schema: string; table: string; a: number; b: number }[] {
  const tables = new Map<string, { schema: string; table: string; a: number; b: number }>();
  for (const r of d.rows) {
    const k = tableKey(r);
    if (!tables.has(k)) tables.set(k, { schema: r.schema, table: r.table, a: 0, b: 0 });
    const e = tables.get(k)!;
    if (r.tenant === a && r.bucket === 'tenant') e.a += r.rows;
    if (b !== null && r.tenant === b && r.bucket === 'tenant') e.b += r.rows;
  }
  return [...tables.values()].filter((e) => e.a > 0 || e.b > 0).sort((x, y) => y.a + y.b - (x.a + x.b) || byId(x.table, y.table));
}
