/** `rls-not-forced`: RLS is on but not forced, so the table's owner bypasses it. */
import { finding, type ModelCheck } from '../check-module.js';
import { rlsEvidence, rlsRemedy } from '../statements.js';

/** The check: on tenant tables and tables scoped through a parent. */
export const rlsNotForced: ModelCheck = {
  id: 'rls-not-forced', severity: 'warning', kind: 'catalog', title: 'Row-level security not forced',
  why: "RLS is enabled but not forced, so the table's owner (often the application role) bypasses every policy.",
  finds: 'RLS is on but not forced, so the owner bypasses it',
  needs: 'model',
  find(_ctx, t) {
    const covered = (t.role === 'tenant' && t.tenantColumn) || (t.role === 'scoped' && t.tenantPath);
    if (!covered || !t.rlsEnabled || t.rlsForced) return [];
    return [finding('rls-not-forced', t, {
      message: `${t.schema}.${t.table}: RLS is enabled but not forced; the owner bypasses it`,
      sql: rlsEvidence(t),
      remedy: rlsRemedy(t, 'FORCE'),
    })];
  },
};
