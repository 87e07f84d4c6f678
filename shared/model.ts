/**
 * The tenancy model: what the catalogs say about every table in scope. Plain JSON, so it crosses
 * IPC and goes into reports unchanged.
 */
import { z } from 'zod';

export const TableRefSchema = z.object({ schema: z.string(), table: z.string() });
export type TableRef = z.infer<typeof TableRefSchema>;

export const ForeignKeySchema = z.object({
  name: z.string(),
  columns: z.array(z.string()),
  refSchema: z.string(),
  refTable: z.string(),
  refColumns: z.array(z.string()),
  validated: z.boolean(),
});
export type ForeignKey = z.infer<typeof ForeignKeySchema>;

export const UniqueKeySchema = z.object({
  name: z.string(),
  /** 'constraint' for UNIQUE constraints, 'index' for bare unique indexes. */
  kind: z.enum(['constraint', 'index']),
  /** Key columns in order; an expression key is shown as its text. */
  keys: z.array(z.string()),
  /** For each key: true when it is a plain column (not an expression). */
  keyIsColumn: z.array(z.boolean()),
  include: z.array(z.string()),
  predicate: z.string().nullable(),
  definition: z.string(),
  primary: z.boolean(),
  /** An INVALID index (failed CREATE INDEX CONCURRENTLY) enforces nothing reliably and is not counted. */
  valid: z.boolean(),
});
export type UniqueKey = z.infer<typeof UniqueKeySchema>;

export const IndexSchema = z.object({
  name: z.string(),
  /** The first key column's name, null when the first key is an expression. */
  leadingColumn: z.string().nullable(),
  valid: z.boolean(),
  unique: z.boolean(),
  partial: z.boolean(),
  definition: z.string(),
});
export type IndexInfo = z.infer<typeof IndexSchema>;

export const PolicySchema = z.object({
  name: z.string(),
  command: z.string(),
  permissive: z.boolean(),
  roles: z.array(z.string()),
  using: z.string().nullable(),
  withCheck: z.string().nullable(),
  /** Whether the policy's expressions reference the tenant column (from pg_depend, not text). */
  referencesTenantColumn: z.boolean(),
});
export type Policy = z.infer<typeof PolicySchema>;

export const TenantColumnSchema = z.object({
  name: z.string(),
  type: z.string(),
  nullable: z.boolean(),
  default: z.string().nullable(),
  /** pg_stats.null_frac, null when the table was never analyzed. */
  nullFrac: z.number().nullable(),
});
export type TenantColumn = z.infer<typeof TenantColumnSchema>;

export const TableRoleSchema = z.enum(['tenant', 'scoped', 'tenant-table', 'global', 'unscoped']);
/**
 * tenant: has the tenant column; scoped: no tenant column, but a foreign-key path reaches a tenant
 * table (invoice_lines -> invoices); tenant-table: the table of tenants; global: shared by all;
 * unscoped: should have a tenant column and has none.
 */
export type TableRole = z.infer<typeof TableRoleSchema>;

export const PathStepSchema = z.object({
  /** The foreign key followed: on the table this step leaves from, or (reverse) on the table it reaches. */
  constraint: z.string(),
  /** Columns of the table this step leaves from. */
  columns: z.array(z.string()),
  /** The table this step reaches. */
  refSchema: z.string(),
  refTable: z.string(),
  /** Columns of the table this step reaches, matched with `columns` in order. */
  refColumns: z.array(z.string()),
  /**
   * True when the step goes against the FK: the table is owned 1:1 by the row whose UNIQUE foreign
   * key points at it (Organisation.settingsId -> OrganisationSettings).
   */
  reverse: z.boolean().default(false),
});
/** One foreign key of a table's path to its tenant. */
export type PathStep = z.infer<typeof PathStepSchema>;

export const CitusPlacementSchema = z.object({
  /**
   * local: a plain table on the coordinator; citus-local: a local table added to Citus's metadata;
   * distributed: hash-distributed (or single-shard) over the workers; reference: copied to every node.
   */
  kind: z.enum(['local', 'citus-local', 'distributed', 'reference']),
  /** The distribution column of a distributed table; null for the other kinds and single-shard tables. */
  distributionColumn: z.string().nullable(),
  /** Citus's co-location group (pg_dist_partition.colocationid); null where it has none. */
  colocationId: z.number().nullable(),
  shardCount: z.number(),
});
/** Where a table lives on a Citus cluster. */
export type CitusPlacement = z.infer<typeof CitusPlacementSchema>;

export const TableInfoSchema = z.object({
  schema: z.string(),
  table: z.string(),
  oid: z.number(),
  partitioned: z.boolean(),
  partitions: z.number(),
  role: TableRoleSchema,
  /** Why the role was chosen, e.g. "declared global" or "lookup table referenced by tenant tables". */
  roleReason: z.string(),
  estimatedRows: z.number().nullable(),
  sizeBytes: z.number(),
  primaryKey: z.array(z.string()).nullable(),
  columns: z.array(z.string()),
  tenantColumn: TenantColumnSchema.nullable(),
  /**
   * For a `scoped` table: the foreign keys from it to a table with the tenant column, in order;
   * the last step's table holds the tenant. Null for other roles.
   */
  tenantPath: z.array(PathStepSchema).nullable().default(null),
  /** The FK from the tenant column to the tenant table, if any. */
  tenantForeignKey: z.string().nullable(),
  foreignKeys: z.array(ForeignKeySchema),
  uniqueKeys: z.array(UniqueKeySchema),
  indexes: z.array(IndexSchema),
  rlsEnabled: z.boolean(),
  rlsForced: z.boolean(),
  policies: z.array(PolicySchema),
  /** Whether the connected role may SELECT from the table. */
  readable: z.boolean(),
  /** The table's owner, and the other roles granted SELECT on it ('PUBLIC' for everyone). */
  owner: z.string().default(''),
  readers: z.array(z.string()).default([]),
  /** On a Citus cluster: local, distributed or reference (sizes and estimates then come from the shards); null without Citus. */
  citus: CitusPlacementSchema.nullable().default(null),
});
export type TableInfo = z.infer<typeof TableInfoSchema>;

