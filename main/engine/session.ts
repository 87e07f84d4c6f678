/**
 * A database session: one pg connection, read-only by default, timeouts set, application_name
 * tenancy-console, fingerprinted on connect, every statement audited, cancellable.
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import type { Fingerprint } from '../../shared/findings.js';
import type { Profile } from '../../shared/profile.js';
import type { AuditSink } from './audit-sink.js';
import { APPLICATION_NAME } from './config.js';
import { CancelledError, UserError, explainConnectionError } from './errors.js';
import { guardPassword } from './password-guard.js';
import { prepareRedaction } from './audit/redact.js';

/** A password, or a function asked for one only when the server wants it. */
export type PasswordProvider = string | (() => Promise<string>);

/** How to open a session besides the profile. */
export interface SessionOptions {
  password?: PasswordProvider;
  audit?: AuditSink;
  operator?: string;
  /** Connect timeout in ms (default 10 s). */
  connectTimeoutMs?: number;
  /** The runbook run id stamped on every audit entry of this session. */
  run?: string;
}

/** A NOTICE/WARNING the server sent during a statement (RAISE NOTICE, DDL notices). */
export interface ServerNotice {
  message?: string;
  severity?: string;
  code?: string;
  detail?: string;
  hint?: string;
  where?: string;
}

/** A statement's audit label and parameter redaction. */
export interface QueryMeta {
  /** Indexes of parameters to redact in the audit log. */
  secretParams?: number[];
}

/** The operator's name: TENANCY_OPERATOR, else the OS user. */
export function currentOperator(): string {
  if (process.env.TENANCY_OPERATOR) return process.env.TENANCY_OPERATOR;
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** "user@host:port/db" for messages; never a password. */
export function describeTarget(p: Pick<Profile, 'user' | 'host' | 'port' | 'database'>): string {
  return `${p.user}@${p.host}:${p.port}/${p.database}`;
}

function sslOptions(profile: Profile): pg.ClientConfig['ssl'] {
  switch (profile.sslmode) {
    case 'disable':
    case 'prefer':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full': {
      let ca: string | undefined;
      if (profile.sslRootCert) {
        try {
          ca = fs.readFileSync(profile.sslRootCert, 'utf8');
        } catch (err) {
          throw new UserError(`cannot read the CA file ${profile.sslRootCert}: ${(err as Error).message}`, 'config');
        }
      }
      return profile.sslmode === 'verify-ca'
        ? { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }
        : { ca, rejectUnauthorized: true };
    }
  }
}

/** The pg client configuration for a profile: timeouts and read-only as startup parameters. */
export function clientConfig(profile: Profile, opts: SessionOptions = {}): pg.ClientConfig {
  return {
    host: profile.host,
    port: profile.port,
    database: profile.database,
    user: profile.user,
    password: opts.password,
    ssl: sslOptions(profile),
    application_name: APPLICATION_NAME,
    statement_timeout: profile.statementTimeoutMs || undefined,
    lock_timeout: profile.lockTimeoutMs || undefined,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    options: '-c default_transaction_read_only=on',
  };
}

/** How long a statement after cancel() waits at most for the cancel request to reach the server. */
const CANCEL_DELIVERY_MS = 5000;

/** An open session on one target database. */
export class Session {
  private cancelling = false;
  /** Settles once the last cancel request has reached the server (or could not): see cancel(). */
  private cancelDelivered: Promise<void> | null = null;
  private closed = false;
  private writable = false;
  private noticeListeners = new Set<(n: ServerNotice) => void>();
  /** How many `quietly` calls are open: their statements' NOTICEs are the console's own bookkeeping. */
  private quiet = 0;

  private constructor(
    readonly profile: Profile,
    private readonly client: pg.Client,
    private readonly config: pg.ClientConfig,
    private readonly opts: SessionOptions,
    public fingerprint: Fingerprint,
  ) {
    client.on('notice', (n: ServerNotice) => {
      if (this.quiet > 0) return;
      for (const l of this.noticeListeners) l(n);
    });
  }

  /** The password for a child process on the same target (pg_dump): asked from the provider only now; undefined when none. */
  async passwordForChild(): Promise<string | undefined> {
    const p = this.opts.password;
    if (p === undefined || typeof p === 'string') return p;
    return p().catch(() => undefined);
  }

  /** Connect, read the fingerprint, and return a read-only session. Connection problems become UserErrors. */
  static async open(profile: Profile, opts: SessionOptions = {}): Promise<Session> {
    const where = describeTarget(profile);
    const config = clientConfig(profile, opts);
    await prepareRedaction(); // the audit log redacts with the SQL scanner from the first statement
    let client: pg.Client;
    try {
      client = await connect(config, profile.sslmode === 'prefer', (c) => guardPassword(c, profile, where, opts.password));
    } catch (err) {
      throw explainConnectionError(err, where);
    }
    const session = new Session(profile, client, config, opts, PENDING_FINGERPRINT);
    try {
      session.fingerprint = await readFingerprint(session);
    } catch (err) {
      await session.close();
      throw explainConnectionError(err, where);
    }
    return session;
  }

