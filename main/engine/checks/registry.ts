/**
 * The registry: every check, one module each (defs/<id>.ts), in the order reports list them. The
 * engine runs them from here; the contract (shared/check-catalog.ts), the CLI (`tenancy checks`),
 * the reports and the table in docs/checks.md are generated from or read it
 * (test/unit/check-registry.test.ts fails when they disagree). Adding a check: one module here,
 * plus its tests.
 */
import type { CheckModule, CheckNeed, FkScanCheck, ModelCheck, ProbeCheck, RlsCatalogCheck, TableScanCheck } from './check-module.js';
import { crossTenantReference } from './defs/cross-tenant-reference.js';
import { isolationLeak } from './defs/isolation-leak.js';
import { nullTenantRows } from './defs/null-tenant-rows.js';
import { orphanTenantRows } from './defs/orphan-tenant-rows.js';
import { rlsDefinerFunction } from './defs/rls-definer-function.js';
import { rlsDisabled } from './defs/rls-disabled.js';
import { rlsMatviewBypass } from './defs/rls-matview-bypass.js';
import { rlsNoPolicy } from './defs/rls-no-policy.js';
import { rlsNotForced } from './defs/rls-not-forced.js';
import { rlsPartitionBypass } from './defs/rls-partition-bypass.js';
import { rlsPolicyUnscoped } from './defs/rls-policy-unscoped.js';
import { rlsViewBypass } from './defs/rls-view-bypass.js';
import { tenantColumnDefault } from './defs/tenant-column-default.js';
import { tenantColumnMissing } from './defs/tenant-column-missing.js';
import { tenantColumnNullable } from './defs/tenant-column-nullable.js';
import { tenantFkMissing } from './defs/tenant-fk-missing.js';
import { tenantFkNotValidated } from './defs/tenant-fk-not-validated.js';
import { tenantIndexMissing } from './defs/tenant-index-missing.js';
import { unscopedUnique } from './defs/unscoped-unique.js';

/** Every check, in report order. */
export const REGISTRY: readonly CheckModule[] = [
  tenantColumnMissing,
  tenantColumnNullable,
  tenantColumnDefault,
  tenantFkMissing,
  tenantFkNotValidated,
  nullTenantRows,
  orphanTenantRows,
  crossTenantReference,
  unscopedUnique,
  tenantIndexMissing,
  rlsDisabled,
  rlsNotForced,
  rlsNoPolicy,
  rlsPolicyUnscoped,
  rlsPartitionBypass,
  rlsViewBypass,
  rlsMatviewBypass,
  rlsDefinerFunction,
  isolationLeak,
];

type ByNeed = { model: ModelCheck; 'table-scan': TableScanCheck; 'fk-scan': FkScanCheck; 'rls-catalog': RlsCatalogCheck; probe: ProbeCheck };

/** The checks that read one kind of pass (the planner runs a pass only when some check reads it). */
export function checksNeeding<N extends CheckNeed>(need: N): ByNeed[N][] {
  return REGISTRY.filter((c) => c.needs === need) as ByNeed[N][];
}
