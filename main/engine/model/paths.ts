/**
 * Tables scoped through a parent: a table without the tenant column whose foreign-key path
 * reaches a table with it (invoice_lines -> invoices, or two levels: line_taxes -> invoice_lines
 * -> invoices) belongs to the tenant at the end of the path.
 */
import type { ForeignKey, PathStep, TableInfo, TenancyModel } from '../../../shared/model.js';

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
  const target = (fk: ForeignKey) => byKey.get(`${fk.refSchema}.${fk.refTable}`);
  const fkNotNull = (t: TableInfo, fk: ForeignKey) => fk.columns.every((c) => notNull(t, c));
  const owner = (t: TableInfo | undefined) => t !== undefined && (t.role === 'tenant' || t.role === 'scoped' || t.role === 'tenant-table') && (t.tenantPath?.length ?? 0) < MAX_PATH_STEPS;
  // Rank 0: a NOT NULL FK; 1: owned 1:1 by the row whose UNIQUE FK points here; 2: a nullable FK.
  const optionsOf = (t: TableInfo) => {
    const forward = t.foreignKeys
      .filter((fk) => { const to = target(fk); return to !== t && owner(to) && to!.role !== 'tenant-table'; })
      .map((fk) => ({ rank: fkNotNull(t, fk) ? 0 : 2, to: target(fk)!, step: { constraint: fk.name, columns: fk.columns, refSchema: fk.refSchema, refTable: fk.refTable, refColumns: fk.refColumns, reverse: false } }));
    const reverse = tables
      .filter((r) => r !== t && owner(r))
      .flatMap((r) => r.foreignKeys.filter((fk) => fk.refSchema === t.schema && fk.refTable === t.table && isUnique(r, fk.columns)).map((fk) => ({
        rank: 1, to: r, step: { constraint: fk.name, columns: fk.refColumns, refSchema: r.schema, refTable: r.table, refColumns: fk.columns, reverse: true },
      })));
    return [...forward, ...reverse].sort((a, b) => a.rank - b.rank || (a.to.tenantPath?.length ?? 0) - (b.to.tenantPath?.length ?? 0) ||
      a.step.constraint.localeCompare(b.step.constraint));
  };
  let patient = true;
  for (let round = 0; round < tables.length * MAX_PATH_STEPS + 2; round += 1) {
    const found: [TableInfo, PathStep[]][] = [];
    for (const t of tables) {
      if (t.role !== 'unscoped') continue;
      const best = optionsOf(t)[0];
      if (!best) continue;
      const waits = best.rank > 0 && t.foreignKeys.some((fk) => fkNotNull(t, fk) && target(fk)?.role === 'unscoped' && target(fk) !== t);
      if (waits && patient) continue;
      found.push([t, [best.step, ...(best.to.tenantPath ?? [])]]);
    }
    // Assigned after the round: a path only ever extends one placed in an earlier round.
    for (const [t, path] of found) {
      t.role = 'scoped';
      t.tenantPath = path;
      const end = path[path.length - 1]!;
      t.roleReason = `scoped through ${path.map((s) => `${s.reverse ? 'owner ' : ''}${s.constraint}`).join(' -> ')} to ${end.refSchema}.${end.refTable}`;
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

/** Whether `columns` are unique in `t` (its primary key, or a valid unique key on exactly them). */
function isUnique(t: TableInfo, columns: string[]): boolean {
  const same = (keys: string[]) => keys.length === columns.length && keys.every((k) => columns.includes(k));
  if (t.primaryKey && same(t.primaryKey)) return true;
  return t.uniqueKeys.some((u) => u.valid && !u.predicate && u.keyIsColumn.every(Boolean) && same(u.keys));
}

/** The path in words: lines.invoice_id -> invoices.org_id; a reverse step reads "owned by Org.settingsId". */
export function describePath(t: TableInfo, tenantColumn: string | undefined): string {
  const path = t.tenantPath ?? [];
  let from = t.table;
  const parts: string[] = [];
  for (const s of path) {
    parts.push(s.reverse ? `${from} owned by ${s.refTable}.${s.refColumns.join(',')}` : `${from}.${s.columns.join(',')}`);
    from = s.refTable;
  }
  return `${parts.join(' -> ')} -> ${from}${tenantColumn ? `.${tenantColumn}` : ''}`;
}

/** The table at the end of a scoped table's path (it has the tenant column), or undefined. */
export function pathEnd(model: TenancyModel, t: TableInfo): TableInfo | undefined {
  const end = t.tenantPath?.[t.tenantPath.length - 1];
  return end ? model.tables.find((x) => x.schema === end.refSchema && x.table === end.refTable) : undefined;
}

/** The tenant column at the end of a scoped table's path (the tenant key when the path ends at the tenant table). */
export function pathTenantColumn(model: TenancyModel, t: TableInfo): string | undefined {
  const end = pathEnd(model, t);
  return end?.role === 'tenant-table' ? model.tenantTable?.keyColumn : end?.tenantColumn?.name;
}
