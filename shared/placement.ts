/**
 * Where each tenant lives on a Citus cluster: the shard and worker holding it, shard sizes and
 * skew, the tenants that dominate a shard (with isolate_tenant_to_new_shard as the remedy), and
 * per-tenant query activity from citus_stat_tenants where it is enabled.
 */
import { z } from 'zod';
import { FingerprintSchema, SkippedSchema } from './findings.js';

export const ShardGroupSchema = z.object({
  /** The anchor table's shard id; co-located tables' shards with the same hash range sit beside it. */
  shardId: z.string(),
  /** Its hash range (pg_dist_shard.shardminvalue..shardmaxvalue). */
  minValue: z.string(),
  maxValue: z.string(),
  /** host:port of the worker holding it. */
  node: z.string(),
  /** Bytes of every co-located table's shard in this range (citus_shards.shard_size summed). */
  sizeBytes: z.number(),
  /** Tenant rows counted in this range over the co-located tenant tables. */
  rows: z.number(),
  tenants: z.number(),
});
export type ShardGroup = z.infer<typeof ShardGroupSchema>;

export const TenantPlacementSchema = z.object({
  tenant: z.string(),
  name: z.string().nullable(),
  shardId: z.string(),
  node: z.string(),
  /** Rows over the co-located tenant tables (exact counts, one pushed-down GROUP BY per table). */
  rows: z.number(),
  /** Its share of its shard's rows (0..1). */
  share: z.number(),
});
export type TenantPlacement = z.infer<typeof TenantPlacementSchema>;

export const TenantActivitySchema = z.object({
  tenant: z.string(),
  nodeId: z.number(),
  queriesThisPeriod: z.number(),
  queriesLastPeriod: z.number(),
  readsThisPeriod: z.number(),
  cpuSecondsThisPeriod: z.number(),
});

export const PlacementSchema = z.object({
  database: FingerprintSchema,
  /** The distributed table whose shards place tenants (the tenant table when it is distributed by its key). */
  anchor: z.string(),
  colocationId: z.number(),
  /** The co-located tenant tables whose rows were counted. */
  tables: z.array(z.string()),
  shards: z.array(ShardGroupSchema),
  tenants: z.array(TenantPlacementSchema),
  /** Largest shard over the mean, by bytes and by rows (1 = perfectly even). */
  skew: z.object({ sizeRatio: z.number(), rowsRatio: z.number(), largestShard: z.string().nullable() }),
  /** Tenants holding more than half of a larger-than-average shard's rows while sharing it with other tenants. */
  dominant: z.array(z.object({ tenant: z.string(), name: z.string().nullable(), shardId: z.string(), node: z.string(), rows: z.number(), shardRows: z.number(), share: z.number(), remedy: z.string() })),
  activity: z.object({
    /** citus.stat_tenants_track ('none' or 'all'). */
    tracking: z.string().nullable(),
    enabled: z.boolean(),
    rows: z.array(TenantActivitySchema),
  }),
  skipped: z.array(SkippedSchema),
});
/** Tenant placement on a Citus cluster. */
export type Placement = z.infer<typeof PlacementSchema>;
