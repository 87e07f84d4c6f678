/** Tenant: one tenant for the support engineer (find, footprint, rows, what the app role sees). */
import { z } from 'zod';
import { TenantFootprintSchema, TenantRowsPageSchema, TenantRowsRequestSchema, TenantSearchSchema, TenantVisibilitySchema } from '../tenant.js';
import { request } from './channel.js';
import { ConnectionIdSchema } from './connection.js';

const TenantId = z.string().min(1).max(256);

export const tenantContract = {
  /** Tenants whose id is the query, or whose name or slug contains it. */
  find: request(z.object({ connectionId: ConnectionIdSchema, query: z.string().min(1).max(256) }).strict(), TenantSearchSchema),
  /** The tenant's rows per table (own and scoped) and the stray rows hanging off them. */
  footprint: request(z.object({ connectionId: ConnectionIdSchema, tenant: TenantId }).strict(), TenantFootprintSchema),
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
