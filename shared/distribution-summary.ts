/**
 * The Distribution page's compact answers: tenant totals and the two buckets (to open the page), and
 * one or two tenants' rows per table (to select or compare). Both are cut from one full distribution
 * on the host (pure functions here), so the page never receives 50,000 table x tenant rows.
 */
import { z } from 'zod';
import { type Distribution, DistributionSchema } from './findings.js';

export const TenantTotalSchema = z.object({ id: z.string(), name: z.string().nullable(), rows: z.number() });
/** A tenant with its total rows across tables. */
export type TenantTotal = z.infer<typeof TenantTotalSchema>;

export const DistributionSummarySchema = DistributionSchema.pick({
  database: true, tenantTable: true, tenantColumn: true, noTenant: true, missingTenant: true, skipped: true,
}).extend({
  /** Every tenant with its rows across all counted tables, biggest first (ties by id). */
  tenants: z.array(TenantTotalSchema),
  /** Tables counted (skipped ones excluded). */
  tables: z.number().int().nonnegative(),
  /** When the host counted (a summary and the tenant rows answered from it share this). */
  countedAt: z.string(),
});
export type DistributionSummary = z.infer<typeof DistributionSummarySchema>;

export const TenantTableRowsSchema = z.object({ schema: z.string(), table: z.string(), rows: z.number() });

export const TenantRowsSchema = z.object({
  /** The tenants asked for, in the order asked; an id the tenant table does not have gets name null and no rows. */
  tenants: z.array(z.object({ id: z.string(), name: z.string().nullable(), rows: z.array(TenantTableRowsSchema) })),
  countedAt: z.string(),
});
export type TenantRows = z.infer<typeof TenantRowsSchema>;

const WHOLE = /^\d+$/;

/**
 * Ties by id: numeric ids in numeric order (6 before 10), others in code-unit order, a stable
 * tie-break many times cheaper than localeCompare over 10,000 tenants.
 */
function byId(a: string, b: string): number {
  if (a.length !== b.length && WHOLE.test(a) && WHOLE.test(b)) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A distribution indexed for the two compact answers: built once per count. */
export interface IndexedDistribution {
  summary: DistributionSummary;
  /** Each known tenant's own rows (bucket 'tenant') per table. */
  byTenant: Map<string, { schema: string; table: string; rows: number }[]>;
  names: Map<string, string | null>;
}

/** Tenant totals, buckets and a per-tenant index of one full distribution. */
export function indexDistribution(d: Distribution, tables: number, countedAt: string): IndexedDistribution {
  const byTenant = new Map<string, { schema: string; table: string; rows: number }[]>();
  const sums = new Map<string, number>();
  for (const r of d.rows) {
    if (r.bucket !== 'tenant' || r.tenant === null) continue;
    sums.set(r.tenant, (sums.get(r.tenant) ?? 0) + r.rows);
    let list = byTenant.get(r.tenant);
    if (!list) byTenant.set(r.tenant, (list = []));
    list.push({ schema: r.schema, table: r.table, rows: r.rows });
  }
  const tenants = d.tenants.map((t) => ({ id: t.id, name: t.name, rows: sums.get(t.id) ?? 0 })).sort((a, b) => b.rows - a.rows || byId(a.id, b.id));
  const { database, tenantTable, tenantColumn, noTenant, missingTenant, skipped } = d;
  return {
    summary: { database, tenantTable, tenantColumn, noTenant, missingTenant, skipped, tenants, tables, countedAt },
    byTenant,
    names: new Map(d.tenants.map((t) => [t.id, t.name])),
  };
}

/** The rows per table of the tenants asked for, from an indexed distribution. */
export function tenantRowsOf(ix: IndexedDistribution, ids: string[]): TenantRows {
  return {
    tenants: ids.map((id) => ({ id, name: ix.names.get(id) ?? null, rows: ix.byTenant.get(id) ?? [] })),
    countedAt: ix.summary.countedAt,
  };
}
