/** `tenant-fk-not-validated`: the FK to the tenant table is NOT VALID. */
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type ModelCheck } from '../check-module.js';
import { fkEvidence } from '../statements.js';

/** The check. */
export const tenantFkNotValidated: ModelCheck = {
  id: 'tenant-fk-not-validated', severity: 'error', kind: 'catalog', title: 'FK to the tenant table not validated',
  why: 'A NOT VALID foreign key (added NOT VALID, or an interrupted VALIDATE) checks new rows only: existing rows may still point at tenants that do not exist.',
  finds: 'the FK to the tenant table is `NOT VALID` (added so, or its `VALIDATE` was interrupted): old rows were never checked; remedy `ALTER TABLE ... VALIDATE CONSTRAINT`',
  needs: 'model',
  find({ model }, t) {
    const col = t.role === 'tenant' ? t.tenantColumn : null;
    const fk = t.tenantForeignKey ? t.foreignKeys.find((f) => f.name === t.tenantForeignKey) : undefined;
    if (!col || !model.tenantTable || !fk || fk.validated) return [];
    return [finding('tenant-fk-not-validated', t, {
      constraint: fk.name, column: col.name,
      message: `${t.schema}.${t.table}: foreign key ${fk.name} (${col.name}) to ${model.tenantTable.schema}.${model.tenantTable.table} is NOT VALID; existing rows were never checked`,
      sql: fkEvidence(t),
      // SHARE UPDATE EXCLUSIVE: reads and writes go on.
      remedy: `ALTER TABLE ${qualified(t.schema, t.table)} VALIDATE CONSTRAINT ${quoteIdent(fk.name)};  -- fails, naming a row, if an existing row points at a missing tenant: fix those first (see orphan-tenant-rows)`,
    })];
  },
};
