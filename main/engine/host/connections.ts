/**
 * Open sessions by id, for hosts that serve a UI (Electron main, browser mode). The renderer only
 * ever holds an id; the session, the password it was opened with and the cached model stay here.
 */
import crypto from 'node:crypto';
import type { TenancyModel } from '../../../shared/model.js';
import type { Profile } from '../../../shared/profile.js';
import type { AuditSink } from '../audit-sink.js';
import { UserError } from '../errors.js';
import { Session } from '../session.js';

/** An open connection held by the host. */
export interface OpenConnection {
  id: string;
  profile: Profile;
  ephemeral: boolean;
  session: Session;
  openedAt: string;
  model?: { model: TenancyModel; loadedAt: string };
  /** Kept so long runs can open their own session; never leaves the host. */
  readonly password: string | undefined;
}

/** How the manager opens sessions. */
export interface ConnectionManagerOptions {
  audit?: () => AuditSink | undefined;
  operator?: string;
}

/** Holds open sessions by id. */
export class ConnectionManager {
  private readonly open = new Map<string, OpenConnection>();

  constructor(private readonly opts: ConnectionManagerOptions = {}) {}

  /** Connect with `profile` and `password`; returns the new connection (read-only). */
  async connect(profile: Profile, password: string | undefined, ephemeral = false): Promise<OpenConnection> {
    const session = await Session.open(profile, { password, audit: this.opts.audit?.(), operator: this.opts.operator });
    const conn: OpenConnection = {
      id: crypto.randomUUID(),
      profile,
      ephemeral,
      session,
      openedAt: new Date().toISOString(),
      password,
    };
    this.open.set(conn.id, conn);
    return conn;
  }

  /** The connection with this id, or a UserError saying to reconnect. */
  get(id: string): OpenConnection {
    const c = this.open.get(id);
    if (!c) throw new UserError('this connection is closed; connect again from the Connections page', 'connection');
    return c;
  }

  /** Every open connection, oldest first. */
  list(): OpenConnection[] {
    return [...this.open.values()];
  }

  /** Close one connection (unknown ids are already closed). */
  async close(id: string): Promise<void> {
    const c = this.open.get(id);
    this.open.delete(id);
    await c?.session.close();
  }

  /** Switch write mode; on production `confirmDatabase` must be the database name. */
  async setWriteMode(id: string, enabled: boolean, confirmDatabase?: string): Promise<OpenConnection> {
    const c = this.get(id);
    if (enabled) await c.session.enableWrite(confirmDatabase);
    else await c.session.disableWrite();
    return c;
  }

  /**
   * Run `fn` on a fresh read-only session to the same database, closed afterwards. Long runs use
   * it so that cancelling them never disturbs the connection the pages browse with.
   */
  async withDedicatedSession<T>(id: string, fn: (session: Session) => Promise<T>): Promise<T> {
    const c = this.get(id);
    const session = await Session.open(c.profile, { password: c.password, audit: this.opts.audit?.(), operator: this.opts.operator });
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  }

  /** Close everything (host shutdown). */
  async closeAll(): Promise<void> {
    const all = [...this.open.keys()];
    await Promise.all(all.map((id) => this.close(id)));
  }
}

/** Long runs that can be cancelled by id. */
export class RunRegistry {
  private readonly runs = new Map<string, { controller: AbortController; session?: Session }>();

  /** Register a run; a UserError when the id is already running. */
  start(runId: string): AbortController {
    if (this.runs.has(runId)) throw new UserError(`run ${runId} is already running`, 'usage');
    const controller = new AbortController();
    this.runs.set(runId, { controller });
    return controller;
  }

  /** Tell the registry which session the run is using, so cancel can stop its statement. */
  attach(runId: string, session: Session): void {
    const r = this.runs.get(runId);
    if (r) r.session = session;
  }

  /** Cancel a run: abort its signal and cancel the running statement. False when not running. */
  async cancel(runId: string): Promise<boolean> {
    const r = this.runs.get(runId);
    if (!r) return false;
    r.controller.abort();
    await r.session?.cancel();
    return true;
  }

  /** Forget a finished run. */
  finish(runId: string): void {
    this.runs.delete(runId);
  }
}
