/** Tenant: one tenant for the support engineer (find, footprint, rows, what the app role sees). */
import { z } from 'zod';
import { TenantFootprintSchema, TenantRowsPageSchema, TenantRowsRequestSchema, TenantSearchSchema, TenantVisibilitySchema } from '../tenant.js';
import { event, request } from './channel.js';
import { RunIdSchema } from './checks.js';
import { ConnectionIdSchema } from './connection.js';

const TenantId = z.string().min(1).max(256);

export const tenantContract = {
  /** Tenants whose id is the query, or whose name or slug contains it. */
  find: request(z.object({ connectionId: ConnectionIdSchema, query: z.string().min(1).max(256) }).strict(), TenantSearchSchema),
  /**
   * The tenant's rows per table (own and scoped) and the stray rows hanging off them. With a runId
   * it reports progress (`onFootprintProgress`) and `cancelFootprint` stops its running count.
   */
  footprint: request(z.object({ connectionId: ConnectionIdSchema, tenant: TenantId, runId: RunIdSchema.optional() }).strict(), TenantFootprintSchema),
  /** Cancel a running footprint count (a protocol cancel of its statement on the server). */
  cancelFootprint: request(z.object({ runId: RunIdSchema }).strict(), z.object({ cancelled: z.boolean() })),
  /** A footprint count's progress: tables counted of the tables in reach, and the one counting now. */
  onFootprintProgress: event(z.object({
    runId: RunIdSchema,
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    schema: z.string().nullable(),
    table: z.string().nullable(),
  })),
  /** One page of the tenant's rows in one table. */
  rows: request(TenantRowsRequestSchema.extend({ connectionId: ConnectionIdSchema }).strict(), TenantRowsPageSchema),
  /** Impersonate the tenant as the application role: rows that exist against rows visible, per table. */
  visibility: request(
    z.object({
      connectionId: ConnectionIdSchema,
      tenant: TenantId,
      /** Defaults to the profile's RLS role. */
      role: z.string().min(1).max(256).optional(),
      /** Defaults to the profile's RLS setting. */
      setting: z.string().min(1).max(256).optional(),
      /** Also be this member (Supabase: the user id auth.uid() returns, via request.jwt.claim.sub). */
      member: z.string().min(1).max(256).optional(),
    }).strict(),
    TenantVisibilitySchema,
  ),
};
