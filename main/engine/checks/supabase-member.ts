/**
 * On Supabase the application reads as `authenticated` with a JWT naming a user: the isolation
 * probe impersonates a real member of a tenant, found through the membership table (a tenant
 * table with a foreign key to auth.users), and every tenant that user belongs to is theirs to see.
 */
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import { qualified, quoteIdent } from '../ident.js';
import type { Session } from '../session.js';
import type { ProbeMember } from './isolation.js';
import { asKeyType, type KeyCompare } from './tenant-values.js';

/** The membership table and its user column: the tenant table with a one-column FK to auth.users (a name with "member" first). */
export function membershipTable(model: TenancyModel): { table: TableInfo; userColumn: string } | null {
  const found = model.tables.flatMap((t) => {
    if (t.role !== 'tenant' || !t.tenantColumn) return [];
    const fk = t.foreignKeys.find((f) => f.refSchema === 'auth' && f.refTable === 'users' && f.columns.length === 1);
    return fk ? [{ table: t, userColumn: fk.columns[0]! }] : [];
  });
  const rank = (x: { table: TableInfo }) => (/member/i.test(x.table.table) ? 0 : 1);
  found.sort((a, b) => rank(a) - rank(b) || a.table.columns.length - b.table.columns.length || a.table.table.localeCompare(b.table.table));
  return found[0] ?? null;
}

/**
 * The member to impersonate: a member of `tenant` (default: the lowest tenant with a member), the
 * lowest user id among them, and every tenant that user belongs to. With a text `status` column,
 * only 'active' memberships count. Null when no membership row matches.
 */
export async function pickMember(session: Session, model: TenancyModel, cmp: KeyCompare, tenant: string | undefined): Promise<(ProbeMember & { tenant: string }) | null> {
  const m = membershipTable(model);
  if (!m) return null;
  const t = m.table;
  const col = t.tenantColumn!;
  const key = asKeyType(`m.${quoteIdent(col.name)}`, col.type, cmp.keyType, cmp.serverVersionNum);
  const user = `m.${quoteIdent(m.userColumn)}`;
  const active = t.columns.includes('status') ? ` AND m.${quoteIdent('status')}::text = 'active'` : '';
  const from = `FROM ${qualified(t.schema, t.table)} m`;
  const first = tenant
    ? await session.query<{ t: string; u: string }>(`SELECT ${key}::text AS t, ${user}::text AS u ${from} WHERE ${key} = ($1)::${cmp.keyType}${active} ORDER BY 2 LIMIT 1`, [tenant])
    : await session.query<{ t: string; u: string }>(`SELECT ${key}::text AS t, ${user}::text AS u ${from} WHERE ${key} IS NOT NULL AND ${user} IS NOT NULL${active} ORDER BY 1, 2 LIMIT 1`);
  const row = first.rows[0];
  if (!row) return null;
  const all = await session.query<{ t: string }>(`SELECT DISTINCT ${key}::text AS t ${from} WHERE ${user}::text = $1 AND ${key} IS NOT NULL${active} ORDER BY 1`, [row.u]);
  return { tenant: row.t, userId: row.u, claimRole: 'authenticated', tenants: all.rows.map((r) => r.t), membership: `${t.schema}.${t.table}` };
}
