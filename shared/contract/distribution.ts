/** Distribution: rows per tenant per table, plus the no-tenant and missing-tenant buckets. */
import { z } from 'zod';
import { DistributionSummarySchema, TenantRowsSchema } from '../distribution-summary.js';
import { DistributionSchema } from '../findings.js';
import { OrphanRowsPageSchema, OrphanRowsRequestSchema } from '../orphans.js';
import { PlacementSchema } from '../placement.js';
import { request } from './channel.js';
import { ConnectionIdSchema } from './connection.js';

export const distributionContract = {
  get: request(
    z.object({
      connectionId: ConnectionIdSchema,
      /** Only this tenant's footprint (id as text). */
      tenant: z.string().min(1).max(256).optional(),
    }).strict(),
    DistributionSchema,
  ),
  /**
   * Tenant totals, the no-tenant and missing-tenant buckets and the tables count: what the Distribution
   * page opens with. Counted once per connection and model and kept (with the full distribution, which
   * `tenantRows` answers from); `recount` counts again.
   */
  summary: request(
    z.object({ connectionId: ConnectionIdSchema, recount: z.boolean().optional() }).strict(),
    DistributionSummarySchema,
  ),
  /** One or two tenants' rows per table (select, compare), from the count the last summary made (counted first if none). */
  tenantRows: request(
    z.object({ connectionId: ConnectionIdSchema, tenants: z.array(z.string().min(1).max(256)).min(1).max(2) }).strict(),
    TenantRowsSchema,
  ),
  /** One page of a tenant table's orphan rows (tenant value names no tenant): keys and tenant value. */
  orphanRows: request(OrphanRowsRequestSchema.extend({ connectionId: ConnectionIdSchema }).strict(), OrphanRowsPageSchema),
  /** On a Citus cluster: the shard and worker of each tenant, shard skew, dominant tenants, activity. */
  placement: request(z.object({ connectionId: ConnectionIdSchema }).strict(), PlacementSchema),
};
