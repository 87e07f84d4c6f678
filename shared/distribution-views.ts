/** Distribution views for the console: one or two tenants' rows per table, tenant search (pure, unit-tested). */
import type { TenantRows } from './distribution-summary.js';

export type { TenantTotal } from './distribution-summary.js';

/** One tenant's rows in one table, as `distribution/tenantRows` answers. */
type TableRows = TenantRows['tenants'][number]['rows'][number];

/** A map key for a table that no schema or table name can collide with. */
function tableKey(t: { schema: string; table: string }): string {
  return JSON.stringify([t.schema, t.table]);
}

/** Code-unit order of two names: a stable tie-break cheaper than localeCompare. */
function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Tenants whose id or name contains the query. */
export function searchTenants<T extends { id: string; name: string | null }>(list: T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return list;
  return list.filter((t) => t.id.toLowerCase().includes(q) || (t.name ?? '').toLowerCase().includes(q));
}

/** Rows per table for one tenant (`a`) or two (`b`): the tables where either has rows, biggest first (ties by table, then schema). */
export function footprint(a: TableRows[], b: TableRows[] | null): { schema: string; table: string; a: number; b: number }[] {
  const tables = new Map<string, { schema: string; table: string; a: number; b: number }>();
  const add = (rows: TableRows[], side: 'a' | 'b') => {
    for (const r of rows) {
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
