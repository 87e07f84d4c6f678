/**
 * A tenant's rows, page by page: keyset paging on the primary key (ctid where there is none), so
 * page 500 costs what page 1 does; filters on columns compared as text with the value bound;
 * every identifier quoted and every column name checked against the model first.
 */
import { TenantRowsRequestSchema, type RowFilter, type TenantRowsPage, type TenantRowsRequest } from '../../../shared/tenant.js';
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import { keyCompare } from '../checks/run.js';
import { fkJoin } from '../checks/statements.js';
import { UserError } from '../errors.js';
import { qualified, quoteIdent } from '../ident.js';
import { requireCompleteModel } from '../model/load.js';
import type { Session } from '../session.js';
import { footprintTables, parentLinks, strayTenantSql, tenantIs } from './footprint.js';
import { likeContaining } from './find.js';

const q = quoteIdent;

/** The table as the model knows it, or a UserError naming the tables there are. */
export function footprintTable(model: TenancyModel, schema: string, table: string): TableInfo {
  const t = footprintTables(model).find((x) => x.schema === schema && x.table === table);
  if (!t) throw new UserError(`${schema}.${table} is not a tenant or scoped table of this database`, 'usage');
  return t;
}

/** One filter as SQL over alias c, its value pushed onto `params`. */
export function filterSql(t: TableInfo, f: RowFilter, params: unknown[]): string {
  if (!t.columns.includes(f.column)) throw new UserError(`${t.schema}.${t.table} has no column "${f.column}"`, 'usage');
  const col = `c.${q(f.column)}`;
  if (f.op === 'is-null') return `${col} IS NULL`;
  if (f.op === 'not-null') return `${col} IS NOT NULL`;
  if (f.value === undefined) throw new UserError(`the filter on ${f.column} needs a value`, 'usage');
  params.push(f.op === 'contains' ? likeContaining(f.value) : f.value);
  return f.op === 'contains' ? `${col}::text ILIKE $${params.length}` : `${col}::text = $${params.length}`;
}

/** One page of a tenant's rows (or of the stray rows hanging off its rows), every value as text. */
export async function browseTenantRows(session: Session, model: TenancyModel, input: TenantRowsRequest): Promise<TenantRowsPage> {
  requireCompleteModel(model);
  const req = TenantRowsRequestSchema.parse(input);
  const t = footprintTable(model, req.schema, req.table);
  const cmp = keyCompare(session, model);
  const params: unknown[] = [req.tenant];
  let from: string;
  const where: string[] = [];
  if (req.scope.kind === 'tenant') {
    const own = tenantIs(model, t, 'c', 'j', '$1', cmp)!;
    from = `${qualified(t.schema, t.table)} c${own.joins}`;
    where.push(own.where);
  } else {
    const constraint = req.scope.constraint;
    const link = parentLinks(model, t).find((l) => l.fk.name === constraint);
    if (!link) throw new UserError(`${t.schema}.${t.table} has no foreign key "${constraint}" to a tenant's rows`, 'usage');
    const owner = tenantIs(model, link.parent, 'p', 'k', '$1', cmp)!;
    from = `${qualified(t.schema, t.table)} c JOIN ${qualified(link.parent.schema, link.parent.table)} p ON ${fkJoin(link.fk)}${owner.joins}`;
    where.push(owner.where, strayTenantSql(model, t, cmp).stray);
  }
  for (const f of req.filters) where.push(filterSql(t, f, params));
  const key = t.primaryKey && t.primaryKey.length > 0 ? t.primaryKey : ['ctid'];
  const keyExpr = key.map((k) => (k === 'ctid' ? 'c.ctid' : `c.${q(k)}`));
  if (req.after) {
    if (req.after.length !== key.length || req.after.some((v) => v === null)) throw new UserError('the page cursor does not match the table\'s key; start from the first page', 'usage');
    const marks = req.after.map((v) => {
      params.push(v);
      return key[0] === 'ctid' ? `$${params.length}::tid` : `$${params.length}`;
    });
    where.push(`(${keyExpr.join(', ')}) > (${marks.join(', ')})`);
  }
  const select = [
    ...key.filter((k) => k === 'ctid').map(() => 'c.ctid::text AS ctid'),
    ...t.columns.map((c) => `c.${q(c)}::text AS ${q(c)}`),
  ];
  params.push(req.limit + 1);
  const sql = `SELECT ${select.join(', ')} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${keyExpr.join(', ')} LIMIT $${params.length}`;
  const { rows } = await session.query<Record<string, string | null>>(sql, params);
  const page = rows.slice(0, req.limit);
  const last = page.at(-1);
  return {
    schema: t.schema,
    table: t.table,
    columns: [...(key[0] === 'ctid' ? ['ctid'] : []), ...t.columns],
    key,
    rows: page,
    next: rows.length > req.limit && last ? key.map((k) => last[k] ?? null) : null,
    sql,
  };
}
