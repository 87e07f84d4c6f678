/**
 * "Why does this customer see nothing?": count the tenant's rows as the console's role, then, in
 * a read-only transaction that is always rolled back, become the application role with the tenant
 * setting set to the tenant (the isolation probe's mechanism) and count what it sees: the
 * tenant's rows and any other rows. Per table: exist against visible, and the policies that decide.
 */
import pg from 'pg';
import type { TenantVisibility, VisibilityTable } from '../../../shared/tenant.js';
import type { Policy, TableInfo, TenancyModel } from '../../../shared/model.js';
import { keyCompare } from '../checks/run.js';
import { UserError } from '../errors.js';
import { qualified, quoteIdent } from '../ident.js';
import { requireCompleteModel } from '../model/load.js';
import type { Session } from '../session.js';
import { requireTenant } from './find.js';
import { footprintTables, tenantIs } from './footprint.js';

/** Who to impersonate: the application role and the setting its policies read. */
export interface ImpersonateOptions {
  tenant: string;
  role: string;
  setting: string;
  /**
   * A member to be as well (Supabase: the user id auth.uid() returns): sets request.jwt.claim.sub
   * and request.jwt.claims as PostgREST does.
   */
  member?: string;
}

/** The settings PostgREST sets for a signed-in user: what auth.uid() and auth.jwt() read. */
export function memberSettings(member: string, role: string): [string, string][] {
  return [['request.jwt.claim.sub', member], ['request.jwt.claims', JSON.stringify({ sub: member, role })]];
}

/** SELECT policies that apply to `role` (named, or PUBLIC). */
export function selectPolicies(t: TableInfo, role: string): Policy[] {
  return t.policies.filter((p) => (p.command === 'SELECT' || p.command === 'ALL') && (p.roles.includes(role) || p.roles.includes('public')));
}

/** The verdict and the sentence for one table, from the counts and the catalog. */
export function explainTable(
  t: TableInfo, role: string, setting: string, settingValue: string | null,
  counts: { exist: number; visible: number | null; othersVisible: number | null; error?: string },
): Pick<VisibilityTable, 'verdict' | 'why'> {
  const { exist, visible, othersVisible } = counts;
  if (counts.error) return { verdict: 'error', why: `${role} gets an error reading ${t.table} ${`with ${setting} set`}: ${counts.error} (the application sees an error, not rows)` };
  const policies = selectPolicies(t, role);
  const named = policies.map((p) => `${p.name}${p.using ? ` USING (${p.using})` : ''}`).join('; ');
  const read = `with ${setting} = ${settingValue === null || settingValue === '' ? '(empty)' : `'${settingValue}'`}`;
  if (visible === null) return { verdict: 'no-access', why: `${role} may not SELECT from ${t.table}: the application gets "permission denied", not rows; GRANT SELECT to it` };
  if (exist === 0 && (othersVisible ?? 0) === 0) return { verdict: 'no-rows', why: `the tenant has no rows in ${t.table}` };
  if (visible < exist) {
    const verdict = visible === 0 ? 'hidden' : 'partly-hidden';
    const lost = `${exist - visible} of the tenant's ${exist} rows are hidden from ${role} ${read}`;
    if (t.role === 'scoped' && !t.rlsEnabled) return { verdict, why: `${lost}: ${t.table} has no RLS of its own; the parents it reaches its tenant through hide them` };
    if (!t.rlsEnabled) return { verdict, why: `${lost}, though ${t.table} has no RLS: check the parents it joins` };
    if (policies.length === 0) return { verdict, why: `${lost}: RLS is on and no SELECT policy applies to ${role}, so every row is hidden (default deny)` };
    return { verdict, why: `${lost} by ${named}` };
  }
  if ((othersVisible ?? 0) > 0) {
    const how = !t.rlsEnabled ? 'RLS is off' : policies.length ? `${named} lets them through` : `RLS is not forced and ${role} owns the table`;
    return { verdict: 'leaks', why: `${role} sees all ${exist} of the tenant's rows and ${othersVisible} rows of other tenants (or none): ${how}` };
  }
  return { verdict: 'all-visible', why: `${role} sees all ${exist} of the tenant's rows and nothing else${t.rlsEnabled && policies.length ? ` (${named})` : ''}` };
}

