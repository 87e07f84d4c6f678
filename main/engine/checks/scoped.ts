/**
 * Checks on tables scoped through a parent (role `scoped`): the tenant is read along the table's
 * foreign-key path. Rows whose path gives no tenant are null-tenant rows; every other foreign key
 * that leads to a tenant-scoped row of another tenant is a cross-tenant reference, counted per FK.
 */
import type { Finding, SampleRow } from '../../../shared/findings.js';
import type { ForeignKey, TableInfo, TenancyModel } from '../../../shared/model.js';
import { qualified, quoteIdent } from '../ident.js';
import { describePath, pathEnd, pathTenantColumn } from '../model/paths.js';
import type { Session } from '../session.js';
import { finding } from './catalog-checks.js';
import { SAMPLE_SIZE, tallyScan, type TableScan, type TenantDirectory } from './scan.js';
import { fkJoin, sampleSelect } from './statements.js';
import { asKeyType, type KeyCompare } from './tenant-values.js';

const q = quoteIdent;

/** Where a table's tenant is read from: joins from `alias` along its path, the expression and its type. */
export interface TenantSource {
  joins: string;
  expr: string;
  type: string;
}

/** The tenant of rows of `t` at `alias`: its own column, or the end of its path (joins aliased prefix1..n). */
export function tenantSource(model: TenancyModel, t: TableInfo, alias: string, prefix: string): TenantSource | null {
  if (t.role === 'tenant' && t.tenantColumn) return { joins: '', expr: `${alias}.${q(t.tenantColumn.name)}`, type: t.tenantColumn.type };
  const end = t.role === 'scoped' ? pathEnd(model, t) : undefined;
  const endCol = end?.role === 'tenant-table' && model.tenantTable
    ? { name: model.tenantTable.keyColumn, type: model.tenantTable.keyType } : end?.tenantColumn;
  if (!t.tenantPath || !endCol) return null;
  let prev = alias;
  const joins = t.tenantPath.map((step, i) => {
    const a = `${prefix}${i + 1}`;
    const on = step.columns.map((c, j) => `${a}.${q(step.refColumns[j]!)} = ${prev}.${q(c)}`).join(' AND ');
    prev = a;
    return ` LEFT JOIN ${qualified(step.refSchema, step.refTable)} ${a} ON ${on}`;
  });
  return { joins: joins.join(''), expr: `${prev}.${q(endCol.name)}`, type: endCol.type };
}

/** One pass over a scoped table: rows per tenant through its path (NULL: no tenant). */
export async function scanScoped(session: Session, model: TenancyModel, t: TableInfo, tenants: TenantDirectory | null, cmp: KeyCompare): Promise<TableScan> {
  const src = tenantSource(model, t, 'c', 'j')!;
  const { rows } = await session.query<{ tenant: string | null; raw: string | null; n: string }>(
    `SELECT ${asKeyType('s.v', src.type, cmp.keyType, cmp.serverVersionNum)}::text AS tenant, s.v::text AS raw, s.n FROM ` +
      `(SELECT ${src.expr} AS v, count(*) AS n FROM ${qualified(t.schema, t.table)} c${src.joins} GROUP BY 1) s`,
  );
  return tallyScan(rows, tenants);
}

/** Evidence: rows of a scoped table whose path reaches no tenant. */
export function scopedNullEvidence(model: TenancyModel, t: TableInfo): string {
  const src = tenantSource(model, t, 'c', 'j')!;
  return `SELECT count(*) FROM ${qualified(t.schema, t.table)} c${src.joins.replace(/ LEFT JOIN/g, '\nLEFT JOIN')}\nWHERE ${src.expr} IS NULL;`;
}

