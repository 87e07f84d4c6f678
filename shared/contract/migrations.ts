/**
 * Migrations: the ledger status of a folder, lint with the PostgreSQL parser, preflight, and apply
 * with live events (NOTICEs, statements, lock-watch snapshots, retries) and cancel. The folder is
 * a path on the host; apply needs the connection in write mode (`connection/setWriteMode`).
 */
import { z } from 'zod';
import {
  ApplyEventSchema, ApplyResultSchema, LintFindingSchema, LintRuleIdSchema, MigrationKindSchema, MigrationStatusSchema, PreflightSchema, StatementEstimateSchema,
} from '../migrations.js';
import { event, request } from './channel.js';
import { RunIdSchema } from './checks.js';
import { ConnectionIdSchema } from './connection.js';

/** Which folder, and (when detection is not enough) its kind and ledger schema. */
const FolderFields = {
  dir: z.string().trim().min(1, 'choose a migration folder').max(4096),
  kind: MigrationKindSchema.optional(),
  ledgerSchema: z.string().min(1).max(128).optional(),
};

/** A migration file as the page shows it beside its lint findings. */
export const MigrationSourceFileSchema = z.object({
  id: z.string(),
  name: z.string(),
  file: z.string().nullable(),
  sql: z.string().nullable(),
});
export type MigrationSourceFile = z.infer<typeof MigrationSourceFileSchema>;

export const migrationsContract = {
  status: request(z.object({ connectionId: ConnectionIdSchema, ...FolderFields }).strict(), MigrationStatusSchema),
  lint: request(
    z.object({
      /** Optional: with a connection, lint knows the server version and the tables that already have policies. */
      connectionId: ConnectionIdSchema.optional(),
      ...FolderFields,
      tenantColumns: z.array(z.string().min(1).max(128)).max(16).optional(),
    }).strict(),
    z.object({
      kind: MigrationKindSchema,
      dir: z.string(),
      files: z.array(MigrationSourceFileSchema),
      findings: z.array(LintFindingSchema),
    }),
  ),
  preflight: request(z.object({ connectionId: ConnectionIdSchema, ...FolderFields }).strict(), PreflightSchema),
  /** Before Apply: every pending statement with its lock and the live lint's estimate of how long it holds it (read-only). */
  estimates: request(
    z.object({ connectionId: ConnectionIdSchema, ...FolderFields, tenantColumns: z.array(z.string().min(1).max(128)).max(16).optional() }).strict(),
    z.object({ estimates: z.array(StatementEstimateSchema) }),
  ),
  apply: request(
    z.object({
      connectionId: ConnectionIdSchema,
      runId: RunIdSchema,
      ...FolderFields,
      /** Lint rules whose errors the operator acknowledged, or 'all'. */
      ack: z.union([z.literal('all'), z.array(LintRuleIdSchema)]),
      lockTimeoutMs: z.number().int().min(1).max(600_000).optional(),
      retries: z.number().int().min(0).max(20).optional(),
      upTo: z.string().min(1).max(512).optional(),
      tenantColumns: z.array(z.string().min(1).max(128)).max(16).optional(),
    }).strict(),
    ApplyResultSchema,
  ),
  cancel: request(z.object({ runId: RunIdSchema }).strict(), z.object({ cancelled: z.boolean() })),
  onEvent: event(z.object({ runId: RunIdSchema, event: ApplyEventSchema })),
};
