/** Orphan rows themselves (not counts): one page of a tenant table's rows whose tenant value names no tenant. */
import { z } from 'zod';

export const OrphanRowsRequestSchema = z.object({
  schema: z.string().min(1).max(256),
  table: z.string().min(1).max(256),
  /** The key of the last row of the previous page (as returned in `next`); absent for the first page. */
  after: z.array(z.string().nullable()).max(16).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type OrphanRowsRequest = z.input<typeof OrphanRowsRequestSchema>;

export const OrphanRowsPageSchema = z.object({
  schema: z.string(),
  table: z.string(),
  /** The tenant column whose value names no tenant. */
  tenantColumn: z.string(),
  /** The columns pages are ordered and continued by: the primary key, else ctid. */
  key: z.array(z.string()),
  /** Each row: its key columns and the tenant column, as text. */
  rows: z.array(z.record(z.string(), z.string().nullable())),
  /** Pass as `after` for the next page; null on the last page. */
  next: z.array(z.string().nullable()).nullable(),
});
export type OrphanRowsPage = z.infer<typeof OrphanRowsPageSchema>;