  /**
   * Open another read-only session on the same target with the same credentials and audit log
   * (a parallel scan; a latency probe beside a backfill, whose timing reads are left out of the
   * audit log with `unaudited`: it never writes). The caller closes it.
   */
  async openSibling(opts: { unaudited?: boolean } = {}): Promise<Session> {
    return Session.open(this.profile, opts.unaudited ? { ...this.opts, audit: undefined } : this.opts);
  }

  /** Whether write mode is on for this session. */
  get isWritable(): boolean {
    return this.writable;
  }

  /** The server process id of this session's connection. */
  get pid(): number {
    return (this.client as unknown as { processID: number }).processID;
  }

  /** This connection's local TCP port (what the server sees as the client's port); null over a Unix socket. */
  get clientPort(): number | null {
    const stream = (this.client as unknown as { connection?: { stream?: { localPort?: number } } }).connection?.stream;
    return typeof stream?.localPort === 'number' ? stream.localPort : null;
  }

  /**
   * Run one statement: parameters bound, audited, cancellation turned into CancelledError.
   */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = [], meta: QueryMeta = {}): Promise<pg.QueryResult<R>> {
    if (this.closed) throw new Error('session is closed');
    if (this.writable) this.refuseUnauditedWrite();
    // A cancel request still on its way would land on this statement instead of the one it was for.
    if (this.cancelDelivered) await this.cancelDelivered;
    const started = performance.now();
    try {
      const result = await this.client.query<R>(sql, params);
      this.audit(sql, params, meta, started, result.rowCount ?? null, null);
      return result;
    } catch (err) {
      this.audit(sql, params, meta, started, null, (err as Error).message);
      if (this.cancelling && (err as { code?: string }).code === '57014') throw new CancelledError();
      throw err;
    }
  }

  /**
   * Run `fn` in a transaction: read-only unless asked, rolled back when `rollback` or on error;
   * `lockTimeoutMs` sets its lock_timeout with the BEGIN.
   */
  async transaction<T>(fn: () => Promise<T>, opts: { readOnly?: boolean; rollback?: boolean; lockTimeoutMs?: number } = {}): Promise<T> {
    const readOnly = opts.readOnly ?? true;
    if (!readOnly && !this.writable) throw new UserError('this session is read-only; switch on write mode first', 'permission');
    const begin = readOnly ? 'BEGIN READ ONLY' : 'BEGIN READ WRITE';
    // lockTimeoutMs: the transaction's lock_timeout, set in the same round-trip as BEGIN.
    const lockTimeout = opts.lockTimeoutMs === undefined ? null : Math.max(0, Math.round(opts.lockTimeoutMs));
    await this.query(lockTimeout === null || !Number.isFinite(lockTimeout) ? begin : `${begin}; SET LOCAL lock_timeout = '${lockTimeout}ms'`);
    try {
      const result = await fn();
      await this.query(opts.rollback ? 'ROLLBACK' : 'COMMIT');
      return result;
    } catch (err) {
      await this.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /**
   * Switch write mode on. On production the operator must type the database name.
   */
  async enableWrite(confirmDatabase?: string): Promise<void> {
    if (this.profile.environment === 'production' && confirmDatabase !== this.profile.database) {
      throw new UserError(`write mode on production needs confirmation: type the database name "${this.profile.database}"`, 'permission');
    }
    this.refuseUnauditedWrite();
    await this.query('SET default_transaction_read_only = off');
    const failure = this.opts.audit?.lastFailure?.() ?? null;
    if (failure) {
      // The switch itself went unrecorded: back to read-only, and say why.
      await this.client.query('SET default_transaction_read_only = on').catch(() => undefined);
      throw unauditedWrite(failure);
    }
    this.writable = true;
    this.fingerprint = { ...this.fingerprint, readOnly: false };
  }

  /** Switch write mode off again. */
  async disableWrite(): Promise<void> {
    await this.query('SET default_transaction_read_only = on');
    this.writable = false;
    this.fingerprint = { ...this.fingerprint, readOnly: true };
  }

  /**
   * Run the console's own bookkeeping (CREATE SCHEMA/TABLE IF NOT EXISTS in its schema): the
   * NOTICEs those statements draw ("already exists, skipping") reach no listener, so a step's
   * NOTICEs are the step's.
   */
  async quietly<T>(fn: () => Promise<T>): Promise<T> {
    this.quiet += 1;
    try {
      return await fn();
    } finally {
      this.quiet -= 1;
    }
  }

  /** Listen to server NOTICEs; returns an unsubscribe function. */
  onNotice(listener: (n: ServerNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /**
   * Cancel the statement running now (protocol cancel request: no new login needed).
   * The running query then fails with CancelledError. The request travels on a connection of its
   * own and reaches the server some time later, by when the statement may have finished: the next
   * statement of this session waits until it has arrived (the server closes that connection once
   * it has signalled the backend, which ignores it while idle), so it never cancels the next one.
   */
  async cancel(): Promise<void> {
    this.cancelling = true;
    // pg keeps the running query in _activeQuery (the public getter is deprecated for pg@9).
    const active = (this.client as unknown as { _activeQuery?: unknown })._activeQuery;
    if (!active) return;
    const canceller = new pg.Client(this.config) as unknown as { cancel(c: pg.Client, q: unknown): void; connection: NodeJS.EventEmitter };
    const delivered: Promise<void> = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        // Delivered: later statements need not wait (unless a newer cancel is on its way).
        if (this.cancelDelivered === delivered) this.cancelDelivered = null;
        resolve();
      };
      // A server that never answers the cancel connection does not hold the session forever.
      const timer = setTimeout(done, CANCEL_DELIVERY_MS);
      timer.unref?.();
      canceller.connection.once('end', done);
      canceller.connection.once('error', done);
    });
    this.cancelDelivered = delivered;
    canceller.cancel(this.client, active);
  }

  /** Whether cancel() was called. */
  get isCancelled(): boolean {
    return this.cancelling;
  }

  /** Close the connection; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }

  /** Throws when the audit log could not record the last statement: no write goes unaudited. */
  private refuseUnauditedWrite(): void {
    const failure = this.opts.audit?.lastFailure?.() ?? null;
    if (failure) throw unauditedWrite(failure);
  }

  private audit(sql: string, params: unknown[], meta: QueryMeta, started: number, rows: number | null, error: string | null): void {
    if (!this.opts.audit) return;
    const secret = new Set(meta.secretParams ?? []);
    try {
      this.opts.audit.record({
        time: new Date().toISOString(),
        profile: this.profile.name,
        operator: this.opts.operator ?? currentOperator(),
        database: this.profile.database,
        sql,
        params: params.map((p, i) => (secret.has(i) ? '[redacted]' : p)),
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        rows,
        error,
        ...(this.opts.run ? { run: this.opts.run } : {}),
      });
    } catch {
      // The audit sink must never break a session; its own errors are its to report.
    }
  }
}

