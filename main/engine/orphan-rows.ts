/**
 * The orphan rows themselves, page by page: a tenant table's rows whose tenant value names no
 * tenant (missing from the tenant table, or not a valid key), their key and tenant value as text.
 * Keyset paging on the primary key (ctid where there is none); identifiers quoted, values bound.
 */
import type { TenancyModel } from '../../shared/model.js';
import { OrphanRowsRequestSchema, type OrphanRowsPage, type OrphanRowsRequest } from '../../shared/orphans.js';
import { asKeyType } from './checks/tenant-values.js';
import { UserError } from './errors.js';
import { qualified, quoteIdent } from './ident.js';
import { requireCompleteModel } from './model/load.js';
import type { Session } from './session.js';

const q = quoteIdent;

/** One page of the orphan rows of one tenant table. */
export async function browseOrphanRows(session: Session, model: TenancyModel, input: OrphanRowsRequest): Promise<OrphanRowsPage> {
  requireCompleteModel(model);
  const req = OrphanRowsRequestSchema.parse(input);
  const tt = model.tenantTable;
  const t = model.tables.find((x) => x.schema === req.schema && x.table === req.table);
  if (!t || t.role !== 'tenant' || !t.tenantColumn) throw new UserError(`${req.schema}.${req.table} is not a tenant table with its own tenant column`, 'usage');
  const col = t.tenantColumn.name;
  const value = asKeyType(`c.${q(col)}`, t.tenantColumn.type, tt.keyType, session.fingerprint.serverVersionNum);
  const key = t.primaryKey && t.primaryKey.length > 0 ? t.primaryKey : ['ctid'];
  const keyExpr = key.map((k) => (k === 'ctid' ? 'c.ctid' : `c.${q(k)}`));
  const params: unknown[] = [];
  const where = [
    `c.${q(col)} IS NOT NULL`,
    `NOT EXISTS (SELECT FROM ${qualified(tt.schema, tt.table)} o WHERE o.${q(tt.keyColumn)} = ${value})`,
  ];
  if (req.after) {
    if (req.after.length !== key.length || req.after.some((v) => v === null)) throw new UserError('the page cursor does not match the table\'s key; start from the first page', 'usage');
    const marks = req.after.map((v) => {
      params.push(v);
      return key[0] === 'ctid' ? `$${params.length}::tid` : `$${params.length}`;
    });
    where.push(`(${keyExpr.join(', ')}) > (${marks.join(', ')})`);
  }
  const columns = [...key, ...(key.includes(col) ? [] : [col])];
  const select = columns.map((c) => (c === 'ctid' ? 'c.ctid::text AS ctid' : `c.${q(c)}::text AS ${q(c)}`));
  params.push(req.limit + 1);
  const sql = `SELECT ${select.join(', ')} FROM ${qualified(t.schema, t.table)} c WHERE ${where.join(' AND ')} ORDER BY ${keyExpr.join(', ')} LIMIT $${params.length}`;
  const { rows } = await session.query<Record<string, string | null>>(sql, params);
  const page = rows.slice(0, req.limit);
  const last = page.at(-1);
  return {
    schema: t.schema, table: t.table, tenantColumn: col, key, rows: page,
    next: rows.length > req.limit && last ? key.map((k) => last[k] ?? null) : null,
  };
}
