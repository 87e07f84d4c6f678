/** `orphan-tenant-rows`: tenant values that name no tenant (missing from the tenant table, or not a valid key). */
import type { SampleRow } from '../../../../shared/findings.js';
import type { TableInfo, TenantTable } from '../../../../shared/model.js';
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type TableScanCheck } from '../check-module.js';
import { sampleLimit } from '../scan.js';
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

/** What an orphan remedy would touch: how many rows, and the deleted tenant ids (or invalid values) they name. */
export interface OrphanImpact {
  rows: number;
  ids: string[];
}

/** The ids named in a remedy comment: the first three, then how many more. */
const idList = (ids: string[]) => `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? `, and ${ids.length - 3} more` : ''}`;

/** The schema that holds quarantined orphan rows: outside the profile's schemas, so checks do not scan it. */
export const QUARANTINE_SCHEMA = 'tenancy_quarantine';

/** The holding table an orphan quarantine moves a table's rows into: `tenancy_quarantine."<schema>.<table>"`. */
export const quarantineTable = (t: TableInfo) => `${t.schema}.${t.table}`.slice(0, 63);

/**
 * Remedy for orphan rows. First the quarantine: move them into a holding table (nothing is given
 * to anyone). Then, only if the operator knows they are one customer's, the reassignment, with a
 * plain warning that every row of every deleted tenant id becomes that one live tenant's.
 */
export function orphanRemedy(t: TableInfo, col: string, tenant: TenantTable, serverVersionNum: number, impact: OrphanImpact): string {
  const value = asKeyType(`c.${q(col)}`, t.tenantColumn?.type ?? tenant.keyType, tenant.keyType, serverVersionNum);
  const where = `c.${q(col)} IS NOT NULL AND NOT EXISTS (SELECT FROM ${qualified(tenant.schema, tenant.table)} o WHERE o.${q(tenant.keyColumn)} = ${value})`;
  const hold = qualified(QUARANTINE_SCHEMA, quarantineTable(t));
  const what = `${impact.rows} row${impact.rows === 1 ? '' : 's'} of ${impact.ids.length} deleted tenant id${impact.ids.length === 1 ? '' : 's'} (${idList(impact.ids)})`;
  return `-- 1. Quarantine (recommended): move the ${what} into the holding table ${hold}; no tenant gets them.\n` +
    `CREATE SCHEMA IF NOT EXISTS ${q(QUARANTINE_SCHEMA)};\n` +
    `CREATE TABLE IF NOT EXISTS ${hold} (LIKE ${qualified(t.schema, t.table)});\n` +
    `WITH moved AS (DELETE FROM ${qualified(t.schema, t.table)} c WHERE ${where} RETURNING c.*) INSERT INTO ${hold} SELECT * FROM moved;\n` +
    `-- 2. Or restore the missing tenants in ${tenant.schema}.${tenant.table}, then add the foreign key.\n` +
    `-- 3. Reassign, only if you know they are one customer's. WARNING: this moves the ${what} into ONE live tenant: ` +
    `all ${impact.rows} will belong to tenant :'tenant_id' and its users will see them.\n` +
    `UPDATE ${qualified(t.schema, t.table)} c SET ${q(col)} = :'tenant_id'\n` +
    `WHERE ${where};`;
}

/** The rows of a table (its own tenant column) whose stored value (as text) is one of `values`. */
const orphanSampleSql = (t: TableInfo, col: string, count: number) =>
  `SELECT ${sampleSelect(t, 'c')}, c.${q(col)}::text AS ${q(col)} FROM ${qualified(t.schema, t.table)} c ` +
  // Compared in the column's own type, so an index on the tenant column serves it.
  `WHERE c.${q(col)} = ANY($1::${t.tenantColumn?.type ?? 'text'}[]) LIMIT ${sampleLimit(count)}`;

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
    const { rows } = await session.query<SampleRow>(orphanSampleSql(t, col, orphanRows), [scan.orphanValues.slice(0, 1000)]);
    return finding('orphan-tenant-rows', t, {
      column: col, count: orphanRows, sample: rows,
      message: `${t.schema}.${t.table}: ${parts.join('; ')}`,
      sql: orphanEvidence(t, col, tt, cmp.serverVersionNum),
      remedy: orphanRemedy(t, col, tt, cmp.serverVersionNum, { rows: orphanRows, ids: [...ids, ...bad] }),
    });
  },
};