export const TenantTableSchema = z.object({
  schema: z.string(),
  table: z.string(),
  /** The column tenant ids refer to: what FKs reference, else the single-column primary or unique key. */
  keyColumn: z.string(),
  /** Its SQL type: every tenant value is compared in this type. */
  keyType: z.string().default('bigint'),
  /** A human name column (name, slug, title) used to label tenants, if one exists. */
  nameColumn: z.string().nullable(),
});
export type TenantTable = z.infer<typeof TenantTableSchema>;

export const ModelSettingsSchema = z.object({
  schemas: z.array(z.string()).optional(),
  tenantTable: z.string().optional(),
  /** One name or a comma-separated list (two spellings in one schema); snake/camel forms are implied. */
  tenantColumn: z.string().optional(),
  globalTables: z.array(z.string()).optional(),
  /** Columns unique across all tenants by design (invitation tokens, API keys), as schema.table.column. */
  globalUniques: z.array(z.string()).optional(),
  /**
   * Who declared globalUniques, shown with accepted findings: '--global-uniques' (the flag) or
   * 'profile "NAME"'. Set when the settings are resolved (never saved); absent: the flag.
   */
  globalUniquesDeclaredBy: z.string().optional(),
});
/** What the operator told us; anything missing is auto-detected. */
export type ModelSettings = z.infer<typeof ModelSettingsSchema>;

export const TenantCandidateSchema = z.object({
  /** schema.table as stored. */
  table: z.string(),
  /** The name as the operator would type it (public."Team"). */
  typed: z.string(),
  /** Distinct tables with a foreign key to it. */
  referencedBy: z.number(),
  /** Further tables with a tenant-like column for it but no foreign key. */
  columnTables: z.number(),
  keyColumn: z.string().nullable(),
  /** The tenant-like table it references (then it is a child, not the tenant). */
  childOf: z.string().nullable(),
  /** Why it ranks where it does, in words. */
  reason: z.string(),
  chosen: z.boolean(),
});
/** One row of the tenant-table ranking `tenancy model` shows. */
export type TenantCandidate = z.infer<typeof TenantCandidateSchema>;

export const DetectionSchema = z.object({
  schemas: z.enum(['given', 'detected']),
  tenantTable: z.enum(['given', 'detected', 'not-found']),
  tenantColumn: z.enum(['given', 'detected', 'not-found']),
  globalTables: z.enum(['given', 'detected']),
  notes: z.array(z.string()),
  /** Tenant-table candidates, best first, the chosen one marked. */
  candidates: z.array(TenantCandidateSchema).default([]),
  /** Why the model is incomplete (no tenant table or column): checks refuse to run. Null when complete. */
  problem: z.string().nullable().default(null),
});
export type Detection = z.infer<typeof DetectionSchema>;

export const TenancyModelSchema = z.object({
  schemas: z.array(z.string()),
  tenantTable: TenantTableSchema.nullable(),
  /** The most used tenant column name (each table's own is in tables[].tenantColumn). */
  tenantColumn: z.string().nullable(),
  /** Every tenant column name in use, most tables first. */
  tenantColumns: z.array(z.string()).default([]),
  globalTables: z.array(TableRefSchema),
  detection: DetectionSchema,
  tables: z.array(TableInfoSchema),
  /** The Citus cluster the model was read on (the extension installed); null on a single server. */
  cluster: z.object({ citusVersion: z.string(), workers: z.number() }).nullable().default(null),
  /** Declared global uniques, resolved: unique keys on exactly these columns are accepted, not findings. */
  globalUniques: z.array(z.object({ schema: z.string(), table: z.string(), column: z.string(), declaredBy: z.string().default('--global-uniques') })).default([]),
  /**
   * The platform the database runs on, when it changes how it is read: 'supabase' when auth.uid()
   * and the authenticated role exist (the app reads as anon/authenticated, a member is a JWT subject).
   */
  platform: z.enum(['supabase']).nullable().default(null),
});
export type TenancyModel = z.infer<typeof TenancyModelSchema>;

export const ModelSummarySchema = z.object({
  schemas: z.array(z.string()),
  tenantTable: z.string().nullable(),
  tenantColumn: z.string().nullable(),
  tenantColumns: z.array(z.string()).default([]),
  globalTables: z.array(z.string()),
  detection: DetectionSchema,
  tables: z.number(),
  tenantTables: z.number(),
  /** Tables scoped through a parent's foreign key. */
  scopedTables: z.number().default(0),
  unscopedTables: z.number(),
  rlsTables: z.number(),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;
