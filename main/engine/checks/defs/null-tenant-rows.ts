/**
 * `null-tenant-rows`: rows with no tenant: a NULL tenant column, or (on a table scoped through a
 * parent) a path that reaches no tenant. Estimate mode: from pg_stats.null_frac.
 */
import type { SampleRow } from '../../../../shared/findings.js';
import type { ForeignKey, TableInfo, TenancyModel } from '../../../../shared/model.js';
import { qualified, quoteIdent } from '../../ident.js';
import { describePath, pathTenantColumn } from '../../model/paths.js';
import type { Session } from '../../session.js';
import { finding, type TableScanCheck } from '../check-module.js';
import { crossTenantCandidates, sampleLimit, type TableScan } from '../scan.js';
import { tenantSource } from '../scoped.js';
import { fkJoin, sampleSelect } from '../statements.js';

const q = quoteIdent;

/** Evidence: count rows with NULL tenant. */
export function nullRowsEvidence(t: TableInfo, col: string): string {
  return `SELECT count(*) FROM ${qualified(t.schema, t.table)} WHERE ${q(col)} IS NULL;`;
}

/** Remedy for NULL tenant rows: derive from a parent through an FK where one has the tenant, else a constant. */
export function nullRowsRemedy(t: TableInfo, col: string, parents: { fk: ForeignKey; parent: TableInfo; parentCol: string }[]): string {
  const via = parents[0];
  if (via) {
    return `UPDATE ${qualified(t.schema, t.table)} c SET ${q(col)} = p.${q(via.parentCol)}\n` +
      `FROM ${qualified(via.parent.schema, via.parent.table)} p\n` +
      `WHERE ${fkJoin(via.fk)} AND c.${q(col)} IS NULL;  -- or: tenancy backfill, in batches`;
  }
  return `UPDATE ${qualified(t.schema, t.table)} SET ${q(col)} = :'tenant_id' WHERE ${q(col)} IS NULL;  -- or: tenancy backfill, in batches`;
}

/** Evidence: rows of a scoped table whose path reaches no tenant. */
export function scopedNullEvidence(model: TenancyModel, t: TableInfo): string {
  const src = tenantSource(model, t, 'c', 'j')!;
  return `SELECT count(*) FROM ${qualified(t.schema, t.table)} c${src.joins.replace(/ LEFT JOIN/g, '\nLEFT JOIN')}\nWHERE ${src.expr} IS NULL;`;
}

async function tenantNullFinding(session: Session, model: TenancyModel, t: TableInfo, scan: TableScan) {
  const col = t.tenantColumn!.name;
  const { rows } = await session.query<SampleRow>(
    `SELECT ${sampleSelect(t, 'c')} FROM ${qualified(t.schema, t.table)} c WHERE c.${q(col)} IS NULL LIMIT ${sampleLimit(scan.nullTenant)}`,
  );
  return finding('null-tenant-rows', t, {
    column: col, count: scan.nullTenant, sample: rows,
    message: `${t.schema}.${t.table}: ${scan.nullTenant} of ${scan.rows} rows have NULL ${col}`,
    sql: nullRowsEvidence(t, col),
    remedy: nullRowsRemedy(t, col, crossTenantCandidates(model).filter((c) => c.child === t)),
  });
}

async function scopedNullFinding(session: Session, model: TenancyModel, t: TableInfo, scan: TableScan) {
  const src = tenantSource(model, t, 'c', 'j')!;
  const first = t.tenantPath![0]!;
  const fkCols = first.columns.map((c) => `c.${q(c)}::text AS ${q(c)}`).join(', ');
  const { rows } = await session.query<SampleRow>(
    `SELECT ${sampleSelect(t, 'c')}, ${fkCols} FROM ${qualified(t.schema, t.table)} c${src.joins} WHERE ${src.expr} IS NULL LIMIT ${sampleLimit(scan.nullTenant)}`,
  );
  const path = describePath(t, pathTenantColumn(model, t));
  const why = first.reverse
    ? `no ${first.refTable} row owns it through ${first.refColumns.join(', ')}, or its owner has no tenant`
    : `NULL ${first.columns.join(', ')}, or a parent with no tenant`;
  const remedy = first.reverse
    ? `-- each row is owned by no ${first.refTable} row: delete it if it is left over, or point an owner's ${first.refColumns.join(', ')} at it`
    : `-- each row belongs to no tenant: point ${first.columns.join(', ')} at a ${first.refTable} row of the right tenant, or delete the row;\n` +
      `-- then make it impossible: ALTER TABLE ${qualified(t.schema, t.table)} ALTER COLUMN ${q(first.columns[0]!)} SET NOT NULL (or add the tenant column)`;
  return finding('null-tenant-rows', t, {
    column: first.columns.join(', '), count: scan.nullTenant, sample: rows,
    message: `${t.schema}.${t.table}: ${scan.nullTenant} of ${scan.rows} rows reach no tenant through ${path} (${why})`,
    sql: scopedNullEvidence(model, t),
    remedy,
  });
}

/** The check. */
export const nullTenantRows: TableScanCheck = {
  id: 'null-tenant-rows', severity: 'error', kind: 'rows', title: 'Rows with no tenant',
  why: 'Rows whose tenant column is NULL are invisible to every tenant, or visible to all.',
  finds: 'rows whose tenant column is NULL (on a table scoped through a parent: rows whose path reaches no tenant)',
  needs: 'table-scan',
  async find({ session, model }, t, scan) {
    if (scan.nullTenant === 0) return null;
    return t.role === 'scoped' ? scopedNullFinding(session, model, t, scan) : tenantNullFinding(session, model, t, scan);
  },
  estimate(_ctx, t, rows) {
    const col = t.tenantColumn;
    if (t.role !== 'tenant' || !col) return null;
    const nulls = col.nullable && col.nullFrac !== null ? Math.round(col.nullFrac * rows) : 0;
    if (nulls === 0) return null;
    return finding('null-tenant-rows', t, {
      column: col.name, count: nulls, estimate: true,
      message: `${t.schema}.${t.table}: about ${nulls} rows with NULL ${col.name} (estimate from pg_stats)`,
      sql: nullRowsEvidence(t, col.name),
      remedy: null,
    });
  },
};
