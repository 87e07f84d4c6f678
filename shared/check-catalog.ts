/**
 * Generated from main/engine/checks/registry.ts (one module per check in main/engine/checks/defs/):
 * do not edit. Regenerate: UPDATE_CHECKS=1 npx vitest run --project unit test/unit/check-registry.test.ts
 */

/** Every check id, in report order. */
export const CHECK_IDS = [
  'tenant-column-missing',
  'tenant-column-nullable',
  'tenant-column-default',
  'tenant-fk-missing',
  'tenant-fk-not-validated',
  'null-tenant-rows',
  'orphan-tenant-rows',
  'cross-tenant-reference',
  'unscoped-unique',
  'tenant-index-missing',
  'rls-disabled',
  'rls-not-forced',
  'rls-no-policy',
  'rls-policy-unscoped',
  'rls-partition-bypass',
  'rls-view-bypass',
  'rls-matview-bypass',
  'rls-definer-function',
  'isolation-leak',
] as const;

/** Each check's contract entry: severity, kind, title, why. */
export const CHECK_CATALOG = {
  'tenant-column-missing': {
    id: 'tenant-column-missing', severity: 'error', kind: 'catalog', title: 'Tenant column missing',
    why: 'A table in scope that is not declared global has no tenant column, so its rows belong to nobody.',
  },
  'tenant-column-nullable': {
    id: 'tenant-column-nullable', severity: 'error', kind: 'catalog', title: 'Tenant column nullable',
    why: 'The tenant column allows NULL, so a write path that forgets the tenant succeeds silently.',
  },
  'tenant-column-default': {
    id: 'tenant-column-default', severity: 'warning', kind: 'catalog', title: 'Tenant column has a default',
    why: 'A default on the tenant column (the bootstrap org left behind) files rows under the wrong tenant instead of failing.',
  },
  'tenant-fk-missing': {
    id: 'tenant-fk-missing', severity: 'error', kind: 'catalog', title: 'No FK to the tenant table',
    why: 'Without a foreign key to the tenant table, rows can point at tenants that do not exist.',
  },
  'tenant-fk-not-validated': {
    id: 'tenant-fk-not-validated', severity: 'error', kind: 'catalog', title: 'FK to the tenant table not validated',
    why: 'A NOT VALID foreign key (added NOT VALID, or an interrupted VALIDATE) checks new rows only: existing rows may still point at tenants that do not exist.',
  },
  'null-tenant-rows': {
    id: 'null-tenant-rows', severity: 'error', kind: 'rows', title: 'Rows with no tenant',
    why: 'Rows whose tenant column is NULL are invisible to every tenant, or visible to all.',
  },
  'orphan-tenant-rows': {
    id: 'orphan-tenant-rows', severity: 'error', kind: 'rows', title: 'Rows pointing at a missing tenant',
    why: 'Rows whose tenant id is not in the tenant table belong to a tenant that does not exist.',
  },
  'cross-tenant-reference': {
    id: 'cross-tenant-reference', severity: 'error', kind: 'rows', title: 'Cross-tenant reference',
    why: "Child rows whose tenant differs from their parent row's tenant leak data across tenants through the join.",
  },
  'unscoped-unique': {
    id: 'unscoped-unique', severity: 'error', kind: 'catalog', title: 'Unique key not scoped by tenant',
    why: "A unique key without the tenant column lets one tenant's data block another's, and reveals that the value exists.",
  },
  'tenant-index-missing': {
    id: 'tenant-index-missing', severity: 'warning', kind: 'catalog', title: 'No index leads with the tenant column',
    why: 'Every tenant-scoped query (and every RLS policy) scans the whole table without an index on the tenant column.',
  },
  'rls-disabled': {
    id: 'rls-disabled', severity: 'warning', kind: 'catalog', title: 'Row-level security disabled',
    why: 'Without RLS, isolation rests on every query in the application remembering its tenant filter.',
  },
  'rls-not-forced': {
    id: 'rls-not-forced', severity: 'warning', kind: 'catalog', title: 'Row-level security not forced',
    why: "RLS is enabled but not forced, so the table's owner (often the application role) bypasses every policy.",
  },
  'rls-no-policy': {
    id: 'rls-no-policy', severity: 'error', kind: 'catalog', title: 'RLS enabled with no policy',
    why: 'RLS is enabled but no policy exists, so the application sees no rows at all ("why does this customer see nothing?").',
  },
  'rls-policy-unscoped': {
    id: 'rls-policy-unscoped', severity: 'error', kind: 'catalog', title: 'Policy ignores the tenant column',
    why: 'A policy whose expressions never reference the tenant column does not isolate tenants.',
  },
  'rls-partition-bypass': {
    id: 'rls-partition-bypass', severity: 'error', kind: 'catalog', title: 'Partition readable around RLS',
    why: "RLS on a partitioned table applies to queries on the parent only: a partition with RLS off that the application role can read directly shows every tenant's rows.",
  },
  'rls-view-bypass': {
    id: 'rls-view-bypass', severity: 'error', kind: 'catalog', title: 'View runs as its owner',
    why: "A view without security_invoker reads its tables with its owner's rights: when the owner bypasses RLS (a superuser, BYPASSRLS, or the table's owner without FORCE), every reader sees every tenant.",
  },
  'rls-matview-bypass': {
    id: 'rls-matview-bypass', severity: 'error', kind: 'catalog', title: 'Materialized view of a tenant table',
    why: 'A materialized view stores the rows its owner saw and has no RLS of its own: whoever may read it reads every tenant in it.',
  },
  'rls-definer-function': {
    id: 'rls-definer-function', severity: 'warning', kind: 'catalog', title: 'SECURITY DEFINER function over tenant tables',
    why: "A SECURITY DEFINER function runs with its owner's rights: what it returns to the application role is filtered only by its own code, which no check can see into.",
  },
  'isolation-leak': {
    id: 'isolation-leak', severity: 'error', kind: 'probe', title: 'Other tenants visible to the app role',
    why: 'As the application role with the tenant setting set to one tenant, rows of other tenants are visible.',
  },
} as const;
