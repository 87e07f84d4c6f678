/** Distribution: rows per tenant per table, plus the no-tenant and missing-tenant buckets. */
import { z } from 'zod';
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
  /** One page of a tenant table's orphan rows (tenant value names no tenant): keys and tenant value. */
  orphanRows: request(OrphanRowsRequestSchema.extend({ connectionId: ConnectionIdSchema }).strict(), OrphanRowsPageSchema),
  /** On a Citus cluster: the shard and worker of each tenant, shard skew, dominant tenants, activity. */
  placement: request(z.object({ connectionId: ConnectionIdSchema }).strict(), PlacementSchema),
};
