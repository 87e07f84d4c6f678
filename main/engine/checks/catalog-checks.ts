/**
 * Checks answered from the catalogs alone (no table scans): tenant column presence, nullability,
 * default, FK, scoped uniques, tenant index, RLS state and policies.
 */
import { CHECKS, type CheckId } from '../../../shared/checks.js';
import type { Finding } from '../../../shared/findings.js';
import type { TableInfo, TenancyModel } from '../../../shared/model.js';
import { qualified, quoteIdent } from '../ident.js';
import {
  addTenantColumnRemedy, columnEvidence, derivedName, dropDefaultRemedy, fkEvidence, indexEvidence, policyEvidence, rlsEvidence, rlsRemedy,
  scopedUniqueRemedy, setNotNullRemedy, tenantFkRemedy, tenantIndexRemedy, tenantPolicyRemedy, validateFkRemedy,
} from './statements.js';

/** Build a finding with the check's severity. */
export function finding(check: CheckId, t: { schema: string; table: string }, fields: Omit<Finding, 'check' | 'severity' | 'schema' | 'table'>): Finding {
  return { check, severity: CHECKS[check].severity, schema: t.schema, table: t.table, ...fields };
}

/** The SQL type of the tenant table's key, used in suggested DDL. */
export function tenantKeyType(model: TenancyModel): string {
  if (model.tenantTable) return model.tenantTable.keyType;
  const scoped = model.tables.find((t) => t.role === 'tenant' && t.tenantColumn);
  return scoped?.tenantColumn?.type ?? 'bigint';
}

/** Whether a unique key includes the tenant column among its KEY columns (INCLUDE does not scope). */
export function uniqueIsScoped(keys: string[], keyIsColumn: boolean[], tenantColumn: string): boolean {
  return keys.some((k, i) => keyIsColumn[i] && k === tenantColumn);
}

function columnFindings(t: TableInfo, model: TenancyModel): Finding[] {
  const out: Finding[] = [];
  const col = t.tenantColumn!;
  if (col.nullable) {
    out.push(finding('tenant-column-nullable', t, {
      column: col.name,
      message: `${t.schema}.${t.table}.${col.name} allows NULL`,
      sql: columnEvidence(t, col.name),
      remedy: setNotNullRemedy(t, col.name),
    }));
  }
  if (col.default !== null) {
    out.push(finding('tenant-column-default', t, {
      column: col.name,
      message: `${t.schema}.${t.table}.${col.name} defaults to ${col.default}`,
      sql: columnEvidence(t, col.name),
      remedy: dropDefaultRemedy(t, col.name),
    }));
  }
  if (model.tenantTable && !t.tenantForeignKey) {
    out.push(finding('tenant-fk-missing', t, {
      column: col.name,
      message: `${t.schema}.${t.table}.${col.name} has no foreign key to ${model.tenantTable.schema}.${model.tenantTable.table}`,
      sql: fkEvidence(t),
      remedy: tenantFkRemedy(t, col.name, model.tenantTable),
    }));
  }
  const fk = t.tenantForeignKey ? t.foreignKeys.find((f) => f.name === t.tenantForeignKey) : undefined;
  if (model.tenantTable && fk && !fk.validated) {
    out.push(finding('tenant-fk-not-validated', t, {
      constraint: fk.name, column: col.name,
      message: `${t.schema}.${t.table}: foreign key ${fk.name} (${col.name}) to ${model.tenantTable.schema}.${model.tenantTable.table} is NOT VALID; existing rows were never checked`,
      sql: fkEvidence(t),
      remedy: validateFkRemedy(t, fk.name),
    }));
  }
  // The UNIQUE key of a FK that owns a table 1:1 (Org.settingsId) is that table's tenant path, not a leak.
  const ownerKeys = model.tables.flatMap((o) => (o.tenantPath ?? []).filter((s) => s.reverse && s.refSchema === t.schema && s.refTable === t.table).map((s) => s.refColumns));
  const isOwnerKey = (keys: string[]) => ownerKeys.some((k) => k.length === keys.length && k.every((c) => keys.includes(c)));
  for (const u of t.uniqueKeys) {
    if (u.primary || !u.valid || uniqueIsScoped(u.keys, u.keyIsColumn, col.name) || isOwnerKey(u.keys)) continue;
    const declared = u.keys.length === 1 && u.keyIsColumn[0] &&
      model.globalUniques.some((g) => g.schema === t.schema && g.table === t.table && g.column === u.keys[0]);
    out.push(finding('unscoped-unique', t, {
      constraint: u.name,
      message: `${t.schema}.${t.table}: unique ${u.kind} ${u.name} on (${u.keys.join(', ')}) does not include ${col.name}${declared ? ' (declared globally unique)' : ''}`,
      sql: indexEvidence(t),
      remedy: declared ? null : scopedUniqueRemedy(t, col.name, u),
      ...(declared ? { accepted: `declared globally unique: --global-uniques ${t.schema}.${t.table}.${u.keys[0]}` } : {}),
    }));
  }
  if (!t.indexes.some((i) => i.valid && i.leadingColumn === col.name)) {
    out.push(finding('tenant-index-missing', t, {
      column: col.name,
      message: `${t.schema}.${t.table}: no valid index leads with ${col.name}`,
      sql: indexEvidence(t),
      remedy: tenantIndexRemedy(t, col.name),
    }));
  }
  return out;
}

