/** Orphan finder data: missing tenant ids grouped, cross-tenant samples split into child and parent. */
import type { Distribution, SampleRow } from '../../shared/findings.js';

/** One missing tenant id and where its rows are. */
export interface OrphanGroup {
  tenant: string;
  rows: number;
  tables: { schema: string; table: string; rows: number }[];
}

/** Group the missing-tenant bucket by id, biggest first. */
export function groupOrphans(d: Distribution): OrphanGroup[] {
  const groups = new Map<string, OrphanGroup>();
  for (const m of d.missingTenant) {
    let g = groups.get(m.tenant);
    if (!g) {
      g = { tenant: m.tenant, rows: 0, tables: [] };
      groups.set(m.tenant, g);
    }
    g.rows += m.rows;
    g.tables.push({ schema: m.schema, table: m.table, rows: m.rows });
  }
  return [...groups.values()].sort((a, b) => b.rows - a.rows || a.tenant.localeCompare(b.tenant));
}

/** A cross-tenant sample row split: child columns, and the parent's (the engine prefixes them "parent."). */
export function splitSample(row: SampleRow): { child: SampleRow; parent: SampleRow } {
  const child: SampleRow = {};
  const parent: SampleRow = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith('parent.')) parent[k.slice('parent.'.length)] = v;
    else child[k] = v;
  }
  return { child, parent };
}
