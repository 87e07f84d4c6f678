/**
 * Tables scoped through a parent: a table without the tenant column whose foreign-key path
 * reaches a table with it (invoice_lines -> invoices, or two levels: line_taxes -> invoice_lines
 * -> invoices) belongs to the tenant at the end of the path.
 */
import type { PathStep, TableInfo, TenancyModel } from '../../../shared/model.js';

/** How many foreign keys a path may follow. */
export const MAX_PATH_STEPS = 4;

const key = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;

/**
 * Give every `unscoped` table that reaches a tenant table through foreign keys the role `scoped`
 * and its path. A NOT NULL foreign key wins over a nullable one, even a longer way round (a tax's
 * NOT NULL line_id over its nullable product_id); a table whose only ways now are nullable waits
 * while one of its NOT NULL FKs leads to a table not placed yet. Then the shortest path, then
 * the FK name. `notNull(t, column)` says whether a column is NOT NULL. Mutates and returns `tables`.
 */
export function assignScopePaths(tables: TableInfo[], notNull: (t: TableInfo, column: string) => boolean): TableInfo[] {
  const byKey = new Map(tables.map((t) => [key(t), t]));
  const target = (fk: TableInfo['foreignKeys'][number]) => byKey.get(`${fk.refSchema}.${fk.refTable}`);
  const fkNotNull = (t: TableInfo, fk: TableInfo['foreignKeys'][number]) => fk.columns.every((c) => notNull(t, c));
  let patient = true;
  for (let round = 0; round < tables.length * MAX_PATH_STEPS + 2; round += 1) {
    const found: [TableInfo, PathStep[]][] = [];
    for (const t of tables) {
      if (t.role !== 'unscoped') continue;
      const options = t.foreignKeys
        .map((fk) => ({ fk, to: target(fk) }))
        .filter(({ to }) => to !== undefined && to !== t && (to.role === 'tenant' || to.role === 'scoped') && (to.tenantPath?.length ?? 0) < MAX_PATH_STEPS)
        .sort((a, b) => Number(fkNotNull(t, b.fk)) - Number(fkNotNull(t, a.fk)) ||
          (a.to!.tenantPath?.length ?? 0) - (b.to!.tenantPath?.length ?? 0) || a.fk.name.localeCompare(b.fk.name));
      const best = options[0];
      if (!best) continue;
      const waits = !fkNotNull(t, best.fk) && t.foreignKeys.some((fk) => fkNotNull(t, fk) && target(fk)?.role === 'unscoped' && target(fk) !== t);
      if (waits && patient) continue;
      const step: PathStep = { constraint: best.fk.name, columns: best.fk.columns, refSchema: best.fk.refSchema, refTable: best.fk.refTable, refColumns: best.fk.refColumns };
      found.push([t, [step, ...(best.to!.tenantPath ?? [])]]);
    }
    // Assigned after the round: a path only ever extends one placed in an earlier round.
    for (const [t, path] of found) {
      t.role = 'scoped';
      t.tenantPath = path;
      const end = path[path.length - 1]!;
      t.roleReason = `scoped through ${path.map((s) => s.constraint).join(' -> ')} to ${end.refSchema}.${end.refTable}`;
    }
    if (found.length === 0) {
      if (!patient) break;
      patient = false;
    } else {
      patient = true;
    }
  }
  return tables;
}

/** The path in words: a.b_id -> b.c_id -> c (tenant column org_id). */
export function describePath(t: TableInfo, tenantColumn: string | undefined): string {
  const path = t.tenantPath ?? [];
  const parts = [`${t.table}.${path[0]?.columns.join(',') ?? '?'}`];
  for (let i = 1; i < path.length; i += 1) parts.push(`${path[i - 1]!.refTable}.${path[i]!.columns.join(',')}`);
  const end = path[path.length - 1];
  return `${parts.join(' -> ')} -> ${end ? end.refTable : '?'}${tenantColumn ? `.${tenantColumn}` : ''}`;
}

/** The table at the end of a scoped table's path (it has the tenant column), or undefined. */
export function pathEnd(model: TenancyModel, t: TableInfo): TableInfo | undefined {
  const end = t.tenantPath?.[t.tenantPath.length - 1];
  return end ? model.tables.find((x) => x.schema === end.refSchema && x.table === end.refTable) : undefined;
}

/** The tenant column at the end of a scoped table's path. */
export function pathTenantColumn(model: TenancyModel, t: TableInfo): string | undefined {
  return pathEnd(model, t)?.tenantColumn?.name;
}
