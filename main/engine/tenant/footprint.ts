/**
 * One tenant's footprint: its rows in every tenant table and every table scoped through a parent
 * (invoice_lines through invoices), counted exactly with the tenant bound as a value; and per
 * foreign key, the rows with no tenant or a missing one whose parent row is this tenant's.
 */
import type { ConcerningRows, FootprintTable, TenantFootprint } from '../../../shared/tenant.js';
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import { keyCompare } from '../checks/run.js';
import { CancelledError } from '../errors.js';
import { unscannableReason } from '../checks/scan.js';
import { tenantSource } from '../checks/scoped.js';
import { fkJoin } from '../checks/statements.js';
import { asKeyType, type KeyCompare } from '../checks/tenant-values.js';
import { qualified, quoteIdent } from '../ident.js';
import { describePath, pathTenantColumn } from '../model/paths.js';
import { requireCompleteModel } from '../model/load.js';
import type { Session } from '../session.js';
import { requireTenant } from './find.js';

/** Tables a tenant can have rows in: its own tenant tables and the scoped ones. */
export function footprintTables(model: TenancyModel): TableInfo[] {
  return model.tables.filter((t) => (t.role === 'tenant' && t.tenantColumn) || (t.role === 'scoped' && t.tenantPath));
}

/** SQL of "the row at `alias` is the tenant bound at `param`", with the joins it needs (prefix names their aliases). */
export function tenantIs(model: TenancyModel, t: TableInfo, alias: string, prefix: string, param: string, cmp: KeyCompare): { joins: string; where: string } | null {
  const src = tenantSource(model, t, alias, prefix);
  if (!src) return null;
  return { joins: src.joins, where: `${asKeyType(src.expr, src.type, cmp.keyType, cmp.serverVersionNum)} = ${param}::${cmp.keyType}` };
}

/** Where a table's tenant is read, in words. */
export function tenantVia(model: TenancyModel, t: TableInfo): string {
  return t.role === 'scoped' ? `through ${describePath(t, pathTenantColumn(model, t))}` : t.tenantColumn!.name;
}

/** FKs of a tenant table to another tenant-scoped table (not the tenant table itself): where its stray rows hang off. */
export function parentLinks(model: TenancyModel, t: TableInfo): { fk: TableInfo['foreignKeys'][number]; parent: TableInfo }[] {
  if (t.role !== 'tenant' || !t.tenantColumn) return [];
  return t.foreignKeys.flatMap((fk) => {
    const parent = model.tables.find((p) => p.schema === fk.refSchema && p.table === fk.refTable);
    if (!parent || parent === t || !parent.readable || !(parent.role === 'tenant' || parent.role === 'scoped')) return [];
    return [{ fk, parent }];
  });
}

/**
 * The condition "child row c names no tenant, or one not in the tenant table": the rows that
 * concern a tenant when their parent row is that tenant's.
 */
export function strayTenantSql(model: TenancyModel & { tenantTable: NonNullable<TenancyModel['tenantTable']> }, t: TableInfo, cmp: KeyCompare): { isNull: string; stray: string } {
  const tt = model.tenantTable;
  const col = `c.${quoteIdent(t.tenantColumn!.name)}`;
  const asKey = asKeyType(col, t.tenantColumn!.type, cmp.keyType, cmp.serverVersionNum);
  return {
    isNull: `${col} IS NULL`,
    stray: `(${col} IS NULL OR NOT EXISTS (SELECT 1 FROM ${qualified(tt.schema, tt.table)} o WHERE o.${quoteIdent(tt.keyColumn)} = ${asKey}))`,
  };
}

