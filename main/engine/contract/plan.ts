/**
 * Generate the contract statements for one table from the model. Each change takes the path that
 * holds the strongest lock for the shortest time:
 * - NOT NULL: CHECK (col IS NOT NULL) NOT VALID -> VALIDATE -> SET NOT NULL (no scan) -> DROP CHECK
 * - scoped unique: CREATE UNIQUE INDEX CONCURRENTLY (tenant, keys) -> attach as the constraint in
 *   the same statement that drops the old one (or DROP INDEX CONCURRENTLY for a bare index)
 * - defaults: DROP DEFAULT on the tenant column
 * - fk: FK to the tenant table, and composite (tenant, id) FKs to tenant-scoped parents (with the
 *   parent's unique (tenant, id) first), each NOT VALID then VALIDATE
 * - rls: ENABLE, FORCE, and a tenant policy (RESTRICTIVE when permissive policies exist, so the
 *   existing per-user rules still apply and are now also scoped by tenant)
 */
import pg from 'pg';
import type { ContractStatement, ContractStep } from '../../../shared/contract-steps.js';
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import { UserError } from '../errors.js';
import { qualified, quoteIdent, quoteList } from '../ident.js';
import { constraintKey, indexKey, type ContractCatalog } from './catalog.js';

/** Settings for the RLS step. */
export interface ContractOptions {
  /** The setting the tenant policy reads (default app.tenant_id). */
  rlsSetting?: string;
  /** Role the tenant policy applies to (default PUBLIC). */
  rlsRole?: string;
  /** What an interrupted earlier run left in the catalogs: resume from it (see catalog.ts). */
  catalog?: ContractCatalog;
}

