/** `tenant-column-nullable`: the tenant column allows NULL. */
import type { TableInfo } from '../../../../shared/model.js';
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type ModelCheck } from '../check-module.js';
import { columnEvidence, derivedName } from '../statements.js';

/** Remedy: NOT NULL without a long ACCESS EXCLUSIVE scan (CHECK NOT VALID, VALIDATE, SET NOT NULL). */
export function setNotNullRemedy(t: TableInfo, col: string): string {
  const tbl = qualified(t.schema, t.table);
  const chk = quoteIdent(derivedName(`${t.table}_${col}`, 'not_null'));
  return [
    `ALTER TABLE ${tbl} ADD CONSTRAINT ${chk} CHECK (${quoteIdent(col)} IS NOT NULL) NOT VALID;`,
    `ALTER TABLE ${tbl} VALIDATE CONSTRAINT ${chk};`,
    `ALTER TABLE ${tbl} ALTER COLUMN ${quoteIdent(col)} SET NOT NULL;`,
    `ALTER TABLE ${tbl} DROP CONSTRAINT ${chk};`,
  ].join('\n');
}

/** The check. */
export const tenantColumnNullable: ModelCheck = {
  id: 'tenant-column-nullable', severity: 'error', kind: 'catalog', title: 'Tenant column nullable',
  why: 'The tenant column allows NULL, so a write path that forgets the tenant succeeds silently.',
  finds: 'the tenant column allows NULL',
  needs: 'model',
  find(_ctx, t) {
    const col = t.role === 'tenant' ? t.tenantColumn : null;
    if (!col?.nullable) return [];
    return [finding('tenant-column-nullable', t, {
      column: col.name,
      message: `${t.schema}.${t.table}.${col.name} allows NULL`,
      sql: columnEvidence(t, col.name),
      remedy: setNotNullRemedy(t, col.name),
    })];
  },
};
