/**
 * Exact scans: one GROUP BY pass per tenant table gives its total, NULL-tenant, orphan and
 * per-tenant counts at once; one join per FK finds cross-tenant references. Samples are read only
 * where a count is not zero.
 */
import type { ForeignKey, TableInfo, TenancyModel } from '../../../shared/model.js';
import type { SampleRow } from '../../../shared/findings.js';
import { qualified, quoteIdent } from '../ident.js';
import type { Session } from '../session.js';
import { fkJoin, sampleSelect } from './statements.js';

/** How many sample rows a finding carries. */
export const SAMPLE_SIZE = 5;

/** The tenants: id (as text) to display name. */
export type TenantDirectory = Map<string, string | null>;

/** Read every tenant id and name from the tenant table. */
export async function readTenants(session: Session, model: TenancyModel): Promise<TenantDirectory> {
  const tt = model.tenantTable;
  const dir: TenantDirectory = new Map();
  if (!tt) return dir;
  const name = tt.nameColumn ? `${quoteIdent(tt.nameColumn)}::text` : 'NULL::text';
  const { rows } = await session.query<{ id: string; name: string | null }>(
    `SELECT ${quoteIdent(tt.keyColumn)}::text AS id, ${name} AS name FROM ${qualified(tt.schema, tt.table)}`,
  );
  for (const r of rows) dir.set(r.id, r.name);
  return dir;
}

/** What one pass over a tenant table found. */
export interface TableScan {
  rows: number;
  nullTenant: number;
  /** Rows per tenant id (text), known tenants and missing ones alike. */
  perTenant: Map<string, number>;
  /** Rows per tenant id that is not in the tenant table. */
  orphans: Map<string, number>;
}

/** One pass: SELECT tenant, count(*) GROUP BY tenant. */
export async function scanTable(session: Session, t: TableInfo, column: string, tenants: TenantDirectory | null): Promise<TableScan> {
  const { rows } = await session.query<{ tenant: string | null; n: string }>(
    `SELECT ${quoteIdent(column)}::text AS tenant, count(*) AS n FROM ${qualified(t.schema, t.table)} GROUP BY ${quoteIdent(column)}`,
  );
  const scan: TableScan = { rows: 0, nullTenant: 0, perTenant: new Map(), orphans: new Map() };
  for (const r of rows) {
    const n = Number(r.n);
    scan.rows += n;
    if (r.tenant === null) {
      scan.nullTenant += n;
      continue;
    }
    scan.perTenant.set(r.tenant, n);
    if (tenants && !tenants.has(r.tenant)) scan.orphans.set(r.tenant, n);
  }
  return scan;
}

/** A few rows with NULL tenant: primary keys first. */
export async function sampleNullRows(session: Session, t: TableInfo, column: string): Promise<SampleRow[]> {
  const { rows } = await session.query<SampleRow>(
    `SELECT ${sampleSelect(t, 'c')} FROM ${qualified(t.schema, t.table)} c WHERE c.${quoteIdent(column)} IS NULL LIMIT ${SAMPLE_SIZE}`,
  );
  return rows;
}

/** A few rows pointing at missing tenants: primary keys, then the tenant id. */
export async function sampleOrphanRows(session: Session, t: TableInfo, column: string, missing: string[]): Promise<SampleRow[]> {
  const { rows } = await session.query<SampleRow>(
    `SELECT ${sampleSelect(t, 'c')}, c.${quoteIdent(column)}::text AS ${quoteIdent(column)} FROM ${qualified(t.schema, t.table)} c ` +
      `WHERE c.${quoteIdent(column)}::text = ANY($1::text[]) LIMIT ${SAMPLE_SIZE}`,
    [missing.slice(0, 1000)],
  );
  return rows;
}

/** Cross-tenant rows of one FK: total, the (child tenant, parent tenant) pairs, a few sample rows. */
export interface CrossTenantScan {
  count: number;
  /** Largest pairs first (at most 100): which tenant's rows point at which tenant's parents. */
  pairs: { childTenant: string; parentTenant: string; rows: number }[];
  sample: SampleRow[];
}

/**
 * One aggregate join per FK, grouped by (child tenant, parent tenant): parallel-capable like a
 * bare count, and it keeps the first and last row of each pair (by ctid) so samples are then
 * fetched by TID, without a second pass over the join.
 */
export async function scanCrossTenant(
  session: Session, child: TableInfo, parent: TableInfo, fk: ForeignKey, childCol: string, parentCol: string,
): Promise<CrossTenantScan> {
  const c = quoteIdent(childCol);
  const p = quoteIdent(parentCol);
  const { rows } = await session.query<{ ct: string; pt: string; n: string; first: string; last: string; total: string }>(
    `SELECT c.${c}::text AS ct, p.${p}::text AS pt, count(*) AS n, min(c.ctid)::text AS first, max(c.ctid)::text AS last, ` +
      `sum(count(*)) OVER () AS total ` +
      `FROM ${qualified(child.schema, child.table)} c JOIN ${qualified(parent.schema, parent.table)} p ON ${fkJoin(fk)} ` +
      `WHERE c.${c} <> p.${p} GROUP BY c.${c}, p.${p} ORDER BY n DESC, ct, pt LIMIT 100`,
  );
  if (rows.length === 0) return { count: 0, pairs: [], sample: [] };
  const ctids: string[] = [];
  for (const r of rows) if (ctids.length < SAMPLE_SIZE) ctids.push(r.first);
  for (const r of rows) if (ctids.length < SAMPLE_SIZE && r.last !== r.first) ctids.push(r.last);
  const parentKey = fk.refColumns.map((col) => `p.${quoteIdent(col)}::text AS ${quoteIdent(`parent.${col}`)}`).join(', ');
  const sample = await session.query<SampleRow>(
    `SELECT ${sampleSelect(child, 'c')}, c.${c}::text AS ${quoteIdent(childCol)}, ${parentKey}, p.${p}::text AS ${quoteIdent(`parent.${parentCol}`)} ` +
      `FROM ${qualified(child.schema, child.table)} c JOIN ${qualified(parent.schema, parent.table)} p ON ${fkJoin(fk)} ` +
      `WHERE c.ctid = ANY($1::tid[]) AND c.${c} <> p.${p}`,
    [ctids],
  );
  return {
    count: Number(rows[0]!.total),
    pairs: rows.map((r) => ({ childTenant: r.ct, parentTenant: r.pt, rows: Number(r.n) })),
    sample: sample.rows,
  };
}

/** FKs whose child and parent both carry the tenant column and are not already tenant-scoped. */
export function crossTenantCandidates(model: TenancyModel): { child: TableInfo; parent: TableInfo; fk: ForeignKey; childCol: string; parentCol: string }[] {
  const out = [];
  for (const child of model.tables) {
    if (child.role !== 'tenant' || !child.tenantColumn) continue;
    for (const fk of child.foreignKeys) {
      const parent = model.tables.find((t) => t.schema === fk.refSchema && t.table === fk.refTable);
      if (!parent || parent.role !== 'tenant' || !parent.tenantColumn) continue;
      const childCol = child.tenantColumn.name;
      const parentCol = parent.tenantColumn.name;
      const idx = fk.columns.indexOf(childCol);
      if (idx >= 0 && fk.refColumns[idx] === parentCol) continue;
      out.push({ child, parent, fk, childCol, parentCol });
    }
  }
  return out;
}
