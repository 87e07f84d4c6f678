/** `rls-not-forced`: RLS is on but not forced, so the table's owner bypasses it. */
import type { TableInfo, TenancyModel } from '../../../../shared/model.js';
import { finding, type ModelCheck } from '../check-module.js';
import { rlsEvidence, rlsRemedy } from '../statements.js';

/** Supabase's API roles: the app reads as anon or authenticated (service_role bypasses RLS anyway). */
const SUPABASE_API_ROLES = new Set(['anon', 'authenticated', 'service_role']);

/**
 * On Supabase, whether the app reads the table only through anon/authenticated (the roles granted
 * SELECT besides its owner), never as its owner: then forcing RLS changes nothing the app sees.
 */
export function readOnlyThroughApiRoles(model: TenancyModel, t: TableInfo): boolean {
  return model.platform === 'supabase' && !SUPABASE_API_ROLES.has(t.owner) &&
    t.readers.some((r) => r === 'anon' || r === 'authenticated') && t.readers.every((r) => SUPABASE_API_ROLES.has(r));
}

/** The check: on tenant tables and tables scoped through a parent. */
export const rlsNotForced: ModelCheck = {
  id: 'rls-not-forced', severity: 'warning', kind: 'catalog', title: 'Row-level security not forced',
  why: "RLS is enabled but not forced, so the table's owner (often the application role) bypasses every policy.",
  finds: 'RLS is on but not forced, so the owner bypasses it (on Supabase, not for tables only `anon`/`authenticated` read: the app never reads as the owner)',
  needs: 'model',
  find({ model }, t) {
    const covered = (t.role === 'tenant' && t.tenantColumn) || (t.role === 'scoped' && t.tenantPath);
    if (!covered || !t.rlsEnabled || t.rlsForced || readOnlyThroughApiRoles(model, t)) return [];
    return [finding('rls-not-forced', t, {
      message: `${t.schema}.${t.table}: RLS is enabled but not forced; the owner bypasses it`,
      sql: rlsEvidence(t),
      remedy: rlsRemedy(t, 'FORCE'),
    })];
  },
};
