/** Distribution views for the console: one tenant's rows per table, tenant totals, search (pure, unit-tested). */
import type { Distribution } from './findings.js';

/** A map key for a table that no schema or table name can collide with. */
function tableKey(t: { schema: string; table: string }): string {
  return JSON.stringify([t.schema, t.table]);
}

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
const byTenantCache = new WeakMap<Distribution, Map<string, Distribution['rows']>>();

/** Every tenant with its total rows, biggest first (ties by id); computed once per distribution (the list and the chart share it). */
export function tenantTotals(d: Distribution): TenantTotal[] {
  const cached = totalsCache.get(d);
  if (cached) return cached;
  const sums = new Map<string, number>();
  for (const r of d.rows) if (r.bucket === 'tenant' && r.tenant !== null) sums.set(r.tenant, (sums.get(r.tenant) ?? 0) + r.rows);
  const list = d.tenants.map((t) => ({ id: t.id, name: t.name, rows: sums.get(t.id) ?? 0 })).sort((a, b) => b.rows - a.rows || byId(a.id, b.id));
  totalsCache.set(d, list);
  return list;
}

/** Each tenant's own rows (bucket 'tenant'), built once per distribution on the first footprint asked for, not on opening the page. */
function rowsByTenant(d: Distribution): Map<string, Distribution['rows']> {
  const cached = byTenantCache.get(d);
  if (cached) return cached;
  const byTenant = new Map<string, Distribution['rows']>();
  for (const r of d.rows) {
    if (r.bucket !== 'tenant' || r.tenant === null) continue;
    let list = byTenant.get(r.tenant);
    if (!list) byTenant.set(r.tenant, (list = []));
    list.push(r);
  }
  byTenantCache.set(d, byTenant);
  return byTenant;
}

/** Tenants whose id or name contains the query. */
export function searchTenants(list: TenantTotal[], query: string): TenantTotal[] {
  const q = query.trim().toLowerCase();
  if (!q) return list;
  return list.filter((t) => t.id.toLowerCase().includes(q) || (t.name ?? '').toLowerCase().includes(q));
}

/** Rows per table for one or two tenants: the tables where either has rows, biggest first (ties by table, then schema). */
export function footprint(d: Distribution, a: string, b: string | null): { schema: string; table: string; a: number; b: number }[] {
  const byTenant = rowsByTenant(d);
  const tables = new Map<string, { schema: string; table: string; a: number; b: number }>();
  const add = (tenant: string, side: 'a' | 'b') => {
    for (const r of byTenant.get(tenant) ?? []) {
      const k = tableKey(r);
      let e = tables.get(k);
      if (!e) tables.set(k, (e = { schema: r.schema, table: r.table, a: 0, b: 0 }));
      e[side] += r.rows;
    }
  };
  add(a, 'a');
  if (b !== null) add(b, 'b');
  return [...tables.values()].filter((e) => e.a > 0 || e.b > 0).sort((x, y) => y.a + y.b - (x.a + x.b) || byId(x.table, y.table) || byId(x.schema, y.schema));
}
