/**
 * Find a tenant the way a support engineer is told about it: by its id, or by a piece of its name
 * or slug ("acme"). Values bound, identifiers quoted; at most `limit` matches, ids first.
 */
import type { TenantMatch, TenantSearch } from '../../../shared/tenant.js';
import type { TenancyModel } from '../../../shared/model.js';
import { UserError } from '../errors.js';
import { qualified, quoteIdent } from '../ident.js';
import { requireCompleteModel } from '../model/load.js';
import type { Session } from '../session.js';

/** The tenant table's name and slug columns (either may be missing). */
export function tenantLabelColumns(model: TenancyModel): { name: string | null; slug: string | null } {
  const tt = model.tenantTable;
  if (!tt) return { name: null, slug: null };
  const info = model.tables.find((t) => t.schema === tt.schema && t.table === tt.table);
  const slug = info?.columns.includes('slug') && tt.nameColumn !== 'slug' ? 'slug' : null;
  return { name: tt.nameColumn, slug };
}

/** Escape LIKE wildcards so the operator's text matches literally. */
export function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Tenants whose id is `query`, or whose name or slug contains it (case-insensitive). */
export async function findTenants(session: Session, model: TenancyModel, query: string, limit = 20): Promise<TenantSearch> {
  requireCompleteModel(model);
  const text = query.trim();
  if (!text) throw new UserError('type a tenant id, or part of its name or slug', 'usage');
  const tt = model.tenantTable;
  const { name, slug } = tenantLabelColumns(model);
  const key = `t.${quoteIdent(tt.keyColumn)}::text`;
  const nameSql = name ? `t.${quoteIdent(name)}::text` : 'NULL::text';
  const slugSql = slug ? `t.${quoteIdent(slug)}::text` : 'NULL::text';
  const { rows } = await session.query<{ id: string; name: string | null; slug: string | null; by: TenantMatch['matchedBy'] }>(
    `SELECT ${key} AS id, ${nameSql} AS name, ${slugSql} AS slug, ` +
      `CASE WHEN ${key} = $1 THEN 'id' WHEN ${nameSql} ILIKE $2 THEN 'name' ELSE 'slug' END AS by ` +
      `FROM ${qualified(tt.schema, tt.table)} t ` +
      `WHERE ${key} = $1 OR ${nameSql} ILIKE $2 OR ${slugSql} ILIKE $2 ` +
      `ORDER BY (${key} = $1) DESC, (lower(${nameSql}) = lower($1) OR lower(${slugSql}) = lower($1)) DESC, 2, 1 LIMIT $3`,
    [text, likeContaining(text), limit + 1],
  );
  return {
    query: text,
    matches: rows.slice(0, limit).map((r) => ({ id: r.id, name: r.name, slug: r.slug, matchedBy: r.by })),
    truncated: rows.length > limit,
  };
}

/** The one tenant with this id (exactly), or a UserError naming what to give. */
export async function requireTenant(session: Session, model: TenancyModel, id: string): Promise<Omit<TenantMatch, 'matchedBy'>> {
  requireCompleteModel(model);
  const tt = model.tenantTable;
  const { name, slug } = tenantLabelColumns(model);
  const { rows } = await session.query<{ id: string; name: string | null; slug: string | null }>(
    `SELECT t.${quoteIdent(tt.keyColumn)}::text AS id, ${name ? `t.${quoteIdent(name)}::text` : 'NULL::text'} AS name, ` +
      `${slug ? `t.${quoteIdent(slug)}::text` : 'NULL::text'} AS slug FROM ${qualified(tt.schema, tt.table)} t ` +
      `WHERE t.${quoteIdent(tt.keyColumn)}::text = $1`,
    [id],
  );
  if (!rows[0]) throw new UserError(`tenant "${id}" is not in ${tt.schema}.${tt.table}; search by name or slug to find its id`, 'usage');
  return rows[0];
}

/**
 * The id of the tenant a person named: its id exactly, else the one tenant whose name or slug is
 * this text (case-insensitive). No match, or several, is a UserError that lists what to give.
 */
export async function resolveTenantId(session: Session, model: TenancyModel, text: string): Promise<string> {
  requireCompleteModel(model);
  const tt = model.tenantTable;
  const given = text.trim();
  const { name, slug } = tenantLabelColumns(model);
  const key = `t.${quoteIdent(tt.keyColumn)}::text`;
  const nameSql = name ? `t.${quoteIdent(name)}::text` : 'NULL::text';
  const slugSql = slug ? `t.${quoteIdent(slug)}::text` : 'NULL::text';
  const { rows } = await session.query<{ id: string; name: string | null; slug: string | null; exact: boolean }>(
    `SELECT ${key} AS id, ${nameSql} AS name, ${slugSql} AS slug, ${key} = $1 AS exact FROM ${qualified(tt.schema, tt.table)} t ` +
      `WHERE ${key} = $1 OR lower(${nameSql}) = lower($1) OR lower(${slugSql}) = lower($1) ORDER BY 4 DESC, 1 LIMIT 21`,
    [given],
  );
  const byId = rows.find((r) => r.exact);
  if (byId) return byId.id;
  const where = `${tt.schema}.${tt.table}`;
  if (rows.length === 0) {
    throw new UserError(`tenant "${given}" is not in ${where}: no id${name ? `, ${name}` : ''}${slug ? ` or ${slug}` : ''} is "${given}"; give its id`, 'usage');
  }
  if (rows.length > 1) {
    const listed = rows.slice(0, 20).map((r) => `${r.id} (${[r.name, r.slug].filter((v) => v !== null).join(', ')})`).join('; ');
    throw new UserError(`tenant "${given}" is ambiguous: ${rows.length > 20 ? 'more than 20' : rows.length} tenants in ${where} are named so: ${listed}; give its id`, 'usage');
  }
  return rows[0]!.id;
}
