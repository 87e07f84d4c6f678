/**
 * The checks answered from the model alone (no table scans): every registered check that needs
 * only the model (tenant column presence, nullability, default, FK, scoped uniques, tenant index,
 * RLS state and policies), run over every table.
 */
import type { Finding } from '../../../shared/findings.js';
import type { TenancyModel } from '../../../shared/model.js';
import type { ModelContext } from './check-module.js';
import { checksNeeding } from './registry.js';

export { uniqueIsScoped } from './defs/unscoped-unique.js';

/** The SQL type of the tenant table's key, used in suggested DDL. */
export function tenantKeyType(model: TenancyModel): string {
  if (model.tenantTable) return model.tenantTable.keyType;
  const scoped = model.tables.find((t) => t.role === 'tenant' && t.tenantColumn);
  return scoped?.tenantColumn?.type ?? 'bigint';
}

/** What a model check reads. `rlsSetting` names the tenant setting in suggested policies. */
export function modelContext(model: TenancyModel, rlsSetting = 'app.tenant_id'): ModelContext {
  return { model, rlsSetting, keyType: tenantKeyType(model) };
}

/** Every catalog finding of the model. */
export function catalogFindings(model: TenancyModel, rlsSetting = 'app.tenant_id'): Finding[] {
  const ctx = modelContext(model, rlsSetting);
  const checks = checksNeeding('model');
  return model.tables.flatMap((t) => checks.flatMap((c) => c.find(ctx, t)));
}
