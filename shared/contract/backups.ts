/**
 * Backups and the restore wizard, handled by main/handlers/backups.ts (thin: each action calls
 * one engine function in main/engine/backup/).
 * Writes (create, drop, restore and its dry run) need the connection in write mode first
 * (`connection/setWriteMode`).
 */
import { z } from 'zod';
import {
  BackupSchema, ChecksumSchema, CompareResultSchema, RestoreRequestSchema, RestoreResultSchema, RestoreScopeSchema,
} from '../backup.js';
import { request } from './channel.js';
import { ConnectionIdSchema } from './connection.js';

const BackupId = z.number().int().positive();

/** A tenant as the restore wizard's picker shows it. */
export const TenantEntrySchema = z.object({ id: z.string(), name: z.string().nullable() });
export type TenantEntry = z.infer<typeof TenantEntrySchema>;

export const backupsContract = {
  /** engine: listBackups(session, source?) */
  list: request(
    z.object({ connectionId: ConnectionIdSchema, schema: z.string().optional(), table: z.string().optional() }).strict(),
    z.array(BackupSchema),
  ),
  /** engine: createBackup(session, { schema, table }, { runbookRunId, tenantColumn }); tenantColumn defaults to the profile's */
  create: request(
    z.object({
      connectionId: ConnectionIdSchema, schema: z.string().min(1), table: z.string().min(1), runbookRunId: z.string().max(200).optional(),
      tenantColumn: z.string().min(1).optional(),
    }).strict(),
    BackupSchema,
  ),
  /** engine: verifyBackup(session, id) */
  verify: request(
    z.object({ connectionId: ConnectionIdSchema, id: BackupId }).strict(),
    z.object({ backup: BackupSchema, actual: ChecksumSchema, intact: z.boolean() }),
  ),
  /** engine: dropBackup(session, id) */
  drop: request(z.object({ connectionId: ConnectionIdSchema, id: BackupId }).strict(), BackupSchema),
  /** engine: compareBackup(session, id, { scope, tenantColumn, samples }) */
  compare: request(
    z.object({
      connectionId: ConnectionIdSchema, id: BackupId, scope: RestoreScopeSchema.optional(),
      tenantColumn: z.string().optional(), samples: z.number().int().min(0).max(100).optional(),
    }).strict(),
    CompareResultSchema,
  ),
  /** engine: readTenants(session, model): every tenant id and name, for the wizard's tenant picker. */
  tenants: request(z.object({ connectionId: ConnectionIdSchema }).strict(), z.array(TenantEntrySchema)),
  /** engine: restoreBackup(session, request); dryRun true for the wizard's dry-run step. */
  restore: request(RestoreRequestSchema.extend({ connectionId: ConnectionIdSchema }).strict(), RestoreResultSchema),
};
