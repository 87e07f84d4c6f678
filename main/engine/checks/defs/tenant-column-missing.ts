/** `tenant-column-missing`: a table in scope, not declared global, with no tenant column (and no path to one). */
import { qualified, quoteIdent } from '../../ident.js';
import type { TableInfo, TenantTable } from '../../../../shared/model.js';
import { finding, type ModelCheck } from '../check-module.js';
import { columnEvidence } from '../statements.js';

/** Remedy: add the tenant column with an FK to the tenant table. */
export function addTenantColumnRemedy(t: TableInfo, col: string, tenant: TenantTable | null, keyType: string): string {
  const ref = tenant ? ` REFERENCES ${qualified(tenant.schema, tenant.table)} (${quoteIdent(tenant.keyColumn)})` : '';
  return `ALTER TABLE ${qualified(t.schema, t.table)} ADD COLUMN ${quoteIdent(col)} ${keyType}${ref};  -- then backfill, then SET NOT NULL\n` +
    `-- or, if the table is shared by all tenants, declare it global (--global-tables ${t.schema}.${t.table})`;
}

/** The check. */
export const tenantColumnMissing: ModelCheck = {
  id: 'tenant-column-missing', severity: 'error', kind: 'catalog', title: 'Tenant column missing',
  why: 'A table in scope that is not declared global has no tenant column, so its rows belong to nobody.',
  finds: 'a table in scope, not declared global, with no tenant column',
  needs: 'model',
  find({ model, keyType }, t) {
    if (t.role !== 'unscoped' || !model.tenantColumn) return [];
    return [finding('tenant-column-missing', t, {
      column: model.tenantColumn,
      message: `${t.schema}.${t.table} has no ${model.tenantColumns.length > 1 ? model.tenantColumns.join(' or ') : model.tenantColumn} column and is not declared global`,
      sql: columnEvidence(t, model.tenantColumn),
      remedy: addTenantColumnRemedy(t, model.tenantColumn, model.tenantTable, keyType),
    })];
  },
};
