/**
 * `isolation-leak`: probe: as the app role with the tenant setting set to tenant T (on Supabase: as
 * a member of T), rows not T's (not any of the member's tenants') are visible, in a tenant table
 * or a partition, view or materialized view of one.
 */
import pg from 'pg';
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type ProbeCheck } from '../check-module.js';
import { impersonation, otherTenant, tenantLiteral, type ProbeOptions, type ProbeTarget } from '../isolation.js';

/** Evidence: the probe itself, rolled back. */
export function probeEvidence(t: ProbeTarget, opts: ProbeOptions): string {
  const lit = (sql: string, params: string[]) => sql.replace(/\$(\d+)/g, (_m, i: string) => pg.escapeLiteral(params[Number(i) - 1]!));
  return [
    'BEGIN READ ONLY;',
    `SET LOCAL ROLE ${quoteIdent(opts.role)};`,
    ...impersonation(opts).map((s) => `${lit(s.sql, s.params)};`),
    `SELECT count(*) FROM ${qualified(t.schema, t.name)} c WHERE ${otherTenant(t, tenantLiteral(opts), opts)};`,
    'ROLLBACK;',
  ].join('\n');
}

function remedy(t: ProbeTarget, opts: ProbeOptions): string {
  const rel = qualified(t.schema, t.name);
  const compare = opts.member
    ? `every policy must limit ${t.base.tenantColumn!.name} to the caller's memberships (auth.uid() in ${opts.member.membership})`
    : `every policy must compare ${t.column} with current_setting(${pg.escapeLiteral(opts.setting ?? '')})`;
  switch (t.kind) {
    case 'partition':
      return `REVOKE ALL ON ${rel} FROM ${quoteIdent(opts.role)};  -- read through ${qualified(t.base.schema, t.base.table)}, whose policies apply; or ENABLE and FORCE RLS on the partition with the parent's policies`;
    case 'view':
      return `ALTER VIEW ${rel} SET (security_invoker = true);  -- policies then apply as the reader (PostgreSQL 15+); before 15: REVOKE, or filter by tenant in the view`;
    case 'materialized view':
      return `REVOKE ALL ON ${rel} FROM ${quoteIdent(opts.role)};  -- a materialized view has no RLS; expose it through a view WITH (security_invoker = true) that filters by tenant`;
    default:
      return t.base.rlsEnabled
        ? `-- review the policies of ${t.schema}.${t.name}; ${t.base.rlsForced ? '' : 'force RLS if the role owns the table; '}${compare}`
        : `ALTER TABLE ${rel} ENABLE ROW LEVEL SECURITY;  -- then add a tenant policy`;
  }
}

/** Who the probe was, in words. */
function who(opts: ProbeOptions): string {
  if (!opts.member) return `as ${opts.role} with ${opts.setting} = ${opts.tenant}`;
  const m = opts.member;
  if (m.tenants.length === 0) return `as ${opts.role} (no user signed in)`;
  const others = m.tenants.length > 1 ? ` (and of ${m.tenants.length - 1} more, whose rows are theirs to see)` : '';
  return `as ${opts.role} user ${m.userId}, a member of ${opts.tenant}${others} in ${m.membership}`;
}

/** The check. */
export const isolationLeak: ProbeCheck = {
  id: 'isolation-leak', severity: 'error', kind: 'probe', title: 'Other tenants visible to the app role',
  why: 'As the application role with the tenant setting set to one tenant, rows of other tenants are visible.',
  finds: 'probe: as the app role with the tenant setting set to tenant T (on Supabase: as a member of T), rows not belonging to T (to none of the member\'s tenants) are visible, in a tenant table or a partition, view or materialized view of one',
  needs: 'probe',
  find(opts, { target: t, count, sample }) {
    const rel = t.kind === 'table' ? `${t.schema}.${t.name}` : `${t.schema}.${t.name} (${t.kind} of ${t.base.schema}.${t.base.table})`;
    const whose = opts.member ? 'tenants the member does not belong to' : 'other tenants';
    return finding('isolation-leak', { schema: t.schema, table: t.name }, {
      column: t.column,
      count,
      sample,
      message: `${rel}: ${who(opts)}, ${count} rows of ${whose} (or no tenant) are visible`,
      sql: probeEvidence(t, opts),
      remedy: remedy(t, opts),
    });
  },
};
