/** Rows of the null-safety dashboard: one per tenant table and per table scoped through a parent, from the model and the latest run. */
import type { CheckRun, Finding } from '../../shared/findings.js';
import type { TenancyModel } from '../../shared/model.js';
import { tableKey } from './format.js';
import { pathText } from './table-roles.js';

/** One tenant table's null-safety facts. */
export interface NullSafetyRow {
  key: string;
  schema: string;
  table: string;
  rows: number | null;
  nullRows: number | null;
  nullPct: number;
  estimate: boolean;
  nullable: boolean;
  default: string | null;
  hasFk: boolean;
  tenantIndex: boolean;
  rls: 'forced' | 'enabled' | 'off';
  finding: Finding | null;
  /** Scoped through a parent: its path in words (nullable, default, FK and index are the tenant column's, so they do not apply). */
  path: string | null;
}

export type SortKey = 'table' | 'rows' | 'nullRows' | 'nullPct' | 'nullable' | 'default' | 'hasFk' | 'tenantIndex' | 'rls';

/** Build the rows for every tenant table, then every table scoped through a parent. */
export function nullSafetyRows(model: TenancyModel, run: CheckRun | null): NullSafetyRow[] {
  const facts = new Map((run?.tables ?? []).map((f) => [tableKey(f), f]));
  const findings = new Map((run?.findings ?? []).filter((f) => f.check === 'null-tenant-rows').map((f) => [tableKey(f), f]));
  return model.tables
    .filter((t) => (t.role === 'tenant' && t.tenantColumn) || (t.role === 'scoped' && t.tenantPath))
    .map((t) => {
      const key = tableKey(t);
      const f = facts.get(key);
      const col = t.tenantColumn;
      const rows = f?.rows ?? t.estimatedRows;
      const nullRows = f?.nullTenant ?? null;
      return {
        key,
        schema: t.schema,
        table: t.table,
        rows,
        nullRows,
        nullPct: rows && nullRows ? nullRows / rows : 0,
        estimate: f ? f.estimate : true,
        nullable: col?.nullable ?? false,
        default: col?.default ?? null,
        hasFk: col ? t.tenantForeignKey !== null : true,
        tenantIndex: col ? t.indexes.some((i) => i.valid && i.leadingColumn === col.name) : true,
        rls: t.rlsForced ? 'forced' : t.rlsEnabled ? 'enabled' : 'off',
        finding: findings.get(key) ?? null,
        path: t.role === 'scoped' ? pathText(model, t) : null,
      };
    });
}

function value(r: NullSafetyRow, k: SortKey): string | number {
  switch (k) {
    case 'table': return `${r.schema}.${r.table}`;
    case 'rows': return r.rows ?? -1;
    case 'nullRows': return r.nullRows ?? -1;
    case 'nullPct': return r.nullPct;
    case 'nullable': return r.nullable ? 1 : 0;
    case 'default': return r.default ?? '';
    case 'hasFk': return r.hasFk ? 1 : 0;
    case 'tenantIndex': return r.tenantIndex ? 1 : 0;
    case 'rls': return r.rls;
  }
}

/** Sorted copy. */
export function sortRows(rows: NullSafetyRow[], key: SortKey, dir: 'asc' | 'desc'): NullSafetyRow[] {
  const m = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = value(a, key);
    const vb = value(b, key);
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c * m || a.table.localeCompare(b.table);
  });
}

/** What the filter bar can ask for. */
export interface NullSafetyFilter {
  text: string;
  onlyProblems: boolean;
}

/** Rows matching the filter: text in schema.table, and (optionally) only tables with something to fix. */
export function filterRows(rows: NullSafetyRow[], f: NullSafetyFilter): NullSafetyRow[] {
  const q = f.text.trim().toLowerCase();
  return rows.filter((r) =>
    (!q || `${r.schema}.${r.table}`.toLowerCase().includes(q)) &&
    (!f.onlyProblems || (r.nullRows ?? 0) > 0 || r.nullable || r.default !== null || !r.hasFk || !r.tenantIndex));
}

/**
 * Width of a null-share bar: the share of the table's rows that have no tenant, of the full width
 * (2.7 % draws 2.7 % of a bar, never a full one), with a 2 px sliver so a few rows stay visible.
 */
export function nullBarWidth(nullRows: number | null, rows: number | null, full: number): number {
  if (!nullRows || !rows) return 0;
  return Math.max(2, Math.min(1, nullRows / rows) * full);
}
