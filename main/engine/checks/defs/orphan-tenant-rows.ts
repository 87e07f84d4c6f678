/** `orphan-tenant-rows`: tenant values that name no tenant (missing from the tenant table, or not a valid key). */
import type { SampleRow } from '../../../../shared/findings.js';
import type { TableInfo, TenantTable } from '../../../../shared/model.js';
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type TableScanCheck } from '../check-module.js';
import { SAMPLE_SIZE } from '../scan.js';
import { sampleSelect } from '../statements.js';
import { asKeyType } from '../tenant-values.js';

const q = quoteIdent;

/**
 * Evidence: tenant values that name no tenant (missing from the tenant table, or not a valid key
 * at all), with counts; compared in the key's type.
 */
export function orphanEvidence(t: TableInfo, col: string, tenant: TenantTable, serverVersionNum: number): string {
  const value = asKeyType(`c.${q(col)}`, t.tenantColumn?.type ?? tenant.keyType, tenant.keyType, serverVersionNum);
  return `SELECT c.${q(col)}, count(*) FROM ${qualified(t.schema, t.table)} c\n` +
    `LEFT JOIN ${qualified(tenant.schema, tenant.table)} o ON o.${q(tenant.keyColumn)} = ${value}\n` +
    `WHERE c.${q(col)} IS NOT NULL AND o.${q(tenant.keyColumn)} IS NULL GROUP BY 1 ORDER BY 2 DESC;`;
}

/** Remedy for orphan rows: reassign them (or restore the missing tenants), then add the FK. */
export function orphanRemedy(t: TableInfo, col: string, tenant: TenantTable, serverVersionNum: number): string {
  const value = asKeyType(`c.${q(col)}`, t.tenantColumn?.type ?? tenant.keyType, tenant.keyType, serverVersionNum);
  return `UPDATE ${qualified(t.schema, t.table)} c SET ${q(col)} = :'tenant_id'\n` +
    `WHERE c.${q(col)} IS NOT NULL AND NOT EXISTS (SELECT FROM ${qualified(tenant.schema, tenant.table)} o WHERE o.${q(tenant.keyColumn)} = ${value});`;
}

/** The rows of a table (its own tenant column) whose stored value (as text) is one of `values`. */
const orphanSampleSql = (t: TableInfo, col: string) =>
  `SELECT ${sampleSelect(t, 'c')}, c.${q(col)}::text AS ${q(col)} FROM ${qualified(t.schema, t.table)} c ` +
  // Compared in the column's own type, so an index on the tenant column serves it.
  `WHERE c.${q(col)} = ANY($1::${t.tenantColumn?.type ?? 'text'}[]) LIMIT ${SAMPLE_SIZE}`;

/** The check: tenant tables (a scoped table's tenant comes through an FK, so it cannot be missing). */
export const orphanTenantRows: TableScanCheck = {
  id: 'orphan-tenant-rows', severity: 'error', kind: 'rows', title: 'Rows pointing at a missing tenant',
  why: 'Rows whose tenant id is not in the tenant table belong to a tenant that does not exist.',
  finds: "rows whose tenant value names no tenant: an id missing from the tenant table, or an invalid tenant value that does not cast to the key's type (`'n/a'` in a text column against a uuid key)",
  needs: 'table-scan',
  async find({ session, model, cmp }, t, scan) {
    const tt = model.tenantTable;
    if (t.role !== 'tenant' || !t.tenantColumn || !tt) return null;
    const col = t.tenantColumn.name;
    const invalidRows = [...scan.invalid.values()].reduce((a, b) => a + b, 0);
    const orphanRows = [...scan.orphans.values()].reduce((a, b) => a + b, 0) + invalidRows;
    if (orphanRows === 0) return null;
    const top = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([id]) => id);
    const ids = top(scan.orphans);
    const bad = top(scan.invalid);
    const parts = [
      ...(ids.length > 0 ? [`${orphanRows - invalidRows} rows point at ${ids.length} tenant id(s) missing from ${tt.table} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''})`] : []),
      ...(bad.length > 0 ? [`${invalidRows} rows hold ${bad.length} invalid tenant value(s), not a valid ${tt.keyType} (${bad.slice(0, 3).map((v) => JSON.stringify(v)).join(', ')}${bad.length > 3 ? ', ...' : ''})`] : []),
    ];
    const { rows } = await session.query<SampleRow>(orphanSampleSql(t, col), [scan.orphanValues.slice(0, 1000)]);
    return finding('orphan-tenant-rows', t, {
      column: col, count: orphanRows, sample: rows,
      message: `${t.schema}.${t.table}: ${parts.join('; ')}`,
      sql: orphanEvidence(t, col, tt, cmp.serverVersionNum),
      remedy: orphanRemedy(t, col, tt, cmp.serverVersionNum),
    });
  },
};
