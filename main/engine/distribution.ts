/**
 * Distribution: rows per tenant per table (names from the tenant table), plus the "no tenant" and
 * "missing tenant" buckets; one tenant's footprint with `tenant`. One GROUP BY pass per table.
 */
import type { Distribution, DistributionRow, ProgressEvent, Skipped } from '../../shared/findings.js';
import type { TableInfo, TenancyModel } from '../../shared/model.js';
import { keyCompare } from './checks/run.js';
import { scanScoped } from './checks/scoped.js';
import { readTenants, scanTable, unscannableReason, type TableScan, type TenantDirectory } from './checks/scan.js';
import { CancelledError } from './errors.js';
import { requireCompleteModel } from './model/load.js';
import type { Session } from './session.js';
import { resolveTenantId } from './tenant/find.js';

/** Options for a distribution run. */
export interface DistributionOptions {
  /**
   * Only this tenant's rows (its footprint): its id, or its name or slug when no id is that text.
   * The no-tenant and missing-tenant buckets are still reported in full.
   */
  tenant?: string;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
}

/** Accumulates table scans into a Distribution (also fed by a check run's scans). */
export class DistributionBuilder {
  private rows: DistributionRow[] = [];
  private noTenant: Distribution['noTenant'] = [];
  private missing: Distribution['missingTenant'] = [];

  constructor(private readonly tenants: TenantDirectory, private readonly only?: string) {}

  /** Add one table's scan. */
  add(t: TableInfo, scan: TableScan): void {
    for (const [id, n] of scan.perTenant) {
      const known = this.tenants.has(id);
      // The missing-tenant bucket is every tenant's concern: kept whole for one tenant's footprint too.
      if (!known) this.missing.push({ schema: t.schema, table: t.table, tenant: id, rows: n });
      if (this.only !== undefined && id !== this.only) continue;
      this.rows.push({ schema: t.schema, table: t.table, tenant: id, tenantName: this.tenants.get(id) ?? null, bucket: known ? 'tenant' : 'missing-tenant', rows: n });
    }
    // Values that are not a valid tenant key at all name no tenant either: the missing-tenant bucket.
    for (const [raw, n] of scan.invalid) {
      this.missing.push({ schema: t.schema, table: t.table, tenant: raw, rows: n });
      if (this.only === undefined) this.rows.push({ schema: t.schema, table: t.table, tenant: raw, tenantName: null, bucket: 'missing-tenant', rows: n });
    }
    if (scan.nullTenant > 0) {
      this.noTenant.push({ schema: t.schema, table: t.table, rows: scan.nullTenant });
      if (this.only === undefined) {
        this.rows.push({ schema: t.schema, table: t.table, tenant: null, tenantName: null, bucket: 'no-tenant', rows: scan.nullTenant });
      }
    }
  }

  /** The finished distribution. */
  build(session: Session, model: TenancyModel, skipped: Skipped[]): Distribution {
    const tenants = [...this.tenants.entries()]
      .filter(([id]) => this.only === undefined || id === this.only)
      .map(([id, name]) => ({ id, name }));
    return {
      database: session.fingerprint,
      tenantTable: model.tenantTable ? `${model.tenantTable.schema}.${model.tenantTable.table}` : null,
      tenantColumn: model.tenantColumn,
      tenants,
      rows: this.rows,
      noTenant: this.noTenant,
      missingTenant: this.missing,
      skipped,
    };
  }
}

/** The tables a distribution counts: tenant tables with a tenant column and scoped tables with a path to one. */
export function distributionTables(model: TenancyModel): TenancyModel['tables'] {
  return model.tables.filter((t) => (t.role === 'tenant' && t.tenantColumn) || (t.role === 'scoped' && t.tenantPath));
}

/** Count rows per tenant in every readable tenant table. */
export async function computeDistribution(session: Session, model: TenancyModel, opts: DistributionOptions = {}): Promise<Distribution> {
  requireCompleteModel(model);
  const tenants = await readTenants(session, model);
  const only = opts.tenant === undefined || tenants.has(opts.tenant) ? opts.tenant : await resolveTenantId(session, model, opts.tenant);
  const builder = new DistributionBuilder(tenants, only);
  const skipped: Skipped[] = [];
  const tables = distributionTables(model);
  const onAbort = () => void session.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (const [i, t] of tables.entries()) {
      if (opts.signal?.aborted) throw new CancelledError();
      opts.onProgress?.({ phase: 'table', done: i, total: tables.length, schema: t.schema, table: t.table });
      if (!t.readable) {
        skipped.push({ schema: t.schema, table: t.table, reason: `permission denied: ${session.fingerprint.user} may not SELECT from it` });
        continue;
      }
      try {
        builder.add(t, t.role === 'scoped'
          ? await scanScoped(session, model, t, tenants, keyCompare(session, model))
          : await scanTable(session, t, t.tenantColumn!.name, model.tenantTable ? tenants : null, keyCompare(session, model)));
      } catch (err) {
        const reason = unscannableReason(err);
        if (!reason) throw err;
        skipped.push({ schema: t.schema, table: t.table, reason });
      }
    }
  } catch (err) {
    if (opts.signal?.aborted) throw new CancelledError();
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  opts.onProgress?.({ phase: 'done', done: tables.length, total: tables.length });
  return builder.build(session, model, skipped);
}
