/** `rls-disabled`: row-level security is off on a tenant table or a table scoped through a parent. */
import { finding, type ModelCheck } from '../check-module.js';
import { rlsEvidence, rlsRemedy, tenantPolicyRemedy, throughParentPolicy } from '../statements.js';

/** The check. */
export const rlsDisabled: ModelCheck = {
  id: 'rls-disabled', severity: 'warning', kind: 'catalog', title: 'Row-level security disabled',
  why: 'Without RLS, isolation rests on every query in the application remembering its tenant filter.',
  finds: 'row-level security is off on a tenant table (or a table scoped through a parent)',
  needs: 'model',
  find({ rlsSetting, keyType }, t) {
    if (t.rlsEnabled) return [];
    if (t.role === 'tenant' && t.tenantColumn) {
      return [finding('rls-disabled', t, {
        message: `${t.schema}.${t.table}: row-level security is disabled`,
        sql: rlsEvidence(t),
        remedy: `${rlsRemedy(t, 'ENABLE')}\n${rlsRemedy(t, 'FORCE')}\n${t.policies.length === 0 ? tenantPolicyRemedy(t, t.tenantColumn.name, rlsSetting, keyType) : ''}`.trim(),
      })];
    }
    if (t.role === 'scoped' && t.tenantPath) {
      return [finding('rls-disabled', t, {
        message: `${t.schema}.${t.table} (scoped through ${t.tenantPath[0]!.refTable}): row-level security is disabled`,
        sql: rlsEvidence(t),
        remedy: `${rlsRemedy(t, 'ENABLE')}\n${rlsRemedy(t, 'FORCE')}${t.policies.length === 0 ? `\n${throughParentPolicy(t)}` : ''}`,
      })];
    }
    return [];
  },
};
