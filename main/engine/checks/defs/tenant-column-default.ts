/** `tenant-column-default`: the tenant column still has a default. */
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type ModelCheck } from '../check-module.js';
import { columnEvidence } from '../statements.js';

/** The check. */
export const tenantColumnDefault: ModelCheck = {
  id: 'tenant-column-default', severity: 'warning', kind: 'catalog', title: 'Tenant column has a default',
  why: 'A default on the tenant column (the bootstrap org left behind) files rows under the wrong tenant instead of failing.',
  finds: 'the tenant column still has a default (the bootstrap org left behind)',
  needs: 'model',
  find(_ctx, t) {
    const col = t.role === 'tenant' ? t.tenantColumn : null;
    if (!col || col.default === null) return [];
    return [finding('tenant-column-default', t, {
      column: col.name,
      message: `${t.schema}.${t.table}.${col.name} defaults to ${col.default}`,
      sql: columnEvidence(t, col.name),
      remedy: `ALTER TABLE ${qualified(t.schema, t.table)} ALTER COLUMN ${quoteIdent(col.name)} DROP DEFAULT;`,
    })];
  },
};
