/**
 * Evidence and remedy SQL shown with findings: runnable text with every identifier quoted.
 * The engine never executes remedies; the operator reviews and runs them (or a runbook step does).
 */
import pg from 'pg';
import type { ForeignKey, TableInfo, TenantTable, UniqueKey } from '../../../shared/model.js';
import { qualified, quoteIdent, quoteList } from '../ident.js';
import { asKeyType, sameType, tenantsDiffer, type KeyCompare } from './tenant-values.js';

const q = quoteIdent;

/** Columns that identify a row in samples: the primary key, else ctid. */
export function sampleKey(t: TableInfo): string[] {
  return t.primaryKey && t.primaryKey.length > 0 ? t.primaryKey : ['ctid'];
}

/** SELECT list of the sample key as text, aliased by name, prefixed with a table alias. */
export function sampleSelect(t: TableInfo, alias: string, prefix = ''): string {
  return sampleKey(t).map((c) => `${alias}.${c === 'ctid' ? 'ctid' : q(c)}::text AS ${q(prefix + c)}`).join(', ');
}

/** A name for a new constraint or index: base_suffix, trimmed to 63 bytes. */
export function derivedName(base: string, suffix: string): string {
  let name = `${base}_${suffix}`;
  while (Buffer.byteLength(name) > 63) name = name.slice(0, -1);
  return name;
}

/** Evidence: count rows with NULL tenant. */
export function nullRowsEvidence(t: TableInfo, col: string): string {
  return `SELECT count(*) FROM ${qualified(t.schema, t.table)} WHERE ${q(col)} IS NULL;`;
}

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

/** The join condition of an FK between aliases c (child) and p (parent). */
export function fkJoin(fk: ForeignKey): string {
  return fk.columns.map((c, i) => `c.${q(c)} = p.${q(fk.refColumns[i]!)}`).join(' AND ');
}

