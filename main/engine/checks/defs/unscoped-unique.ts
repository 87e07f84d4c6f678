/** `unscoped-unique`: a unique key (not the primary key) whose key columns leave out the tenant column. */
import type { TableInfo, TenancyModel, UniqueKey } from '../../../../shared/model.js';
import { qualified, quoteIdent, quoteList } from '../../ident.js';
import { finding, type ModelCheck } from '../check-module.js';
import { derivedName, indexEvidence } from '../statements.js';

/** Whether a unique key includes the tenant column among its KEY columns (INCLUDE does not scope). */
export function uniqueIsScoped(keys: string[], keyIsColumn: boolean[], tenantColumn: string): boolean {
  return keys.some((k, i) => keyIsColumn[i] && k === tenantColumn);
}

/** Remedy: a unique key scoped by tenant, built without blocking writes, replacing the unscoped one. */
export function scopedUniqueRemedy(t: TableInfo, col: string, u: UniqueKey): string {
  const q = quoteIdent;
  const tbl = qualified(t.schema, t.table);
  const name = derivedName(u.name, 'scoped');
  const keys = u.keys.map((k, i) => (u.keyIsColumn[i] ? q(k) : `(${k})`)).join(', ');
  const include = u.include.length > 0 ? ` INCLUDE (${quoteList(u.include)})` : '';
  const where = u.predicate ? ` WHERE ${u.predicate}` : '';
  const create = t.partitioned
    ? `CREATE UNIQUE INDEX ${q(name)} ON ${tbl} (${q(col)}, ${keys})${include}${where};  -- partitioned: build per partition CONCURRENTLY, then attach`
    : `CREATE UNIQUE INDEX CONCURRENTLY ${q(name)} ON ${tbl} (${q(col)}, ${keys})${include}${where};`;
  const drop = u.kind === 'constraint'
    ? `ALTER TABLE ${tbl} DROP CONSTRAINT ${q(u.name)};`
    : `DROP INDEX CONCURRENTLY ${qualified(t.schema, u.name)};`;
  // Prisma names its @unique keys Table_col_key, Drizzle table_col_unique: the ORM schema owns them.
  const orm = /_key$|_unique$/.test(u.name)
    ? `\n-- ${u.name} looks ORM-managed (Prisma @unique / Drizzle .unique()): change it in the ORM schema too, or its next migration recreates it;` +
      `\n-- if it is unique across all tenants by design, declare it instead: --global-uniques ${t.schema}.${t.table}.${u.keys[0] ?? ''}`
    : '';
  return `${create}\n${drop}${orm}`;
}

/**
 * The columns of the UNIQUE keys by which another table owns each table 1:1 (reverse path steps),
 * per table "schema\0table": worked out once per model (a per-table walk of every table's path
 * made 1,000 tables a million steps).
 */
const ownerKeysByModel = new WeakMap<TenancyModel, Map<string, string[][]>>();
function ownerKeysOf(model: TenancyModel, t: TableInfo): string[][] {
  let byTable = ownerKeysByModel.get(model);
  if (!byTable) {
    byTable = new Map();
    for (const o of model.tables) {
      for (const s of o.tenantPath ?? []) {
        if (!s.reverse) continue;
        const k = `${s.refSchema}\0${s.refTable}`;
        byTable.set(k, [...(byTable.get(k) ?? []), s.refColumns]);
      }
    }
    ownerKeysByModel.set(model, byTable);
  }
  return byTable.get(`${t.schema}\0${t.table}`) ?? [];
}

/** The check. Keys declared globally unique (--global-uniques, the profile) are reported as accepted. */
export const unscopedUnique: ModelCheck = {
  id: 'unscoped-unique', severity: 'error', kind: 'catalog', title: 'Unique key not scoped by tenant',
  why: "A unique key without the tenant column lets one tenant's data block another's, and reveals that the value exists.",
  finds: 'a unique constraint or unique index (not the primary key) whose key columns leave out the tenant column',
  needs: 'model',
  find({ model }, t) {
    const col = t.role === 'tenant' ? t.tenantColumn : null;
    if (!col) return [];
    // The UNIQUE key of a FK that owns a table 1:1 (Org.settingsId) is that table's tenant path, not a leak.
    const ownerKeys = ownerKeysOf(model, t);
    const isOwnerKey = (keys: string[]) => ownerKeys.some((k) => k.length === keys.length && k.every((c) => keys.includes(c)));
    return t.uniqueKeys.filter((u) => !u.primary && u.valid && !uniqueIsScoped(u.keys, u.keyIsColumn, col.name) && !isOwnerKey(u.keys)).map((u) => {
      const declared = u.keys.length === 1 && u.keyIsColumn[0]
        ? model.globalUniques.find((g) => g.schema === t.schema && g.table === t.table && g.column === u.keys[0]) : undefined;
      return finding('unscoped-unique', t, {
        constraint: u.name,
        message: `${t.schema}.${t.table}: unique ${u.kind} ${u.name} on (${u.keys.join(', ')}) does not include ${col.name}${declared ? ' (declared globally unique)' : ''}`,
        sql: indexEvidence(t),
        remedy: declared ? null : scopedUniqueRemedy(t, col.name, u),
        ...(declared ? { accepted: `declared globally unique: ${declared.declaredBy === '--global-uniques' ? '--global-uniques' : `${declared.declaredBy} tenancy.globalUniques`} ${t.schema}.${t.table}.${u.keys[0]}` } : {}),
      });
    });
  },
};
