/**
 * unique-without-tenant: a unique key that leaves out the tenant column stops two tenants from
 * having the same value. Only for tables known to have a tenant column (the profile's or
 * `--tenant-column`'s names, in any case style: tenant_id / tenantId), from this file or an earlier
 * migration of the folder; skipped when nothing says the table has one. Also json columns of new
 * tables.
 */
import { quoteIdent, quoteList } from '../ident.js';
import { cmdsOf, constraintOf, normalizeColumn, tenantColumnOf, type RuleContext, type RuleHit } from './lint-facts.js';
import { sourceOf, spliceTokens, tableSql, typeSql, typeTokens, type RangeVar, type StatementSource } from './lint-sql.js';
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
  const src = sourceOf(s.text);
  return uniqueHit(t, n.relation, keys, ctx, (tenant) => {
    const firstLoc = (src?.node.indexParams as { IndexElem?: PgNode }[] | undefined)?.[0];
    if (!src || !firstLoc) return null;
    // The first key element's first token: the token after the '(' that opens the key list.
    const rel = (src.node.relation as RangeVar).location ?? 0;
    let i = src.tokenAt(rel);
    while (i < src.tokens.length && src.tokens[i]!.text !== '(') i += 1;
    const edits = [{ from: i + 1, to: i + 1, text: `${quoteIdent(tenant)},` }];
    const at = src.tokens.findIndex((tok, k) => k < 3 && tok.text.toUpperCase() === 'INDEX');
    const concurrently = !n.concurrent && !ctx.facts.created.has(t) && at >= 0;
    if (concurrently) edits.unshift({ from: at + 1, to: at + 1, text: 'CONCURRENTLY' });
    return `${spliceTokens(src, 0, src.tokens.length, edits)};${concurrently ? '\n-- in a migration of its own: it cannot run inside a transaction' : ''}`;
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

/** Token index of the ')' that closes CREATE TABLE's element list. */
function closingParen(src: StatementSource): number {
  let i = src.tokenAt((src.node.relation as RangeVar).location ?? 0);
  while (i < src.tokens.length && src.tokens[i]!.text !== '(') i += 1;
  let depth = 0;
  for (; i < src.tokens.length; i += 1) {
    if (src.tokens[i]!.text === '(') depth += 1;
    if (src.tokens[i]!.text === ')' && --depth === 0) return i;
  }
  return src.tokens.length - 1;
}

/** CREATE TABLE: UNIQUE keys without the tenant column the table has; json columns. */
export function createTableRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const t = relationKey(s.node.relation);
  if (!t) return [];
  const hits: RuleHit[] = [];
  const src = sourceOf(s.text);
  const elts = (src?.node.tableElts as PgNode[] | undefined) ?? [];
  for (const el of elts) {
    const con = el.Constraint as { contype?: string; keys?: unknown; location?: number } | undefined;
    if (con?.contype === 'CONSTR_UNIQUE' && src && con.location !== undefined) {
      const keys = stringList(con.keys);
      const at = src.tokenAt(con.location);
      let open = at;
      while (open < src.tokens.length && src.tokens[open]!.text !== '(') open += 1;
      hits.push(...uniqueHit(t, s.node.relation, keys, ctx, (tenant) => `${spliceTokens(src, 0, src.tokens.length, [{ from: open + 1, to: open + 1, text: `${quoteIdent(tenant)},` }])};`, 'unique constraint'));
    }
    const col = el.ColumnDef as { colname?: string; typeName?: { names?: unknown; location?: number }; constraints?: { Constraint?: { contype?: string; location?: number } }[] } | undefined;
    if (!col?.colname || !src) continue;
    const uq = (col.constraints ?? []).map((x) => x.Constraint).find((x) => x?.contype === 'CONSTR_UNIQUE');
    if (uq?.location !== undefined) {
      const at = src.tokenAt(uq.location);
      const close = closingParen(src);
      hits.push(...uniqueHit(t, s.node.relation, [col.colname], ctx, (tenant) => `${spliceTokens(src, 0, src.tokens.length, [
        { from: at, to: at + 1, text: '' },
        { from: close, to: close, text: `, UNIQUE (${quoteList([tenant, col.colname!])})` },
      ])};`, 'unique column'));
    }
    if (stringList(col.typeName?.names).filter((n) => n !== 'pg_catalog').join('.') === 'json' && col.typeName?.location !== undefined) {
      const [a, b] = typeTokens(src, col.typeName.location);
      hits.push({
        rule: 'json-column',
        message: `column ${col.colname} is json: json has no equality operator, so DISTINCT, UNION and GROUP BY on rows with it fail; jsonb is what you want`,
        rewrite: `${spliceTokens(src, 0, src.tokens.length, [{ from: a, to: b, text: typeSql({ ...col.typeName, names: [{ String: { sval: 'jsonb' } }] }) }])};`,
      });
    }
  }
  return hits;
}
