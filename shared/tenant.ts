/**
 * One tenant, for the support engineer: who it is, where its rows are (its own tables and the
 * tables scoped through a parent), the rows with no or a missing tenant that hang off its rows,
 * its rows page by page, and what the application role can see of them.
 */
import { z } from 'zod';

export const TenantMatchSchema = z.object({
  /** The tenant key as text. */
  id: z.string(),
  name: z.string().nullable(),
  /** The slug column's value, when the tenant table has one. */
  slug: z.string().nullable(),
  /** How the query matched: the id itself, or the name/slug containing it. */
  matchedBy: z.enum(['id', 'name', 'slug']),
});
/** A tenant found by id, name or slug. */
export type TenantMatch = z.infer<typeof TenantMatchSchema>;

export const TenantSearchSchema = z.object({
  query: z.string(),
  matches: z.array(TenantMatchSchema),
  /** True when more tenants matched than were returned. */
  truncated: z.boolean(),
});
export type TenantSearch = z.infer<typeof TenantSearchSchema>;

export const ConcerningRowsSchema = z.object({
  /** The foreign key from this table to a row of the tenant. */
  constraint: z.string(),
  parentSchema: z.string(),
  parentTable: z.string(),
  /** Rows with a NULL tenant whose parent row is the tenant's. */
  noTenant: z.number(),
  /** Rows whose tenant value names no tenant, whose parent row is the tenant's. */
  missingTenant: z.number(),
});
/** Rows that name no (existing) tenant but hang off a row of this tenant: most likely its own. */
export type ConcerningRows = z.infer<typeof ConcerningRowsSchema>;

export const FootprintTableSchema = z.object({
  schema: z.string(),
  table: z.string(),
  role: z.enum(['tenant', 'scoped']),
  /** Where the tenant is read: the column, or the path through parents (scoped). */
  via: z.string(),
  /** The tenant's rows (exact count). */
  rows: z.number(),
  /** Rows of the whole table (statistics), for scale. */
  estimatedTotal: z.number().nullable(),
  concerning: z.array(ConcerningRowsSchema),
  /** Distinct rows in `concerning` (a row can hang off the tenant through two foreign keys). */
  strayRows: z.number(),
});
export type FootprintTable = z.infer<typeof FootprintTableSchema>;

export const TenantFootprintSchema = z.object({
  tenant: TenantMatchSchema.omit({ matchedBy: true }),
  tables: z.array(FootprintTableSchema),
  skipped: z.array(z.object({ schema: z.string(), table: z.string(), reason: z.string() })),
});
/** One tenant's rows across every table it has rows in reach of. */
export type TenantFootprint = z.infer<typeof TenantFootprintSchema>;

export const RowFilterSchema = z.object({
  column: z.string().min(1).max(256),
  op: z.enum(['equals', 'contains', 'is-null', 'not-null']),
  value: z.string().max(1000).optional(),
});
/** One filter on a column: compared as text, the value always bound. */
export type RowFilter = z.infer<typeof RowFilterSchema>;

export const RowScopeSchema = z.discriminatedUnion('kind', [
  /** The tenant's own rows. */
  z.object({ kind: z.literal('tenant') }),
  /** Rows with no or a missing tenant whose parent (through `constraint`) is the tenant's. */
  z.object({ kind: z.literal('concerning'), constraint: z.string().min(1).max(256) }),
]);
export type RowScope = z.infer<typeof RowScopeSchema>;

export const TenantRowsRequestSchema = z.object({
  tenant: z.string().min(1).max(256),
  schema: z.string().min(1).max(256),
  table: z.string().min(1).max(256),
  scope: RowScopeSchema.default({ kind: 'tenant' }),
  filters: z.array(RowFilterSchema).max(8).default([]),
  /** The key of the last row of the previous page (as returned in `next`); absent for the first page. */
  after: z.array(z.string().nullable()).max(16).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type TenantRowsRequest = z.input<typeof TenantRowsRequestSchema>;

export const TenantRowsPageSchema = z.object({
  schema: z.string(),
  table: z.string(),
  columns: z.array(z.string()),
  /** The columns pages are ordered and continued by: the primary key, else ctid. */
  key: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.string().nullable())),
  /** Pass as `after` for the next page; null on the last page. */
  next: z.array(z.string().nullable()).nullable(),
  /** The statement that read this page, with placeholders (values are bound). */
  sql: z.string(),
});
/** One page of a tenant's rows, every value as text. */
export type TenantRowsPage = z.infer<typeof TenantRowsPageSchema>;

export const VisibilityTableSchema = z.object({
  schema: z.string(),
  table: z.string(),
  /** The tenant's rows as the console's own role reads them. */
  exist: z.number(),
  /** The tenant's rows the application role sees with the setting set to the tenant; null when it may not read the table. */
  visible: z.number().nullable(),
  /** Rows of other tenants (or none) the application role sees as well. */
  othersVisible: z.number().nullable(),
  rlsEnabled: z.boolean(),
  rlsForced: z.boolean(),
  /** The SELECT policies that apply to the role, with their USING expressions. */
  policies: z.array(z.object({ name: z.string(), permissive: z.boolean(), using: z.string().nullable() })),
  verdict: z.enum(['all-visible', 'hidden', 'partly-hidden', 'leaks', 'no-access', 'error', 'no-rows']),
  /** One sentence: why the role sees what it sees. */
  why: z.string(),
});
export type VisibilityTable = z.infer<typeof VisibilityTableSchema>;

export const TenantVisibilitySchema = z.object({
  tenant: z.string(),
  role: z.string(),
  setting: z.string(),
  /** The member impersonated too (Supabase user id), if any. */
  member: z.string().nullable(),
  /** What current_setting(setting) read inside the probe (proof the setting took). */
  settingValue: z.string().nullable(),
  tables: z.array(VisibilityTableSchema),
  /** The probe as a script the operator can run (read only, rolled back). */
  sql: z.string(),
});
/** "Why does this customer see nothing?": rows that exist against rows the app role sees. */
export type TenantVisibility = z.infer<typeof TenantVisibilitySchema>;