async function concerningRows(session: Session, model: TenancyModel, t: TableInfo, tenant: string, cmp: KeyCompare): Promise<{ concerning: ConcerningRows[]; strayRows: number }> {
  requireCompleteModel(model);
  const out: ConcerningRows[] = [];
  const links = parentLinks(model, t);
  if (links.length === 0) return { concerning: out, strayRows: 0 };
  const { isNull, stray } = strayTenantSql(model, t, cmp);
  const owned: string[] = [];
  for (const { fk, parent } of links) {
    const owner = tenantIs(model, parent, 'p', 'k', '$1', cmp);
    if (!owner) continue;
    const { rows } = await session.query<{ none: string; missing: string }>(
      `SELECT count(*) FILTER (WHERE ${isNull}) AS none, count(*) FILTER (WHERE NOT ${isNull}) AS missing ` +
        `FROM ${qualified(t.schema, t.table)} c JOIN ${qualified(parent.schema, parent.table)} p ON ${fkJoin(fk)}${owner.joins} ` +
        `WHERE ${owner.where} AND ${stray}`,
      [tenant],
    );
    const noTenant = Number(rows[0]?.none ?? 0);
    const missingTenant = Number(rows[0]?.missing ?? 0);
    if (noTenant + missingTenant > 0) {
      out.push({ constraint: fk.name, parentSchema: parent.schema, parentTable: parent.table, noTenant, missingTenant });
      owned.push(`EXISTS (SELECT 1 FROM ${qualified(parent.schema, parent.table)} p${owner.joins} WHERE ${fkJoin(fk)} AND ${owner.where})`);
    }
  }
  if (owned.length < 2) return { concerning: out, strayRows: out.reduce((a, c) => a + c.noTenant + c.missingTenant, 0) };
  const { rows } = await session.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${qualified(t.schema, t.table)} c WHERE ${stray} AND (${owned.join(' OR ')})`, [tenant],
  );
  return { concerning: out, strayRows: Number(rows[0]?.n ?? 0) };
}

/** Progress of a footprint count: `done` of `total` tables counted, and the table being counted now (null when finished). */
export interface FootprintProgress {
  done: number;
  total: number;
  schema: string | null;
  table: string | null;
}

/** Options of a footprint count: abort between tables, and progress before each table and at the end. */
export interface FootprintOptions {
  signal?: AbortSignal;
  onProgress?: (p: FootprintProgress) => void;
}

/** Count one tenant's rows in every table in reach, and the stray rows that hang off them. */
export async function tenantFootprint(session: Session, model: TenancyModel, tenantId: string, options: FootprintOptions = {}): Promise<TenantFootprint> {
  const { signal, onProgress } = options;
  requireCompleteModel(model);
  const tenant = await requireTenant(session, model, tenantId);
  const cmp = keyCompare(session, model);
  const tables: FootprintTable[] = [];
  const skipped: TenantFootprint['skipped'] = [];
  const reach = footprintTables(model);
  for (const [done, t] of reach.entries()) {
    if (signal?.aborted) throw new CancelledError();
    onProgress?.({ done, total: reach.length, schema: t.schema, table: t.table });
    if (!t.readable) {
      skipped.push({ schema: t.schema, table: t.table, reason: `permission denied: ${session.fingerprint.user} may not SELECT from it` });
      continue;
    }
    const own = tenantIs(model, t, 'c', 'j', '$1', cmp)!;
    try {
      const { rows } = await session.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${qualified(t.schema, t.table)} c${own.joins} WHERE ${own.where}`, [tenant.id],
      );
      tables.push({
        schema: t.schema, table: t.table, role: t.role as 'tenant' | 'scoped', via: tenantVia(model, t),
        rows: Number(rows[0]?.n ?? 0), estimatedTotal: t.estimatedRows,
        ...(await concerningRows(session, model, t, tenant.id, cmp)),
      });
    } catch (err) {
      const reason = unscannableReason(err);
      if (!reason) throw err;
      skipped.push({ schema: t.schema, table: t.table, reason });
    }
  }
  onProgress?.({ done: reach.length, total: reach.length, schema: null, table: null });
  return { tenant, tables, skipped };
}
