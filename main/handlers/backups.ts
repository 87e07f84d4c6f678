/**
 * backups/*: the Backups page and the restore wizard. Each action looks up the connection and
 * calls one engine function; write mode, production confirmations and blockers are the engine's.
 */
import type { backupsContract } from '../../shared/contract/backups.js';
import { compareBackup } from '../engine/backup/compare.js';
import { createBackup } from '../engine/backup/create.js';
import { restoreBackup } from '../engine/backup/restore.js';
import { dropBackup, listBackups, verifyBackup } from '../engine/backup/store.js';
import { readTenants } from '../engine/checks/scan.js';
import { ensureModel } from './model.js';
import type { DomainHandlers } from './types.js';

/** Handlers for the backups domain. */
export const backupsHandlers: DomainHandlers<typeof backupsContract> = {
  async list(req, ctx) {
    const { session } = ctx.connections.get(req.connectionId);
    const source = req.schema !== undefined && req.table !== undefined ? { schema: req.schema, table: req.table } : undefined;
    return listBackups(session, source);
  },

  async create(req, ctx) {
    const { session } = ctx.connections.get(req.connectionId);
    return createBackup(session, { schema: req.schema, table: req.table }, { runbookRunId: req.runbookRunId });
  },

  async verify(req, ctx) {
    return verifyBackup(ctx.connections.get(req.connectionId).session, req.id);
  },

  async drop(req, ctx) {
    return dropBackup(ctx.connections.get(req.connectionId).session, req.id);
  },

  async compare(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    return compareBackup(conn.session, req.id, {
      scope: req.scope,
      tenantColumn: req.tenantColumn ?? conn.profile.tenancy.tenantColumn,
      samples: req.samples,
    });
  },

  async tenants(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const { model } = await ensureModel(conn);
    const dir = await readTenants(conn.session, model);
    return [...dir].map(([id, name]) => ({ id, name }));
  },

  async restore(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const { connectionId: _ignored, ...request } = req;
    return restoreBackup(conn.session, { ...request, tenantColumn: request.tenantColumn ?? conn.profile.tenancy.tenantColumn });
  },
};
