/**
 * `cross-tenant-reference`: per FK, child rows whose tenant differs from the referenced row's,
 * between tenant tables (both carry the column) or along the path of a table scoped through a parent.
 */
import type { ForeignKey, TableInfo, TenancyModel } from '../../../../shared/model.js';
import { qualified, quoteIdent } from '../../ident.js';
import { describePath, pathTenantColumn } from '../../model/paths.js';
import { finding, type FkScanCheck } from '../check-module.js';
import type { ScopedFkTarget, TenantFkTarget } from '../scan.js';
import { scopedCrossParts } from '../scoped.js';
import { fkJoin } from '../statements.js';
import { sameType, tenantsDiffer, type KeyCompare } from '../tenant-values.js';

const q = quoteIdent;

/** Evidence: child rows whose tenant differs from their parent row's tenant. */
export function crossTenantEvidence(child: TableInfo, parent: TableInfo, fk: ForeignKey, childCol: string, parentCol: string, cmp?: KeyCompare): string {
  return `SELECT count(*) FROM ${qualified(child.schema, child.table)} c\n` +
    `JOIN ${qualified(parent.schema, parent.table)} p ON ${fkJoin(fk)}\n` +
    `WHERE ${tenantsDiffer(child, parent, childCol, parentCol, cmp)};`;
}

/** Remedy for cross-tenant children: take the parent's tenant (review first: the parent may be the wrong one). */
export function crossTenantRemedy(child: TableInfo, parent: TableInfo, fk: ForeignKey, childCol: string, parentCol: string, cmp?: KeyCompare): string {
  const value = child.tenantColumn && parent.tenantColumn && !sameType(child.tenantColumn.type, parent.tenantColumn.type)
    ? `p.${q(parentCol)}::text::${child.tenantColumn.type}` : `p.${q(parentCol)}`;
  return `UPDATE ${qualified(child.schema, child.table)} c SET ${q(childCol)} = ${value}\n` +
    `FROM ${qualified(parent.schema, parent.table)} p\n` +
    `WHERE ${fkJoin(fk)} AND ${tenantsDiffer(child, parent, childCol, parentCol, cmp)};\n` +
    `-- then make it impossible: a composite FK (${childCol}, ${fk.columns.join(', ')}) -> ${parent.table} (${parentCol}, ${fk.refColumns.join(', ')})`;
}

/** Evidence: rows whose tenant (through the path) differs from the referenced row's. */
export function scopedCrossEvidence(model: TenancyModel, c: ScopedFkTarget, cmp: KeyCompare): string {
  const { from, where } = scopedCrossParts(model, c, cmp);
  return `SELECT count(*) ${from.replace(/ LEFT JOIN/g, '\nLEFT JOIN')}\nWHERE ${where};`;
}

function tenantFinding(c: TenantFkTarget, count: number, cmp: KeyCompare) {
  return {
    column: c.childCol,
    message: `${c.child.schema}.${c.child.table} -> ${c.parent.schema}.${c.parent.table} (${c.fk.name}): ${count} rows whose ${c.childCol} differs from the parent's`,
    sql: crossTenantEvidence(c.child, c.parent, c.fk, c.childCol, c.parentCol, cmp),
    remedy: crossTenantRemedy(c.child, c.parent, c.fk, c.childCol, c.parentCol, cmp),
  };
}

function scopedFinding(model: TenancyModel, c: ScopedFkTarget, count: number, cmp: KeyCompare) {
  const via = (t: TableInfo) => (t.role === 'scoped' ? ` (through ${describePath(t, pathTenantColumn(model, t))})` : '');
  return {
    column: c.fk.columns.join(', '),
    message: `${c.child.schema}.${c.child.table} -> ${c.parent.schema}.${c.parent.table} (${c.fk.name}): ${count} rows whose tenant${via(c.child)} differs from the referenced row's${via(c.parent)}`,
    sql: scopedCrossEvidence(model, c, cmp),
    remedy: `-- review each row: point ${c.fk.columns.join(', ')} at a ${c.parent.table} row of the row's own tenant (or fix the tenant of its path);\n` +
      `-- then make it impossible: carry the tenant column on both tables and use a composite FK (tenant, ${c.fk.columns.join(', ')})`,
  };
}

/** The check. */
export const crossTenantReference: FkScanCheck = {
  id: 'cross-tenant-reference', severity: 'error', kind: 'rows', title: 'Cross-tenant reference',
  why: "Child rows whose tenant differs from their parent row's tenant leak data across tenants through the join.",
  finds: "per FK: child rows whose tenant and their parent row's tenant are both non-null and differ (also along the path of a table scoped through a parent)",
  needs: 'fk-scan',
  find({ model, cmp }, target, res) {
    if (res.count === 0) return null;
    const fields = target.kind === 'tenant' ? tenantFinding(target, res.count, cmp) : scopedFinding(model, target, res.count, cmp);
    const { column, message, sql, remedy } = fields;
    return finding('cross-tenant-reference', target.child, { constraint: target.fk.name, column, count: res.count, sample: res.sample, message, sql, remedy });
  },
};