function rlsFindings(t: TableInfo, keyType: string, setting: string): Finding[] {
  const col = t.tenantColumn!;
  if (!t.rlsEnabled) {
    return [finding('rls-disabled', t, {
      message: `${t.schema}.${t.table}: row-level security is disabled`,
      sql: rlsEvidence(t),
      remedy: `${rlsRemedy(t, 'ENABLE')}\n${rlsRemedy(t, 'FORCE')}\n${t.policies.length === 0 ? tenantPolicyRemedy(t, col.name, setting, keyType) : ''}`.trim(),
    })];
  }
  const out: Finding[] = [];
  if (!t.rlsForced) {
    out.push(finding('rls-not-forced', t, {
      message: `${t.schema}.${t.table}: RLS is enabled but not forced; the owner bypasses it`,
      sql: rlsEvidence(t),
      remedy: rlsRemedy(t, 'FORCE'),
    }));
  }
  if (t.policies.length === 0) {
    out.push(finding('rls-no-policy', t, {
      message: `${t.schema}.${t.table}: RLS is enabled with no policy, so the application sees no rows`,
      sql: rlsEvidence(t),
      remedy: tenantPolicyRemedy(t, col.name, setting, keyType),
    }));
  }
  for (const p of t.policies) {
    if (p.referencesTenantColumn) continue;
    out.push(finding('rls-policy-unscoped', t, {
      constraint: p.name,
      message: `${t.schema}.${t.table}: policy ${p.name} (${p.command}) never references ${col.name}`,
      sql: policyEvidence(t),
      remedy: `-- policy ${p.name}: USING ${p.using ?? '(none)'}${p.withCheck ? ` WITH CHECK ${p.withCheck}` : ''}\n${tenantPolicyRemedy(t, col.name, setting, keyType)}`,
    }));
  }
  return out;
}

/**
 * RLS on a table scoped through a parent: disabled, not forced, or no policy. A policy through the
 * parent (EXISTS on the parent, whose own policy applies) is fine, so policies are not read for
 * the tenant column.
 */
function scopedRlsFindings(t: TableInfo): Finding[] {
  const first = t.tenantPath![0]!;
  const on = first.columns.map((c, i) => `p.${quoteIdent(first.refColumns[i]!)} = ${quoteIdent(t.table)}.${quoteIdent(c)}`).join(' AND ');
  const policy = `CREATE POLICY ${quoteIdent(derivedName(t.table, 'through_parent'))} ON ${qualified(t.schema, t.table)} ` +
    `USING (EXISTS (SELECT FROM ${qualified(first.refSchema, first.refTable)} p WHERE ${on}));  -- the parent's own policy applies inside`;
  if (!t.rlsEnabled) {
    return [finding('rls-disabled', t, {
      message: `${t.schema}.${t.table} (scoped through ${first.refTable}): row-level security is disabled`,
      sql: rlsEvidence(t),
      remedy: `${rlsRemedy(t, 'ENABLE')}\n${rlsRemedy(t, 'FORCE')}${t.policies.length === 0 ? `\n${policy}` : ''}`,
    })];
  }
  const out: Finding[] = [];
  if (!t.rlsForced) out.push(finding('rls-not-forced', t, { message: `${t.schema}.${t.table}: RLS is enabled but not forced; the owner bypasses it`, sql: rlsEvidence(t), remedy: rlsRemedy(t, 'FORCE') }));
  if (t.policies.length === 0) out.push(finding('rls-no-policy', t, { message: `${t.schema}.${t.table}: RLS is enabled with no policy, so the application sees no rows`, sql: rlsEvidence(t), remedy: policy }));
  return out;
}

/** Every catalog finding of the model. `rlsSetting` names the tenant setting in suggested policies. */
export function catalogFindings(model: TenancyModel, rlsSetting = 'app.tenant_id'): Finding[] {
  const out: Finding[] = [];
  const keyType = tenantKeyType(model);
  for (const t of model.tables) {
    if (t.role === 'unscoped' && model.tenantColumn) {
      out.push(finding('tenant-column-missing', t, {
        column: model.tenantColumn,
        message: `${t.schema}.${t.table} has no ${model.tenantColumns.length > 1 ? model.tenantColumns.join(' or ') : model.tenantColumn} column and is not declared global`,
        sql: columnEvidence(t, model.tenantColumn),
        remedy: addTenantColumnRemedy(t, model.tenantColumn, model.tenantTable, keyType),
      }));
    }
    if (t.role === 'scoped' && t.tenantPath) out.push(...scopedRlsFindings(t));
    // On any other table in scope (global, unscoped, the tenant table) RLS with no policy still hides every row.
    if ((t.role === 'global' || t.role === 'unscoped' || t.role === 'tenant-table') && t.rlsEnabled && t.policies.length === 0) {
      out.push(finding('rls-no-policy', t, {
        message: `${t.schema}.${t.table} (${t.role}): RLS is enabled with no policy, so the application sees no rows`,
        sql: rlsEvidence(t),
        remedy: `-- add the policy the table needs (${t.role === 'global' ? 'a shared table: USING (true) for reads' : 'a tenant policy once it has a tenant'}), or:\n${`ALTER TABLE ${qualified(t.schema, t.table)} DISABLE ROW LEVEL SECURITY;`}`,
      }));
    }
    if (t.role !== 'tenant' || !t.tenantColumn) continue;
    out.push(...columnFindings(t, model), ...rlsFindings(t, keyType, rlsSetting));
  }
  return out;
}
