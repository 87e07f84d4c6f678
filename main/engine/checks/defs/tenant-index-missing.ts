/** `tenant-index-missing`: no valid index leads with the tenant column. */
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type ModelCheck } from '../check-module.js';
import { derivedName, indexEvidence } from '../statements.js';

/** The check. */
export const tenantIndexMissing: ModelCheck = {
  id: 'tenant-index-missing', severity: 'warning', kind: 'catalog', title: 'No index leads with the tenant column',
  why: 'Every tenant-scoped query (and every RLS policy) scans the whole table without an index on the tenant column.',
  finds: 'no valid index leads with the tenant column',
  needs: 'model',
  find(_ctx, t) {
    const col = t.role === 'tenant' ? t.tenantColumn : null;
    if (!col || t.indexes.some((i) => i.valid && i.leadingColumn === col.name)) return [];
    const name = quoteIdent(derivedName(`${t.table}_${col.name}`, 'idx'));
    return [finding('tenant-index-missing', t, {
      column: col.name,
      message: `${t.schema}.${t.table}: no valid index leads with ${col.name}`,
      sql: indexEvidence(t),
      remedy: t.partitioned
        ? `CREATE INDEX ${name} ON ${qualified(t.schema, t.table)} (${quoteIdent(col.name)});  -- partitioned: create on each partition CONCURRENTLY first`
        : `CREATE INDEX CONCURRENTLY ${name} ON ${qualified(t.schema, t.table)} (${quoteIdent(col.name)});`,
    })];
  },
};