function unauditedWrite(failure: string): UserError {
  return new UserError(`writes are refused: ${failure}; free the disk or fix that folder's permissions, then retry`, 'audit');
}

const PENDING_FINGERPRINT: Fingerprint = {
  serverVersion: '', serverVersionNum: 0, database: '', user: '', serverAddress: null,
  serverPort: null, systemIdentifier: null, superuser: false, readOnly: true,
};

async function connect(config: pg.ClientConfig, tryTls: boolean, guard: (c: pg.Client) => void): Promise<pg.Client> {
  if (tryTls) {
    try {
      return await connectOnce({ ...config, ssl: { rejectUnauthorized: false } }, guard);
    } catch (err) {
      if (!/does not support SSL/i.test((err as Error).message)) throw err;
    }
  }
  return connectOnce(config, guard);
}

async function connectOnce(config: pg.ClientConfig, guard: (c: pg.Client) => void): Promise<pg.Client> {
  const client = new pg.Client(config);
  guard(client);
  // A server that goes away must not crash the process; the next query reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

async function readFingerprint(session: Session): Promise<Fingerprint> {
  const { rows } = await session.query<{
    server_version: string; version_num: string; database: string; user: string;
    addr: string | null; port: number | null; superuser: boolean; read_only: string;
  }>(`SELECT current_setting('server_version') AS server_version,
            current_setting('server_version_num') AS version_num,
            current_database() AS database, current_user AS "user",
            host(inet_server_addr()) AS addr, inet_server_port() AS port,
            coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false) AS superuser,
            current_setting('transaction_read_only') AS read_only`);
  const r = rows[0]!;
  let systemIdentifier: string | null = null;
  try {
    const sys = await session.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_catalog.pg_control_system()');
    systemIdentifier = sys.rows[0]?.id ?? null;
  } catch {
    // Not readable by this role (needs superuser or a grant): the fingerprint says null.
  }
  return {
    serverVersion: r.server_version,
    serverVersionNum: Number(r.version_num),
    database: r.database,
    user: r.user,
    serverAddress: r.addr,
    serverPort: r.port,
    systemIdentifier,
    superuser: r.superuser,
    readOnly: r.read_only === 'on',
  };
}