/** Evidence: child rows whose tenant differs from their parent row's tenant. */
export function crossTenantEvidence(child: TableInfo, parent: TableInfo, fk: ForeignKey, childCol: string, parentCol: string, cmp?: KeyCompare): string {
  return `SELECT count(*) FROM ${qualified(child.schema, child.table)} c\n` +
    `JOIN ${qualified(parent.schema, parent.table)} p ON ${fkJoin(fk)}\n` +
    `WHERE ${tenantsDiffer(child, parent, childCol, parentCol, cmp)};`;
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

/** Remedy for orphan rows: reassign them (or restore the missing tenants), then add the FK. */
export function orphanRemedy(t: TableInfo, col: string, tenant: TenantTable, serverVersionNum: number): string {
  const value = asKeyType(`c.${q(col)}`, t.tenantColumn?.type ?? tenant.keyType, tenant.keyType, serverVersionNum);
  return `UPDATE ${qualified(t.schema, t.table)} c SET ${q(col)} = :'tenant_id'\n` +
    `WHERE c.${q(col)} IS NOT NULL AND NOT EXISTS (SELECT FROM ${qualified(tenant.schema, tenant.table)} o WHERE o.${q(tenant.keyColumn)} = ${value});`;
}

/** Remedy for cross-tenant children: take the parent's tenant (review first: the parent may be the wrong one). */
export function crossTenantRemedy(child: TableInfo, parent: TableInfo, fk: ForeignKey, childCol: string, parentCol: string, cmp?: KeyCompare): string {
  const value = child.tenantColumn && parent.tenantColumn && !sameType(child.tenantColumn.type, parent.tenantColumn.type)
    ? `p.${q(parentCol)}::text::${child.tenantColumn.type}` : `p.${q(parentCol)}`;
  return `UPDATE ${qualified(child.schema, child.table)} c SET ${q(childCol)} = ${value}\n` +
    `FROM ${qualified(parent.schema, parent.table)} p\n` +
    `WHERE ${fkJoin(fk)} AND ${tenantsDiffer(child, parent, childCol, parentCol, cmp)};\n` +
    `-- then make it impossible: a composite FK (${childCol}, ${fk.columns.join(', ')}) -> ${parent.table} (${parentCol}, ${fk.refColumns.join(', ')})`;
}

/** Remedy: add the tenant column with an FK to the tenant table. */
export function addTenantColumnRemedy(t: TableInfo, col: string, tenant: TenantTable | null, keyType: string): string {
  const ref = tenant ? ` REFERENCES ${qualified(tenant.schema, tenant.table)} (${q(tenant.keyColumn)})` : '';
  return `ALTER TABLE ${qualified(t.schema, t.table)} ADD COLUMN ${q(col)} ${keyType}${ref};  -- then backfill, then SET NOT NULL\n` +
    `-- or, if the table is shared by all tenants, declare it global (--global-tables ${t.schema}.${t.table})`;
}

/** Remedy: NOT NULL without a long ACCESS EXCLUSIVE scan (CHECK NOT VALID, VALIDATE, SET NOT NULL). */
export function setNotNullRemedy(t: TableInfo, col: string): string {
  const tbl = qualified(t.schema, t.table);
  const chk = q(derivedName(`${t.table}_${col}`, 'not_null'));
  return [
    `ALTER TABLE ${tbl} ADD CONSTRAINT ${chk} CHECK (${q(col)} IS NOT NULL) NOT VALID;`,
    `ALTER TABLE ${tbl} VALIDATE CONSTRAINT ${chk};`,
    `ALTER TABLE ${tbl} ALTER COLUMN ${q(col)} SET NOT NULL;`,
    `ALTER TABLE ${tbl} DROP CONSTRAINT ${chk};`,
  ].join('\n');
}

/** Remedy: drop the bootstrap default. */
export function dropDefaultRemedy(t: TableInfo, col: string): string {
  return `ALTER TABLE ${qualified(t.schema, t.table)} ALTER COLUMN ${q(col)} DROP DEFAULT;`;
}

/** Remedy: the FK to the tenant table, added NOT VALID then validated. */
export function tenantFkRemedy(t: TableInfo, col: string, tenant: TenantTable): string {
  const tbl = qualified(t.schema, t.table);
  const name = q(derivedName(`${t.table}_${col}`, 'fkey'));
  return `ALTER TABLE ${tbl} ADD CONSTRAINT ${name} FOREIGN KEY (${q(col)}) REFERENCES ${qualified(tenant.schema, tenant.table)} (${q(tenant.keyColumn)}) NOT VALID;\n` +
    `ALTER TABLE ${tbl} VALIDATE CONSTRAINT ${name};`;
}

/** Remedy: validate a NOT VALID constraint (SHARE UPDATE EXCLUSIVE: reads and writes go on). */
export function validateFkRemedy(t: TableInfo, constraint: string): string {
  return `ALTER TABLE ${qualified(t.schema, t.table)} VALIDATE CONSTRAINT ${q(constraint)};  -- fails, naming a row, if an existing row points at a missing tenant: fix those first (see orphan-tenant-rows)`;
}

/** Remedy: a unique key scoped by tenant, built without blocking writes, replacing the unscoped one. */
export function scopedUniqueRemedy(t: TableInfo, col: string, u: UniqueKey): string {
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

/** Remedy: an index leading with the tenant column. */
export function tenantIndexRemedy(t: TableInfo, col: string): string {
  const name = q(derivedName(`${t.table}_${col}`, 'idx'));
  return t.partitioned
    ? `CREATE INDEX ${name} ON ${qualified(t.schema, t.table)} (${q(col)});  -- partitioned: create on each partition CONCURRENTLY first`
    : `CREATE INDEX CONCURRENTLY ${name} ON ${qualified(t.schema, t.table)} (${q(col)});`;
}

/** Remedy: enable / force RLS. */
export function rlsRemedy(t: TableInfo, what: 'ENABLE' | 'FORCE'): string {
  return `ALTER TABLE ${qualified(t.schema, t.table)} ${what} ROW LEVEL SECURITY;`;
}

/** Remedy: a tenant policy reading the tenant setting. */
export function tenantPolicyRemedy(t: TableInfo, col: string, setting: string, keyType: string): string {
  const name = q(derivedName(`${t.table}`, 'tenant_isolation'));
  const expr = `${q(col)} = current_setting(${pg.escapeLiteral(setting)}, true)::${keyType}`;
  return `CREATE POLICY ${name} ON ${qualified(t.schema, t.table)} USING (${expr}) WITH CHECK (${expr});`;
}

/** Evidence for catalog findings: the catalog query an operator can run to see the same fact. */
export function columnEvidence(t: TableInfo, col: string): string {
  return `SELECT column_name, is_nullable, column_default FROM information_schema.columns\n` +
    `WHERE table_schema = ${pg.escapeLiteral(t.schema)} AND table_name = ${pg.escapeLiteral(t.table)} AND column_name = ${pg.escapeLiteral(col)};`;
}

/** Evidence: the table's constraints and indexes. */
export function indexEvidence(t: TableInfo): string {
  return `SELECT indexrelid::regclass, pg_get_indexdef(indexrelid), indisvalid FROM pg_index WHERE indrelid = ${pg.escapeLiteral(qualified(t.schema, t.table))}::regclass;`;
}

/** Evidence: the table's RLS flags and policies. */
export function rlsEvidence(t: TableInfo): string {
  return `SELECT relrowsecurity, relforcerowsecurity, (SELECT array_agg(polname) FROM pg_policy WHERE polrelid = c.oid)\n` +
    `FROM pg_class c WHERE c.oid = ${pg.escapeLiteral(qualified(t.schema, t.table))}::regclass;`;
}

/** Evidence: the table's policies with their expressions. */
export function policyEvidence(t: TableInfo): string {
  return `SELECT polname, pg_get_expr(polqual, polrelid) AS using, pg_get_expr(polwithcheck, polrelid) AS with_check\n` +
    `FROM pg_policy WHERE polrelid = ${pg.escapeLiteral(qualified(t.schema, t.table))}::regclass;`;
}

/** Evidence: the table's foreign keys. */
export function fkEvidence(t: TableInfo): string {
  return `SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND conrelid = ${pg.escapeLiteral(qualified(t.schema, t.table))}::regclass;`;
}
