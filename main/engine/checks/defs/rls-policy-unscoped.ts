/** `rls-policy-unscoped`: a policy of a tenant table whose expressions never reference the tenant column. */
import { finding, type ModelCheck } from '../check-module.js';
import { policyEvidence, tenantPolicyRemedy } from '../statements.js';

/** The check: tenant tables only (a scoped table's policy through its parent is fine). */
export const rlsPolicyUnscoped: ModelCheck = {
  id: 'rls-policy-unscoped', severity: 'error', kind: 'catalog', title: 'Policy ignores the tenant column',
  why: 'A policy whose expressions never reference the tenant column does not isolate tenants.',
  finds: 'a policy whose expressions never reference the tenant column (read from `pg_depend`, not from text)',
  needs: 'model',
  find({ rlsSetting, keyType }, t) {
    const col = t.role === 'tenant' ? t.tenantColumn : null;
    if (!col || !t.rlsEnabled) return [];
    return t.policies.filter((p) => !p.referencesTenantColumn).map((p) => finding('rls-policy-unscoped', t, {
      constraint: p.name,
      message: `${t.schema}.${t.table}: policy ${p.name} (${p.command}) never references ${col.name}`,
      sql: policyEvidence(t),
      remedy: `-- policy ${p.name}: USING ${p.using ?? '(none)'}${p.withCheck ? ` WITH CHECK ${p.withCheck}` : ''}\n${tenantPolicyRemedy(t, col.name, rlsSetting, keyType)}`,
    }));
  },
};