/** The null-tenant finding of a scoped table, with samples. */
export async function scopedNullFinding(session: Session, model: TenancyModel, t: TableInfo, scan: TableScan): Promise<Finding> {
  const src = tenantSource(model, t, 'c', 'j')!;
  const first = t.tenantPath![0]!;
  const fkCols = first.columns.map((c) => `c.${q(c)}::text AS ${q(c)}`).join(', ');
  const { rows } = await session.query<SampleRow>(
    `SELECT ${sampleSelect(t, 'c')}, ${fkCols} FROM ${qualified(t.schema, t.table)} c${src.joins} WHERE ${src.expr} IS NULL LIMIT ${SAMPLE_SIZE}`,
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

/** One FK of a table to check: child and parent both tenant-scoped, at least one through a path. */
export interface ScopedCrossCandidate {
  child: TableInfo;
  parent: TableInfo;
  fk: ForeignKey;
}

/**
 * FKs where child or parent is scoped through a path (tenant-to-tenant FKs are the plain
 * cross-tenant check's); a scoped table's own path FK is its tenant, not a reference to check.
 */
export function scopedCrossCandidates(model: TenancyModel): ScopedCrossCandidate[] {
  const out: ScopedCrossCandidate[] = [];
  const scoped = (t: TableInfo) => t.role === 'tenant' || t.role === 'scoped';
  for (const child of model.tables) {
    if (!scoped(child)) continue;
    for (const fk of child.foreignKeys) {
      const first = child.tenantPath?.[0];
      if (child.role === 'scoped' && first && !first.reverse && fk.name === first.constraint) continue;
      const parent = model.tables.find((t) => t.schema === fk.refSchema && t.table === fk.refTable);
      if (!parent || !scoped(parent) || (child.role === 'tenant' && parent.role === 'tenant')) continue;
      // The owner's own FK to a table it owns 1:1 is that table's tenant, not a reference to check.
      const owned = parent.tenantPath?.[0];
      if (owned?.reverse && owned.constraint === fk.name && owned.refSchema === child.schema && owned.refTable === child.table) continue;
      out.push({ child, parent, fk });
    }
  }
  return out;
}

function crossParts(model: TenancyModel, c: ScopedCrossCandidate, cmp: KeyCompare) {
  const cs = tenantSource(model, c.child, 'c', 'a')!;
  const ps = tenantSource(model, c.parent, 'p', 'b')!;
  const from = `FROM ${qualified(c.child.schema, c.child.table)} c${cs.joins}\nJOIN ${qualified(c.parent.schema, c.parent.table)} p ON ${fkJoin(c.fk)}${ps.joins}`;
  const ce = asKeyType(cs.expr, cs.type, cmp.keyType, cmp.serverVersionNum);
  const pe = asKeyType(ps.expr, ps.type, cmp.keyType, cmp.serverVersionNum);
  return { from, where: `${ce} <> ${pe}`, cs, ps };
}

/** Evidence: rows whose tenant (through the path) differs from the referenced row's. */
export function scopedCrossEvidence(model: TenancyModel, c: ScopedCrossCandidate, cmp: KeyCompare): string {
  const { from, where } = crossParts(model, c, cmp);
  return `SELECT count(*) ${from.replace(/ LEFT JOIN/g, '\nLEFT JOIN')}\nWHERE ${where};`;
}

/** Count and sample (first and last by position) the cross-tenant rows of one FK; null when none. */
export async function scanScopedCross(session: Session, model: TenancyModel, c: ScopedCrossCandidate, cmp: KeyCompare): Promise<Finding | null> {
  const { from, where, cs, ps } = crossParts(model, c, cmp);
  const { rows } = await session.query<{ n: string; first: string | null; last: string | null }>(
    `SELECT count(*) AS n, min(c.ctid)::text AS first, max(c.ctid)::text AS last ${from} WHERE ${where}`,
  );
  const count = Number(rows[0]?.n ?? 0);
  if (count === 0) return null;
  const ctids = [...new Set([rows[0]!.first, rows[0]!.last].filter((x): x is string => x !== null))];
  const fkCols = c.fk.columns.map((col) => `c.${q(col)}::text AS ${q(col)}`).join(', ');
  const sample = await session.query<SampleRow>(
    `SELECT ${sampleSelect(c.child, 'c')}, ${fkCols}, ${cs.expr}::text AS tenant, ${ps.expr}::text AS ${q('parent.tenant')} ${from} ` +
      `WHERE c.ctid = ANY($1::tid[]) AND ${where} ORDER BY c.ctid`,
    [ctids],
  );
  const via = (t: TableInfo) => (t.role === 'scoped' ? ` (through ${describePath(t, pathTenantColumn(model, t))})` : '');
  return finding('cross-tenant-reference', c.child, {
    constraint: c.fk.name, column: c.fk.columns.join(', '), count, sample: sample.rows,
    message: `${c.child.schema}.${c.child.table} -> ${c.parent.schema}.${c.parent.table} (${c.fk.name}): ${count} rows whose tenant${via(c.child)} differs from the referenced row's${via(c.parent)}`,
    sql: scopedCrossEvidence(model, c, cmp),
    remedy: `-- review each row: point ${c.fk.columns.join(', ')} at a ${c.parent.table} row of the row's own tenant (or fix the tenant of its path);\n` +
      `-- then make it impossible: carry the tenant column on both tables and use a composite FK (tenant, ${c.fk.columns.join(', ')})`,
  });
}