/** A PostgreSQL identifier of at most 63 bytes built from parts. */
export function derivedName(...parts: string[]): string {
  let name = parts.join('_');
  while (Buffer.byteLength(name) > 63) name = name.slice(0, -1);
  return name;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Find a table of the model by schema.table. */
export function modelTable(model: TenancyModel, schema: string, table: string): TableInfo {
  const t = model.tables.find((x) => x.schema === schema && x.table === table);
  if (!t) throw new UserError(`${schema}.${table} is not in the model; check --table and --schema`, 'usage');
  return t;
}

function tenantColumnOf(t: TableInfo): string {
  if (!t.tenantColumn) throw new UserError(`${t.schema}.${t.table} has no tenant column; add it and backfill it before contracting`, 'usage');
  return t.tenantColumn.name;
}

/** The statements of one step for table `t`, and notes on what was left alone. */
export function contractStatements(
  model: TenancyModel, t: TableInfo, step: ContractStep, opts: ContractOptions = {},
): { statements: ContractStatement[]; notes: string[]; lintContext: string[] } {
  const col = tenantColumnOf(t);
  const tbl = qualified(t.schema, t.table);
  const out: ContractStatement[] = [];
  const notes: string[] = [];
  /** What the catalog already holds, as the statements that made it: lint reads the plan after them. */
  const lintContext: string[] = [];
  const add = (sql: string, why: string, outsideTransaction = false) => out.push({ step, sql, why, outsideTransaction });
  switch (step) {
    case 'defaults':
      if (t.tenantColumn!.default !== null) add(`ALTER TABLE ${tbl} ALTER COLUMN ${quoteIdent(col)} DROP DEFAULT`, `drop the bootstrap default ${t.tenantColumn!.default}: inserts without a tenant must fail`);
      break;
    case 'not-null': {
      const checkName = derivedName(t.table, col, 'not_null');
      const check = quoteIdent(checkName);
      // Only a CHECK counts: PostgreSQL 18 keeps NOT NULL itself as a constraint named <table>_<column>_not_null too.
      const found = opts.catalog?.constraints.get(constraintKey(t.schema, t.table, checkName));
      const left = found?.type === 'c' ? found : undefined;
      if (!t.tenantColumn!.nullable) {
        if (left) add(`ALTER TABLE ${tbl} DROP CONSTRAINT ${check}`, 'finish an interrupted run: the column is NOT NULL already and the helper check is redundant');
        break;
      }
      if (t.partitioned) {
        add(`ALTER TABLE ${tbl} ALTER COLUMN ${quoteIdent(col)} SET NOT NULL`, 'partitioned table: SET NOT NULL scans each partition under its lock (CHECK NOT VALID is not supported on partitioned tables)');
        notes.push(`${t.schema}.${t.table} is partitioned: SET NOT NULL scans every partition while holding ACCESS EXCLUSIVE; run it in the window`);
        break;
      }
      if (left) {
        lintContext.push(`ALTER TABLE ${tbl} ADD CONSTRAINT ${check} CHECK (${quoteIdent(col)} IS NOT NULL) NOT VALID`);
        if (left.validated) lintContext.push(`ALTER TABLE ${tbl} VALIDATE CONSTRAINT ${check}`);
      }
      if (left) notes.push(`${checkName} exists already (${left.validated ? 'validated' : 'NOT VALID'}, left by an interrupted run): ${left.validated ? 'kept' : 'validated'}, not re-created`);
      else add(`ALTER TABLE ${tbl} ADD CONSTRAINT ${check} CHECK (${quoteIdent(col)} IS NOT NULL) NOT VALID`, 'a NOT VALID check takes its lock for an instant, no scan');
      if (!left?.validated) add(`ALTER TABLE ${tbl} VALIDATE CONSTRAINT ${check}`, 'validate scans under SHARE UPDATE EXCLUSIVE: reads and writes go on');
      add(`ALTER TABLE ${tbl} ALTER COLUMN ${quoteIdent(col)} SET NOT NULL`, 'the validated check proves it: no second scan');
      add(`ALTER TABLE ${tbl} DROP CONSTRAINT ${check}`, 'the check is redundant now');
      break;
    }
    case 'unique':
      for (const u of t.uniqueKeys) {
        if (u.primary || u.keys.some((k, i) => u.keyIsColumn[i] && k === col)) continue;
        if (!u.keyIsColumn.every(Boolean)) {
          notes.push(`${u.name}: expression key (${u.definition}); rewrite it with the tenant column by hand`);
          continue;
        }
        const newName = derivedName(u.name.replace(/_(key|unique|idx)$/, ''), 'tenant', 'key');
        const cols = quoteList([col, ...u.keys]);
        const include = u.include.length ? ` INCLUDE (${quoteList(u.include)})` : '';
        const where = u.predicate ? ` WHERE ${u.predicate}` : '';
        const existing = t.uniqueKeys.find((x) => x.name === newName);
        if (existing && !existing.valid) add(`DROP INDEX CONCURRENTLY IF EXISTS ${qualified(t.schema, newName)}`, `${newName} is INVALID (an interrupted build): drop it first`, true);
        if (!existing || !existing.valid) {
          add(`CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(newName)} ON ${tbl} (${cols})${include}${where}`, `build (${[col, ...u.keys].join(', ')}) without blocking writes`, true);
        }
        if (u.kind === 'constraint' && !u.predicate) {
          add(`ALTER TABLE ${tbl} DROP CONSTRAINT ${quoteIdent(u.name)}, ADD CONSTRAINT ${quoteIdent(newName)} UNIQUE USING INDEX ${quoteIdent(newName)}`, `swap ${u.name} for the scoped constraint in one statement`);
        } else if (u.kind === 'constraint') {
          add(`ALTER TABLE ${tbl} DROP CONSTRAINT ${quoteIdent(u.name)}`, `drop ${u.name}; the scoped partial index enforces it per tenant`);
        } else {
          add(`DROP INDEX CONCURRENTLY ${qualified(t.schema, u.name)}`, `drop ${u.name}; the scoped index enforces it per tenant`, true);
        }
      }
      break;
    case 'fk':
      fkStatements(model, t, col, add, notes, opts.catalog);
      break;
    case 'rls': {
      if (!t.rlsEnabled) add(`ALTER TABLE ${tbl} ENABLE ROW LEVEL SECURITY`, 'policies apply from here');
      if (!t.rlsForced) add(`ALTER TABLE ${tbl} FORCE ROW LEVEL SECURITY`, 'the table owner is held to the policies too');
      // A permissive policy that ignores the tenant (USING (true), user_id = auth.uid()) leaks
      // across tenants even beside a scoped one: a RESTRICTIVE tenant policy closes it.
      const unscopedPermissive = t.policies.some((p) => p.permissive && !p.referencesTenantColumn);
      const scopedRestrictive = t.policies.some((p) => !p.permissive && p.referencesTenantColumn);
      if (t.policies.length && (!unscopedPermissive || scopedRestrictive)) break;
      const plainName = derivedName(t.table, 'tenant_isolation');
      if (t.policies.some((p) => p.name === plainName)) {
        notes.push(`${t.schema}.${t.table}: a policy named ${plainName} exists already; add the tenant policy by hand`);
        break;
      }
      const setting = opts.rlsSetting ?? 'app.tenant_id';
      const expr = `${quoteIdent(col)} = nullif(current_setting(${pg.escapeLiteral(setting)}, true), '')::${t.tenantColumn!.type}`;
      const restrictive = t.policies.some((p) => p.permissive);
      const name = quoteIdent(plainName);
      add(`CREATE POLICY ${name} ON ${tbl} AS ${restrictive ? 'RESTRICTIVE' : 'PERMISSIVE'} FOR ALL TO ${opts.rlsRole ? quoteIdent(opts.rlsRole) : 'PUBLIC'} USING (${expr}) WITH CHECK (${expr})`,
        restrictive ? 'RESTRICTIVE: the existing policies still apply, and now only within the tenant' : `rows visible only when ${setting} names their tenant`);
      break;
    }
  }
  return { statements: out, notes, lintContext };
}

function fkStatements(
  model: TenancyModel, t: TableInfo, col: string, add: (sql: string, why: string, outside?: boolean) => void, notes: string[], catalog?: ContractCatalog,
): void {
  const tbl = qualified(t.schema, t.table);
  const notValid = t.partitioned ? '' : ' NOT VALID';
  const validate = (name: string, why: string) => { if (!t.partitioned) add(`ALTER TABLE ${tbl} VALIDATE CONSTRAINT ${quoteIdent(name)}`, why); };
  const tt = model.tenantTable;
  // An FK that exists NOT VALID (a VALIDATE that was interrupted, or one added by hand) is validated, never taken as done.
  const notYetValid = (name: string) => {
    const fromCatalog = catalog?.constraints.get(constraintKey(t.schema, t.table, name));
    return fromCatalog ? !fromCatalog.validated : t.foreignKeys.some((f) => f.name === name && !f.validated);
  };
  if (t.tenantForeignKey && notYetValid(t.tenantForeignKey)) {
    validate(t.tenantForeignKey, `${t.tenantForeignKey} exists NOT VALID: validate it (it fails, naming a row, while orphan tenant ids remain)`);
  }
  if (!t.tenantForeignKey && tt) {
    const name = derivedName(t.table, col, 'fkey');
    add(`ALTER TABLE ${tbl} ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${quoteIdent(col)}) REFERENCES ${qualified(tt.schema, tt.table)} (${quoteIdent(tt.keyColumn)})${notValid}`, 'every tenant id must exist in the tenant table');
    validate(name, 'fails, naming a row, while orphan tenant ids remain');
  }
  const parentsDone = new Set<string>();
  for (const fk of t.foreignKeys) {
    if (fk.columns.includes(col)) continue;
    const parent = model.tables.find((x) => x.schema === fk.refSchema && x.table === fk.refTable);
    if (!parent || parent.role !== 'tenant' || parent.tenantColumn?.name !== col) continue;
    const covering = t.foreignKeys.find((o) => o.refSchema === fk.refSchema && o.refTable === fk.refTable && sameSet(o.columns, [col, ...fk.columns]));
    if (covering) {
      if (notYetValid(covering.name)) validate(covering.name, `${covering.name} exists NOT VALID: validate it (it fails while cross-tenant references remain)`);
      continue;
    }
    const refCols = [col, ...fk.refColumns];
    const ptbl = qualified(parent.schema, parent.table);
    const hasUnique = parent.uniqueKeys.some((u) => u.valid && !u.predicate && u.keyIsColumn.every(Boolean) && sameSet(u.keys, refCols))
      || (parent.primaryKey !== null && sameSet(parent.primaryKey, refCols));
    const key = `${parent.schema}.${parent.table}`;
    if (!hasUnique && !parentsDone.has(key)) {
      parentsDone.add(key);
      const uname = derivedName(parent.table, col, ...fk.refColumns, 'key');
      const leftIndex = catalog?.indexes.get(indexKey(parent.schema, uname));
      if (leftIndex && !leftIndex.valid) add(`DROP INDEX CONCURRENTLY IF EXISTS ${qualified(parent.schema, uname)}`, `${uname} is INVALID (an interrupted build): drop it first`, true);
      if (!leftIndex?.valid) add(`CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(uname)} ON ${ptbl} (${quoteList(refCols)})`, `a composite FK needs unique (${refCols.join(', ')}) on the parent`, true);
      if (!catalog?.constraints.has(constraintKey(parent.schema, parent.table, uname))) {
        add(`ALTER TABLE ${ptbl} ADD CONSTRAINT ${quoteIdent(uname)} UNIQUE USING INDEX ${quoteIdent(uname)}`, 'attach the index as a constraint');
      }
    }
    const name = derivedName(fk.name, 'tenant');
    add(`ALTER TABLE ${tbl} ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${quoteList([col, ...fk.columns])}) REFERENCES ${ptbl} (${quoteList(refCols)})${notValid}`,
      `a child row and its parent (${fk.name}) must share the tenant`);
    validate(name, 'fails while cross-tenant references remain');
    notes.push(`${fk.name} stays: the composite FK adds the tenant rule, the original keeps its ON DELETE behaviour`);
  }
}
