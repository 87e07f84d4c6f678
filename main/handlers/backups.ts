/**
 * backups/*: the Backups page and the restore wizard. Each action looks up the connection and
 * calls one engine function; write mode, production confirmations and blockers are the engine's.
 * Actions that run a transaction get their own session (so no query from another page can land
 * inside a restore's transaction), in write mode exactly when the connection is.
 */
import type { backupsContract } from '../../shared/contract/backups.js';
import { compareBackup } from '../engine/backup/compare.js';
import { createBackup } from '../engine/backup/create.js';
import { restoreBackup } from '../engine/backup/restore.js';
import { dropBackup, listBackups, verifyBackup } from '../engine/backup/store.js';
import { readTenants } from '../engine/checks/scan.js';
import type { Session } from '../engine/session.js';
import type { HostContext } from './context.js';
import { ensureModel } from './model.js';
import type { DomainHandlers } from './types.js';

/**
 * Run `fn` on a fresh session to the connection's database, switched to write mode when the
 * connection is (the operator already confirmed it for this connection, on production by typing
 * the database name).
 */
async function onOwnSession<T>(ctx: HostContext, connectionId: string, fn: (session: Session) => Promise<T>): Promise<T> {
  const conn = ctx.connections.get(connectionId);
  return ctx.connections.withDedicatedSession(conn.id, async (session) => {
    if (conn.session.isWritable) await session.enableWrite(conn.profile.database);
    return fn(session);
  });
}

/** Handlers for the backups domain. */
export const backupsHandlers: DomainHandlers<typeof backupsContract> = {
  async list(req, ctx) {
    const { session } = ctx.connections.get(req.connectionId);
    const source = req.schema !== undefined && req.table !== undefined ? { schema: req.schema, table: req.table } : undefined;
    return listBackups(session, source);
  },

  async create(req, ctx) {
    const { profile } = ctx.connections.get(req.connectionId);
    return onOwnSession(ctx, req.connectionId, (s) => createBackup(s, { schema: req.schema, table: req.table }, {
      runbookRunId: req.runbookRunId, tenantColumn: req.tenantColumn ?? profile.tenancy.tenantColumn,
    }));
  },

  async verify(req, ctx) {
    return onOwnSession(ctx, req.connectionId, (s) => verifyBackup(s, req.id));
  },

  async drop(req, ctx) {
    return onOwnSession(ctx, req.connectionId, (s) => dropBackup(s, req.id));
  },

  async compare(req, ctx) {
    const { profile } = ctx.connections.get(req.connectionId);
    return onOwnSession(ctx, req.connectionId, (s) => compareBackup(s, req.id, {
      scope: req.scope,
      tenantColumn: req.tenantColumn ?? profile.tenancy.tenantColumn,
      samples: req.samples,
    }));
  },

  async tenants(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const { model } = await ensureModel(conn);
    const dir = await readTenants(conn.session, model);
    return [...dir].map(([id, name]) => ({ id, name }));
  },

  async restore(req, ctx) {
    const { profile } = ctx.connections.get(req.connectionId);
    const { connectionId, ...request } = req;
    return onOwnSession(ctx, connectionId, (s) => restoreBackup(s, { ...request, tenantColumn: request.tenantColumn ?? profile.tenancy.tenantColumn }));
  },
};
