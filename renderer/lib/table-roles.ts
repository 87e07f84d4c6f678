/** Each table's role in the model, in words the pages show: tenant, scoped through PATH, global, unscoped, tenant table. */
import type { TableInfo, TenancyModel } from '../../shared/model.js';

/** A table's role and how to say it. */
export interface TableRoleView {
  role: TableInfo['role'] | 'not in the model';
  /** Short: "tenant", "scoped", "global", "unscoped", "tenant table". */
  label: string;
  /** Long: "tenant (org_id)", "scoped through invoice_lines.invoice_id -> invoices.org_id", ... */
  detail: string;
}

/** The path of a scoped table in words: lines.invoice_id -> invoices.org_id (a reverse step: "owned by"). */
export function pathText(model: TenancyModel, t: TableInfo): string {
  let from = t.table;
  const parts: string[] = [];
  for (const s of t.tenantPath ?? []) {
    parts.push(s.reverse ? `${from} owned by ${s.refTable}.${s.refColumns.join(',')}` : `${from}.${s.columns.join(',')}`);
    from = s.refTable;
  }
  const last = t.tenantPath?.[t.tenantPath.length - 1];
  const end = last ? model.tables.find((x) => x.schema === last.refSchema && x.table === last.refTable) : undefined;
  const col = end?.role === 'tenant-table' ? model.tenantTable?.keyColumn : end?.tenantColumn?.name;
  return `${parts.join(' -> ')} -> ${from}${col ? `.${col}` : ''}`;
}

/** The role of schema.table in the model (a partition or view of one is "not in the model"). */
export function tableRole(model: TenancyModel, ref: { schema: string; table: string }): TableRoleView {
  const t = model.tables.find((x) => x.schema === ref.schema && x.table === ref.table);
  if (!t) return { role: 'not in the model', label: 'other', detail: 'not a table of the model (a partition, view, function, ...)' };
  switch (t.role) {
    case 'tenant': return { role: 'tenant', label: 'tenant', detail: `tenant (${t.tenantColumn?.name ?? 'tenant column'})` };
    case 'scoped': return { role: 'scoped', label: 'scoped', detail: `scoped through ${pathText(model, t)}` };
    case 'global': return { role: 'global', label: 'global', detail: `global: ${t.roleReason}` };
    case 'tenant-table': return { role: 'tenant-table', label: 'tenant table', detail: 'the table of tenants' };
    default: return { role: 'unscoped', label: 'unscoped', detail: 'unscoped: no tenant column and no path to one' };
  }
}

/** Who declared an accepted finding: "profile" or "flag", from its accepted text. */
export function acceptedBy(accepted: string): 'profile' | 'flag' {
  return /profile "/.test(accepted) ? 'profile' : 'flag';
}