/** Impersonate the tenant as the application role and compare, per table, rows that exist with rows visible. */
export async function explainVisibility(session: Session, model: TenancyModel, opts: ImpersonateOptions): Promise<TenantVisibility> {
  requireCompleteModel(model);
  const tenant = await requireTenant(session, model, opts.tenant);
  const cmp = keyCompare(session, model);
  const tables = footprintTables(model).filter((t) => t.readable);
  const parts = tables.map((t) => {
    const own = tenantIs(model, t, 'c', 'j', '$1', cmp)!;
    const from = `${qualified(t.schema, t.table)} c${own.joins}`;
    return {
      t,
      existSql: `SELECT count(*) AS n FROM ${from} WHERE ${own.where}`,
      seenSql: `SELECT count(*) FILTER (WHERE (${own.where}) IS TRUE) AS mine, count(*) FILTER (WHERE (${own.where}) IS NOT TRUE) AS others FROM ${from}`,
    };
  });
  const exist = new Map<TableInfo, number>();
  for (const p of parts) exist.set(p.t, Number((await session.query<{ n: string }>(p.existSql, [tenant.id])).rows[0]?.n ?? 0));

  const seen = new Map<TableInfo, { mine: number; others: number } | { error: string } | null>();
  let settingValue: string | null = null;
  await session.query('BEGIN READ ONLY');
  try {
    try {
      await session.query(`SET LOCAL ROLE ${quoteIdent(opts.role)}`);
    } catch (err) {
      throw new UserError(`cannot SET ROLE ${opts.role}: ${(err as Error).message}; give the application role, and make ${session.fingerprint.user} a member of it`, 'permission');
    }
    try {
      await session.query('SELECT set_config($1, $2, true)', [opts.setting, tenant.id]);
      for (const [name, value] of opts.member ? memberSettings(opts.member, opts.role) : []) await session.query('SELECT set_config($1, $2, true)', [name, value]);
      settingValue = (await session.query<{ v: string | null }>('SELECT current_setting($1, true) AS v', [opts.setting])).rows[0]?.v ?? null;
    } catch (err) {
      throw new UserError(`cannot set ${opts.setting}: ${(err as Error).message}; the setting must look like app.tenant_id`, 'usage');
    }
    for (const p of parts) {
      await session.query('SAVEPOINT visibility');
      try {
        const r = (await session.query<{ mine: string; others: string }>(p.seenSql, [tenant.id])).rows[0];
        seen.set(p.t, { mine: Number(r?.mine ?? 0), others: Number(r?.others ?? 0) });
        await session.query('RELEASE SAVEPOINT visibility');
      } catch (err) {
        await session.query('ROLLBACK TO SAVEPOINT visibility');
        // Permission denied: the role may not read it; any other error (a policy's cast of an unset setting) is what the app gets.
        seen.set(p.t, (err as { code?: string }).code === '42501' ? null : { error: (err as Error).message });
      }
    }
  } finally {
    await session.query('ROLLBACK').catch(() => undefined);
  }

  const result: VisibilityTable[] = parts.map(({ t }) => {
    const s = seen.get(t) ?? null;
    const ok = s && 'mine' in s ? s : null;
    const counts = { exist: exist.get(t) ?? 0, visible: ok?.mine ?? null, othersVisible: ok?.others ?? null };
    return {
      schema: t.schema, table: t.table, ...counts, rlsEnabled: t.rlsEnabled, rlsForced: t.rlsForced,
      policies: selectPolicies(t, opts.role).map((p) => ({ name: p.name, permissive: p.permissive, using: p.using })),
      ...explainTable(t, opts.member ? `${opts.role} (member ${opts.member})` : opts.role, opts.setting, settingValue, { ...counts, error: s && 'error' in s ? s.error : undefined }),
    };
  });
  const literal = pg.escapeLiteral(tenant.id);
  const script = [
    'BEGIN READ ONLY;',
    `SET LOCAL ROLE ${quoteIdent(opts.role)};`,
    `SELECT set_config(${pg.escapeLiteral(opts.setting)}, ${literal}, true);`,
    ...(opts.member ? memberSettings(opts.member, opts.role).map(([n, v]) => `SELECT set_config(${pg.escapeLiteral(n)}, ${pg.escapeLiteral(v)}, true);`) : []),
    ...parts.map((p) => `${p.seenSql.replaceAll('$1', () => literal)};`),
    'ROLLBACK;',
  ].join('\n');
  return { tenant: tenant.id, role: opts.role, setting: opts.setting, member: opts.member ?? null, settingValue, tables: result, sql: script };
}
