/** `tenant-fk-missing`: the tenant column has no FK to the tenant table. */
import type { TableInfo, TenantTable } from '../../../../shared/model.js';
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type ModelCheck } from '../check-module.js';
import { derivedName, fkEvidence } from '../statements.js';

/** Remedy: the FK to the tenant table, added NOT VALID then validated. */
export function tenantFkRemedy(t: TableInfo, col: string, tenant: TenantTable): string {
  const tbl = qualified(t.schema, t.table);
  const name = quoteIdent(derivedName(`${t.table}_${col}`, 'fkey'));
  return `ALTER TABLE ${tbl} ADD CONSTRAINT ${name} FOREIGN KEY (${quoteIdent(col)}) REFERENCES ${qualified(tenant.schema, tenant.table)} (${quoteIdent(tenant.keyColumn)}) NOT VALID;\n` +
    `ALTER TABLE ${tbl} VALIDATE CONSTRAINT ${name};`;
}

/** The check. */
export const tenantFkMissing: ModelCheck = {
  id: 'tenant-fk-missing', severity: 'error', kind: 'catalog', title: 'No FK to the tenant table',
  why: 'Without a foreign key to the tenant table, rows can point at tenants that do not exist.',
  finds: 'the tenant column has no FK to the tenant table',
  needs: 'model',
  find({ model }, t) {
    const col = t.role === 'tenant' ? t.tenantColumn : null;
    if (!col || !model.tenantTable || t.tenantForeignKey) return [];
    return [finding('tenant-fk-missing', t, {
      column: col.name,
      message: `${t.schema}.${t.table}.${col.name} has no foreign key to ${model.tenantTable.schema}.${model.tenantTable.table}`,
      sql: fkEvidence(t),
      remedy: tenantFkRemedy(t, col.name, model.tenantTable),
    })];
  },
};
