/** `rls-no-policy`: RLS is on with no policy, on any table in scope. */
import { qualified } from '../../ident.js';
import { finding, type ModelCheck } from '../check-module.js';
import { rlsEvidence, tenantPolicyRemedy, throughParentPolicy } from '../statements.js';

/** The check: a tenant table gets a tenant policy, a scoped one a policy through its parent, any other a choice. */
export const rlsNoPolicy: ModelCheck = {
  id: 'rls-no-policy', severity: 'error', kind: 'catalog', title: 'RLS enabled with no policy',
  why: 'RLS is enabled but no policy exists, so the application sees no rows at all ("why does this customer see nothing?").',
  finds: 'RLS is on with no policy: the application sees nothing (on any table in scope: tenant, scoped, global, unscoped or the tenant table)',
  needs: 'model',
  find({ rlsSetting, keyType }, t) {
    if (!t.rlsEnabled || t.policies.length > 0) return [];
    const message = `${t.schema}.${t.table}: RLS is enabled with no policy, so the application sees no rows`;
    if (t.role === 'tenant') {
      if (!t.tenantColumn) return [];
      return [finding('rls-no-policy', t, { message, sql: rlsEvidence(t), remedy: tenantPolicyRemedy(t, t.tenantColumn.name, rlsSetting, keyType) })];
    }
    if (t.role === 'scoped') {
      if (!t.tenantPath) return [];
      return [finding('rls-no-policy', t, { message, sql: rlsEvidence(t), remedy: throughParentPolicy(t) })];
    }
    // On any other table in scope (global, unscoped, the tenant table) RLS with no policy still hides every row.
    return [finding('rls-no-policy', t, {
      message: `${t.schema}.${t.table} (${t.role}): RLS is enabled with no policy, so the application sees no rows`,
      sql: rlsEvidence(t),
      remedy: `-- add the policy the table needs (${t.role === 'global' ? 'a shared table: USING (true) for reads' : 'a tenant policy once it has a tenant'}), or:\n${`ALTER TABLE ${qualified(t.schema, t.table)} DISABLE ROW LEVEL SECURITY;`}`,
    })];
  },
};
