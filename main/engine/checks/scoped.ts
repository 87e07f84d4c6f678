/**
 * The passes over tables scoped through a parent (role `scoped`): the tenant is read along the
 * table's foreign-key path. One pass per table (rows per tenant, NULL: no tenant); one join per
 * other foreign key that leads to a tenant-scoped row, counting rows of another tenant.
 */
import type { SampleRow } from '../../../shared/findings.js';
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import { qualified, quoteIdent } from '../ident.js';
import { pathEnd } from '../model/paths.js';
import type { Session } from '../session.js';
import { passGroups, passSql } from './groups.js';
import { tallyGroups, type CrossTenantScan, type ScopedFkTarget, type TableScan, type TenantDirectory } from './scan.js';
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
  const inner = `SELECT ${asKeyType('s.v', src.type, cmp.keyType, cmp.serverVersionNum)}::text AS tenant, s.v::text AS raw, s.n FROM ` +
    `(SELECT ${src.expr} AS v, count(*) AS n FROM ${qualified(t.schema, t.table)} c${src.joins} GROUP BY 1) s`;
  const { rows } = await session.query(passSql(t, inner, true));
  return tallyGroups(passGroups(t, rows), tenants);
}

/**
 * FKs where child or parent is scoped through a path (tenant-to-tenant FKs are the plain
 * cross-tenant check's); a scoped table's own path FK is its tenant, not a reference to check.
 */
export function scopedCrossCandidates(model: TenancyModel): ScopedFkTarget[] {
  const out: ScopedFkTarget[] = [];
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
      out.push({ kind: 'scoped', child, parent, fk });
    }
  }
  return out;
}

/** FROM and WHERE of the join of one FK along the paths of child (alias c) and parent (alias p). */
export function scopedCrossParts(model: TenancyModel, c: ScopedFkTarget, cmp: KeyCompare) {
  const cs = tenantSource(model, c.child, 'c', 'a')!;
  const ps = tenantSource(model, c.parent, 'p', 'b')!;
  const from = `FROM ${qualified(c.child.schema, c.child.table)} c${cs.joins}\nJOIN ${qualified(c.parent.schema, c.parent.table)} p ON ${fkJoin(c.fk)}${ps.joins}`;
  const ce = asKeyType(cs.expr, cs.type, cmp.keyType, cmp.serverVersionNum);
  const pe = asKeyType(ps.expr, ps.type, cmp.keyType, cmp.serverVersionNum);
  return { from, where: `${ce} <> ${pe}`, cs, ps };
}

/** Count and sample (first and last by position) the cross-tenant rows of one FK. */
export async function scanScopedCross(session: Session, model: TenancyModel, c: ScopedFkTarget, cmp: KeyCompare): Promise<CrossTenantScan> {
  const { from, where, cs, ps } = scopedCrossParts(model, c, cmp);
  const { rows } = await session.query<{ n: string; first: string | null; last: string | null }>(
    `SELECT count(*) AS n, min(c.ctid)::text AS first, max(c.ctid)::text AS last ${from} WHERE ${where}`,
  );
  const count = Number(rows[0]?.n ?? 0);
  if (count === 0) return { count: 0, sample: [] };
  const ctids = [...new Set([rows[0]!.first, rows[0]!.last].filter((x): x is string => x !== null))];
  const fkCols = c.fk.columns.map((col) => `c.${q(col)}::text AS ${q(col)}`).join(', ');
  const sample = await session.query<SampleRow>(
    `SELECT ${sampleSelect(c.child, 'c')}, ${fkCols}, ${cs.expr}::text AS tenant, ${ps.expr}::text AS ${q('parent.tenant')} ${from} ` +
      `WHERE c.ctid = ANY($1::tid[]) AND ${where} ORDER BY c.ctid`,
    [ctids],
  );
  return { count, sample: sample.rows };
}
