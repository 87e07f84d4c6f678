/**
 * unique-without-tenant: a unique key that leaves out the tenant column stops two tenants from
 * having the same value. Only for tables known to have a tenant column (the profile's or
 * `--tenant-column`'s names, in any case style: tenant_id / tenantId), from this file or an earlier
 * migration of the folder; skipped when nothing says the table has one. Also json columns of new
 * tables.
 */
import { quoteIdent, quoteList } from '../ident.js';
import { cmdsOf, constraintOf, normalizeColumn, tenantColumnOf, type RuleContext, type RuleHit } from './lint-facts.js';
import { cloneNode, statementSql, stringNodes } from './lint-deparse.js';
import { tableSql, type RangeVar } from './lint-sql.js';
import { relationKey, stringList, type ParsedStatement, type PgNode } from './parse.js';

const TENANT_TABLES = new Set(['organizations', 'organization', 'orgs', 'tenants', 'tenant', 'accounts', 'workspaces']);

function uniqueHit(t: string, relation: unknown, keys: (string | null)[], ctx: RuleContext, rewrite: (tenant: string) => string | null, what: string): RuleHit[] {
  const rel = (relation as RangeVar).relname ?? '';
  if (TENANT_TABLES.has(rel)) return [];
  const tenant = tenantColumnOf(t, ctx);
  if (!tenant) return [];
  const wanted = normalizeColumn(tenant);
  if (keys.some((k) => k && normalizeColumn(k) === wanted)) return [];
  const cols = keys.filter((k): k is string => !!k);
  return [{
    rule: 'unique-without-tenant',
    message: `${what} on ${t} (${cols.join(', ') || 'an expression'}) leaves out the tenant column ${tenant}: two tenants could not have the same value`,
    rewrite: rewrite(tenant),
  }];
}

/** CREATE UNIQUE INDEX: the tenant column put first in the key. */
export function uniqueIndexRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const n = s.node;
  const t = relationKey(n.relation);
  if (!t || !n.unique || n.primary) return [];
  const params = (n.indexParams as { IndexElem?: { name?: string; expr?: unknown } }[] | undefined) ?? [];
  const keys = params.map((p) => p.IndexElem?.name ?? null);
  return uniqueHit(t, n.relation, keys, ctx, (tenant) => {
    const concurrently = !n.concurrent && !ctx.facts.created.has(t);
    const tenantKey = { IndexElem: { name: tenant, ordering: 'SORTBY_DEFAULT', nulls_ordering: 'SORTBY_NULLS_DEFAULT' } };
    const index = { ...cloneNode(n), indexParams: [tenantKey, ...cloneNode(params)], concurrent: n.concurrent || concurrently };
    return `${statementSql('IndexStmt', index)}${concurrently ? '\n-- in a migration of its own: it cannot run inside a transaction' : ''}`;
  }, 'unique index');
}

/** ADD UNIQUE / ADD UNIQUE USING INDEX on an existing table. */
export function uniqueConstraintRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const t = relationKey(s.node.relation);
  if (!t || s.type !== 'AlterTableStmt') return [];
  const out: RuleHit[] = [];
  const rel = s.node.relation as RangeVar;
  for (const c of cmdsOf(s.node)) {
    const con = constraintOf(c);
    if (c.subtype !== 'AT_AddConstraint' || con?.contype !== 'CONSTR_UNIQUE') continue;
    let keys = stringList(con.keys);
    if (con.indexname) {
      const idx = ctx.carry.indexes.get(`${rel.schemaname ?? 'public'}.${con.indexname}`);
      if (!idx) continue;
      keys = idx.keys.filter((k): k is string => !!k);
    }
    const name = con.conname ?? `${rel.relname}_${keys.join('_')}_key`;
    out.push(...uniqueHit(t, rel, keys, ctx, (tenant) => {
      const idx = quoteIdent(`${name}_tenant`);
      return `CREATE UNIQUE INDEX CONCURRENTLY ${idx} ON ${tableSql(rel)} (${quoteList([tenant, ...keys])});  -- in a migration of its own\n-- next migration:\nALTER TABLE ${tableSql(rel)} ADD CONSTRAINT ${quoteIdent(name)} UNIQUE USING INDEX ${idx};`;
    }, con.indexname ? `unique constraint using index ${con.indexname}` : 'unique constraint'));
  }
  return out;
}

/** CREATE TABLE: UNIQUE keys without the tenant column the table has; json columns. */
export function createTableRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const t = relationKey(s.node.relation);
  if (!t) return [];
  const hits: RuleHit[] = [];
  const elts = (s.node.tableElts as PgNode[] | undefined) ?? [];
  /** The CREATE TABLE with element i replaced by `with` (and `extra` appended). */
  const tableWith = (i: number, replacement: PgNode, extra: PgNode[] = []) => {
    const next = cloneNode(elts);
    next[i] = cloneNode(replacement);
    return statementSql('CreateStmt', { ...cloneNode(s.node), tableElts: [...next, ...extra] });
  };
  elts.forEach((el, i) => {
    const con = el.Constraint as { contype?: string; keys?: unknown } | undefined;
    if (con?.contype === 'CONSTR_UNIQUE') {
      const keys = stringList(con.keys);
      hits.push(...uniqueHit(t, s.node.relation, keys, ctx, (tenant) => tableWith(i, { Constraint: { ...con, keys: stringNodes([tenant, ...keys]) } }), 'unique constraint'));
    }
    const col = el.ColumnDef as { colname?: string; typeName?: { names?: unknown }; constraints?: { Constraint?: { contype?: string } }[] } | undefined;
    if (!col?.colname) return;
    const uq = (col.constraints ?? []).find((x) => x.Constraint?.contype === 'CONSTR_UNIQUE');
    if (uq) {
      const withoutUnique = { ColumnDef: { ...col, constraints: (col.constraints ?? []).filter((x) => x !== uq) } };
      hits.push(...uniqueHit(t, s.node.relation, [col.colname], ctx, (tenant) =>
        tableWith(i, withoutUnique, [{ Constraint: { contype: 'CONSTR_UNIQUE', keys: stringNodes([tenant, col.colname!]) } }]), 'unique column'));
    }
    if (stringList(col.typeName?.names).filter((n) => n !== 'pg_catalog').join('.') === 'json') {
      hits.push({
        rule: 'json-column',
        message: `column ${col.colname} is json: json has no equality operator, so DISTINCT, UNION and GROUP BY on rows with it fail; jsonb is what you want`,
        rewrite: tableWith(i, { ColumnDef: { ...col, typeName: { ...col.typeName, names: stringNodes(['jsonb']) } } }),
      });
    }
  });
  return hits;
}
