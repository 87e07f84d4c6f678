/**
 * Session-level advisory locks that make "one writer at a time" a fact of the database rather
 * than a check: a key per thing written (a migration ledger, a backfill), held on the writing
 * session for the whole write, gone the moment that session's process or connection dies. Holders
 * are read from pg_locks so a waiting command can say on whom it waits.
 */
import crypto from 'node:crypto';
import { UserError } from './errors.js';
import type { Session } from './session.js';

/** An advisory lock key (the bigint form of pg_advisory_lock) and what it protects, for messages. */
export interface AdvisoryKey {
  key: bigint;
  what: string;
}

/** A session holding an advisory lock. */
export interface AdvisoryHolder {
  pid: number;
  user: string | null;
  application: string | null;
  clientAddr: string | null;
  backendStart: string | null;
  state: string | null;
}

/** A stable positive 62-bit key for `name` (sha256, so no collision with short-name hashes). */
export function advisoryKey(name: string, what: string): AdvisoryKey {
  const h = crypto.createHash('sha256').update(`tenancy-console:${name}`).digest();
  return { key: h.readBigUInt64BE(0) >> 2n, what };
}

/** "pid 123 (alice, tenancy-console, from 10.0.0.5, connected 2026-12-01T21:00:00Z)" */
export function describeAdvisoryHolder(h: AdvisoryHolder): string {
  const parts = [h.user, h.application, h.clientAddr ? `from ${h.clientAddr}` : null, h.backendStart ? `connected ${h.backendStart}` : null, h.state]
    .filter((x): x is string => !!x);
  return `pid ${h.pid}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** The sessions holding `k` now (empty when nobody does). */
export async function advisoryHolders(session: Session, k: AdvisoryKey): Promise<AdvisoryHolder[]> {
  const { rows } = await session.query<{ pid: number; user: string | null; application: string | null; client_addr: string | null; backend_start: Date | null; state: string | null }>(
    `SELECT l.pid, a.usename::text AS user, a.application_name AS application, host(a.client_addr) AS client_addr,
            a.backend_start, a.state
       FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
        AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint`,
    [k.key.toString()],
  );
  return rows.map((r) => ({
    pid: r.pid, user: r.user, application: r.application || null, clientAddr: r.client_addr,
    backendStart: r.backend_start ? r.backend_start.toISOString().replace(/\.\d+Z$/, 'Z') : null, state: r.state,
  }));
}

/** Whether any session holds `k` now. */
export async function isAdvisoryHeld(session: Session, k: AdvisoryKey): Promise<boolean> {
  return (await advisoryHolders(session, k)).length > 0;
}

/** Take `k` if nobody holds it; true when taken. */
export async function tryAdvisoryLock(session: Session, k: AdvisoryKey): Promise<boolean> {
  const { rows } = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [k.key.toString()]);
  return rows[0]!.ok;
}

/** Let go of `k` (no error when this session does not hold it). */
export async function releaseAdvisoryLock(session: Session, k: AdvisoryKey): Promise<void> {
  await session.query('SELECT pg_advisory_unlock($1::bigint)', [k.key.toString()]);
}

/** How to wait for a lock. */
export interface AcquireOptions {
  /** The most to wait, in ms (the lock_timeout of the wait). */
  timeoutMs: number;
  /** Called once when the lock is taken by someone else and the wait begins. */
  onWait?: (holders: AdvisoryHolder[]) => void;
  /** How to say "try again" in the refusal, e.g. "run migrate apply again when it has finished". */
  retryHint: string;
}

/**
 * Take `k` for this session, waiting at most `timeoutMs` for its holder; a UserError naming the
 * holder when the wait runs out. Errors other than the timeout propagate.
 */
export async function acquireAdvisoryLock(session: Session, k: AdvisoryKey, opts: AcquireOptions): Promise<void> {
  if (await tryAdvisoryLock(session, k)) return;
  const holders = await advisoryHolders(session, k);
  opts.onWait?.(holders);
  try {
    await session.query("SELECT set_config('lock_timeout', $1, false)", [`${Math.max(1, Math.round(opts.timeoutMs))}ms`]);
    await session.query('SELECT pg_advisory_lock($1::bigint)', [k.key.toString()]);
  } catch (err) {
    if ((err as { code?: string }).code !== '55P03') throw err;
    const now = await advisoryHolders(session, k).catch(() => holders);
    const who = (now.length ? now : holders).map(describeAdvisoryHolder).join(', ') || 'a session that has since let go';
    throw new UserError(`${k.what} is held by ${who}; waited ${opts.timeoutMs} ms (lock_timeout) and gave up; ${opts.retryHint}`, 'conflict');
  } finally {
    await session.query('RESET lock_timeout').catch(() => undefined);
  }
}
