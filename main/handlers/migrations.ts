/**
 * migrations/*: status, lint, preflight, estimates and apply of a migration folder on the host. Apply runs on
 * its own write session (so an abort or a lock wait never stalls the pages' browsing session) with
 * a second read-only session watching locks; every event goes out on `migrations/onEvent`.
 */
import type { z } from 'zod';
import type { migrationsContract } from '../../shared/contract/migrations.js';
import type { LintOptions } from '../../shared/migrations.js';
import { UserError } from '../engine/errors.js';
import { applyMigrations } from '../engine/migrations/apply.js';
import { pendingEstimates } from '../engine/migrations/estimate-pending.js';
import { annotateTargets, liveLintOptions } from '../engine/migrations/lint-live.js';
import { lintSource } from '../engine/migrations/lint.js';
import { preflight } from '../engine/migrations/preflight.js';
import { readSource, type MigrationSource } from '../engine/migrations/sources.js';
import { migrationStatus } from '../engine/migrations/status.js';
import type { Session } from '../engine/session.js';
import type { DomainHandlers } from './types.js';

type FolderRequest = z.output<typeof migrationsContract.status.request>;

function source(req: Pick<FolderRequest, 'dir' | 'kind' | 'ledgerSchema'>): MigrationSource {
  return readSource(req.dir, { kind: req.kind, ledgerSchema: req.ledgerSchema });
}

async function tablesWithPolicies(session: Session): Promise<string[]> {
  const r = await session.query<{ t: string }>("SELECT DISTINCT schemaname || '.' || tablename AS t FROM pg_catalog.pg_policies");
  return r.rows.map((x) => x.t);
}

async function lintOptions(session: Session | null, tenantColumns?: string[]): Promise<LintOptions> {
  if (!session) return { tenantColumns };
  return { tenantColumns, serverVersionNum: session.fingerprint.serverVersionNum, tablesWithPolicies: await tablesWithPolicies(session) };
}

/** Handlers for the migrations domain. */
export const migrationsHandlers: DomainHandlers<typeof migrationsContract> = {
  async status(req, ctx) {
    const src = source(req);
    return migrationStatus(ctx.connections.get(req.connectionId).session, src);
  },

  async lint(req, ctx) {
    const src = source(req);
    const session = req.connectionId ? ctx.connections.get(req.connectionId).session : null;
    const findings = session
      ? await annotateTargets(session, await lintSource(src, await liveLintOptions(session, { tenantColumns: req.tenantColumns })))
      : await lintSource(src, { tenantColumns: req.tenantColumns });
    const files = src.migrations.map((m) => ({ id: m.id, name: m.name, file: m.file, sql: m.sql }));
    return { kind: src.kind, dir: src.dir, files, findings };
  },

  async estimates(req, ctx) {
    // Its own read-only session: its timed queries and transactions never interleave with the page's other reads.
    return ctx.connections.withDedicatedSession(req.connectionId, async (session) =>
      ({ estimates: await pendingEstimates(session, source(req), { tenantColumns: req.tenantColumns }) }));
  },

  async preflight(req, ctx) {
    const src = source(req);
    return preflight(ctx.connections.get(req.connectionId).session, src);
  },

  async apply(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    if (!conn.session.isWritable) {
      throw new UserError('apply writes to the database: switch on write mode for this connection first (on production, type the database name)', 'permission');
    }
    const src = source(req);
    const controller = ctx.runs.start(req.runId);
    try {
      return await ctx.connections.withDedicatedSession(conn.id, (watcher) =>
        ctx.connections.withDedicatedSession(conn.id, async (session) => {
          // The operator already confirmed write mode for this connection (typed the name on production).
          await session.enableWrite(conn.profile.database);
          ctx.runs.attach(req.runId, session);
          return applyMigrations(session, src, {
            signal: controller.signal,
            watcher,
            ack: req.ack,
            upTo: req.upTo,
            lockTimeoutMs: req.lockTimeoutMs,
            retries: req.retries,
            lint: await lintOptions(session, req.tenantColumns),
            onEvent: (event) => ctx.emit('migrations/onEvent', { runId: req.runId, event }),
          });
        }));
    } finally {
      ctx.runs.finish(req.runId);
    }
  },

  async cancel(req, ctx) {
    return { cancelled: await ctx.runs.cancel(req.runId) };
  },
};
