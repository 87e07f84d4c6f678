/**
 * Apply pending migrations in order: each in one transaction together with its ledger row (or,
 * when a statement cannot run in one, statement by statement, said up front), with lock_timeout
 * and bounded retries on lock_not_available, NOTICEs streamed, a lock watch on a second session,
 * and cancellation through an AbortSignal.
 */
import type { ApplyEvent, ApplyResult, LintOptions, LintRuleId, LockHolder } from '../../../shared/migrations.js';
import { CancelledError, UserError } from '../errors.js';
import type { Session } from '../session.js';
import { ensureLedger, writeLedgerRow } from './ledger.js';
import { blockingFindings, lintSource } from './lint.js';
import { startLockWatch, type LockWatch } from './lock-watch.js';
import { planMigration, type MigrationPlan } from './plan.js';
import type { MigrationFile, MigrationSource } from './sources.js';
import { migrationStatus } from './status.js';
import { abortableDelay } from '../delay.js';
import { acquireAdvisoryLock, describeAdvisoryHolder, releaseAdvisoryLock } from '../advisory-lock.js';
import { ledgerLockKey, ledgerName } from './ledger-lock.js';

/** How to apply. */
export interface ApplyOptions {
  onEvent?: (e: ApplyEvent) => void;
  signal?: AbortSignal;
  /** lock_timeout for each migration; default the profile's (3 s when it has none). */
  lockTimeoutMs?: number;
  /** Retries after lock_not_available (55P03); default 3. */
  retries?: number;
  /** First back-off in ms, doubled each retry; default 500. */
  backoffMs?: number;
  /** A second, read-only session for the lock watch. */
  watcher?: Session;
  lockPollMs?: number;
  /** Lint rules whose errors the operator acknowledged, or 'all'. */
  ack?: readonly LintRuleId[] | 'all';
  lint?: LintOptions;
  /** Apply only up to and including this migration id. */
  upTo?: string;
  /** How long to wait for another apply's ledger lock; default the lock_timeout. */
  ledgerLockTimeoutMs?: number;
}

type Failure = NonNullable<ApplyResult['failed']>;
type Outcome = { ok: true; attempts: number; durationMs: number } | { ok: false; failure: Failure; cancelled: boolean };

const LOCK_NOT_AVAILABLE = '55P03';


const clip = (s: string, n = 500) => (s.length > n ? `${s.slice(0, n)}...` : s);

/** The migrations apply would run now, after the checks that refuse to start. */
export async function pendingMigrations(session: Session, source: MigrationSource, upTo?: string): Promise<MigrationFile[]> {
  const status = await migrationStatus(session, source);
  const failed = status.migrations.find((m) => m.state === 'failed');
  if (failed) throw new UserError(`migration ${failed.id} has a failed attempt recorded in the ledger; resolve it first (prisma migrate resolve --rolled-back ${failed.id})`, 'usage');
  const pendingIds = status.migrations.filter((m) => m.state === 'pending').map((m) => m.id);
  const missing = status.migrations.find((m) => m.state === 'missing-file' && m.file === null && source.migrations.some((s) => s.id === m.id && s.sql === null) && m.appliedAt === null);
  if (missing) throw new UserError(`${missing.id} is listed in meta/_journal.json but its file is missing; restore the file or fix the journal`, 'usage');
  let pending = source.migrations.filter((m) => pendingIds.includes(m.id));
  if (upTo) {
    const i = pending.findIndex((m) => m.id === upTo);
    if (i < 0) throw new UserError(`--to ${upTo} is not a pending migration`, 'usage');
    pending = pending.slice(0, i + 1);
  }
  return pending;
}

/**
 * Apply every pending migration of `source` (the session must be in write mode). The whole run
 * holds the ledger's advisory lock (see ledger-lock.ts): a second apply on the same ledger waits up
 * to lock_timeout, saying on whom, and is then refused; the ledger is read under the lock, so a
 * migration the other apply committed meanwhile is not run again.
 */
export async function applyMigrations(session: Session, source: MigrationSource, opts: ApplyOptions = {}): Promise<ApplyResult> {
  if (!session.isWritable) throw new UserError('apply needs write mode (--write; on production also --confirm DBNAME)', 'permission');
  const emit = opts.onEvent ?? (() => undefined);
  const key = ledgerLockKey(source);
  const timeoutMs = opts.ledgerLockTimeoutMs ?? settings(session, opts).lockTimeoutMs;
  await acquireAdvisoryLock(session, key, {
    timeoutMs,
    onWait: (holders) => emit({ type: 'ledger-wait', ledger: ledgerName(source), holders: holders.map(describeAdvisoryHolder), timeoutMs }),
    retryHint: 'run migrate apply again once it has finished (migrate status shows what it applied)',
  });
  try {
    return await applyUnderLock(session, source, opts, emit);
  } finally {
    await releaseAdvisoryLock(session, key).catch(() => undefined);
  }
}

async function applyUnderLock(session: Session, source: MigrationSource, opts: ApplyOptions, emit: (e: ApplyEvent) => void): Promise<ApplyResult> {
  const pending = await pendingMigrations(session, source, opts.upTo);
  const plans = new Map<string, MigrationPlan>();
  const lintOpts = { serverVersionNum: session.fingerprint.serverVersionNum, ...opts.lint };
  for (const m of pending) plans.set(m.id, await planMigration(m, session.fingerprint.serverVersionNum));
  const blocking = blockingFindings(await lintSource(source, lintOpts, pending.map((m) => m.id)), opts.ack ?? []);
  if (blocking.length) {
    const first = blocking.slice(0, 3).map((f) => `${f.file}:${f.line} ${f.rule}`).join(', ');
    throw new UserError(`lint errors block apply (${blocking.length}): ${first}; fix them or acknowledge with --ack ${[...new Set(blocking.map((f) => f.rule))].join(',')}`, 'lint');
  }
  const result: ApplyResult = { database: session.fingerprint, kind: source.kind, applied: [], failed: null, skipped: [], cancelled: false };
  if (pending.length === 0) return result;
  await ensureLedger(session, source);

  let current: string | null = null;
  const offNotice = session.onNotice((n) => emit({ type: 'notice', id: current, severity: n.severity ?? 'NOTICE', message: n.message ?? '' }));
  const onAbort = () => void session.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const watch = opts.watcher ? startLockWatch(opts.watcher, session.pid, (event) => emit({ type: 'lock', event }), opts.lockPollMs) : null;
  try {
    for (const [i, m] of pending.entries()) {
      current = m.id;
      const plan = plans.get(m.id)!;
      const outcome = plan.outsideTransaction
        ? await runOutside(session, source, m, plan, opts, emit, watch)
        : await runInTransaction(session, source, m, plan, opts, emit, watch);
      if (!outcome.ok) {
        result.failed = outcome.failure;
        result.cancelled = outcome.cancelled;
        result.skipped = pending.slice(i + 1).map((x) => x.id);
        break;
      }
      result.applied.push({ id: m.id, durationMs: outcome.durationMs, attempts: outcome.attempts });
      emit({ type: 'migration-done', id: m.id, durationMs: outcome.durationMs });
    }
  } finally {
    offNotice();
    opts.signal?.removeEventListener('abort', onAbort);
    await watch?.stop();
  }
  return result;
}

function settings(session: Session, opts: ApplyOptions) {
  return {
    lockTimeoutMs: opts.lockTimeoutMs ?? (session.profile.lockTimeoutMs || 3000),
    retries: opts.retries ?? 3,
    backoffMs: opts.backoffMs ?? 500,
  };
}

function failureOf(m: MigrationFile, plan: MigrationPlan, index: number | null, err: unknown, rolledBack: boolean, blockers: LockHolder[]): Failure {
  const e = err as { message?: string; code?: string };
  const stmt = index === null ? null : plan.statements[index] ?? null;
  return {
    id: m.id,
    statementIndex: index,
    line: stmt?.line ?? null,
    statement: stmt ? clip(stmt.text) : null,
    error: err instanceof CancelledError ? 'cancelled by the operator' : (e.message ?? String(err)),
    code: err instanceof CancelledError ? null : (e.code ?? null),
    rolledBack,
    blockers,
  };
}

function lockReason(blockers: LockHolder[], lockTimeoutMs: number): string {
  if (!blockers.length) return `lock_timeout (${lockTimeoutMs} ms) expired`;
  const b = blockers.map((x) => `pid ${x.pid} (${x.state ?? '?'}: ${clip(x.query ?? '', 80)})`).join(', ');
  return `lock_timeout (${lockTimeoutMs} ms) expired waiting for ${b}`;
}

async function runInTransaction(
  session: Session, source: MigrationSource, m: MigrationFile, plan: MigrationPlan,
  opts: ApplyOptions, emit: (e: ApplyEvent) => void, watch: LockWatch | null,
): Promise<Outcome> {
  const { lockTimeoutMs, retries, backoffMs } = settings(session, opts);
  for (let attempt = 1; ; attempt += 1) {
    emit({ type: 'migration-start', id: m.id, transactional: true, attempt });
    watch?.reset();
    const startedAt = new Date();
    const t0 = performance.now();
    let index: number | null = null;
    try {
      if (opts.signal?.aborted) throw new CancelledError();
      await session.query('BEGIN READ WRITE');
      await session.query("SELECT set_config('lock_timeout', $1, true)", [`${lockTimeoutMs}ms`]);
      for (const [i, s] of plan.statements.entries()) {
        index = i;
        if (opts.signal?.aborted) throw new CancelledError();
        emit({ type: 'statement', id: m.id, index: i, total: plan.statements.length, line: s.line, text: clip(s.text, 200) });
        await session.query(s.text);
      }
      index = null;
      await writeLedgerRow(session, source, { migration: m, startedAt, durationMs: performance.now() - t0, statements: plan.supabaseStatements });
      await session.query('COMMIT');
      return { ok: true, attempts: attempt, durationMs: Math.round(performance.now() - t0) };
    } catch (err) {
      await session.query('ROLLBACK').catch(() => undefined);
      const cancelled = err instanceof CancelledError || opts.signal?.aborted === true;
      const blockers = watch ? await lastBlockers(watch) : [];
      if (!cancelled && (err as { code?: string }).code === LOCK_NOT_AVAILABLE && attempt <= retries) {
        const waitMs = backoffMs * 2 ** (attempt - 1);
        emit({ type: 'retry', id: m.id, attempt, waitMs, reason: lockReason(blockers, lockTimeoutMs) });
        await abortableDelay(waitMs, opts.signal);
        continue;
      }
      return { ok: false, cancelled, failure: failureOf(m, plan, index, cancelled ? new CancelledError() : err, true, blockers) };
    }
  }
}

async function lastBlockers(watch: LockWatch): Promise<LockHolder[]> {
  return watch.blockersSeen();
}

async function runOutside(
  session: Session, source: MigrationSource, m: MigrationFile, plan: MigrationPlan,
  opts: ApplyOptions, emit: (e: ApplyEvent) => void, watch: LockWatch | null,
): Promise<Outcome> {
  const { lockTimeoutMs, retries, backoffMs } = settings(session, opts);
  emit({ type: 'migration-start', id: m.id, transactional: false, attempt: 1 });
  const startedAt = new Date();
  const t0 = performance.now();
  let attempts = 1;
  await session.query("SELECT set_config('lock_timeout', $1, false)", [`${lockTimeoutMs}ms`]);
  try {
    for (const [i, s] of plan.statements.entries()) {
      for (let attempt = 1; ; attempt += 1) {
        watch?.reset();
        try {
          if (opts.signal?.aborted) throw new CancelledError();
          emit({ type: 'statement', id: m.id, index: i, total: plan.statements.length, line: s.line, text: clip(s.text, 200) });
          await session.query(s.text);
          break;
        } catch (err) {
          const cancelled = err instanceof CancelledError || opts.signal?.aborted === true;
          const blockers = watch ? await lastBlockers(watch) : [];
          if (!cancelled && (err as { code?: string }).code === LOCK_NOT_AVAILABLE && attempt <= retries) {
            attempts += 1;
            const waitMs = backoffMs * 2 ** (attempt - 1);
            emit({ type: 'retry', id: m.id, attempt, waitMs, reason: lockReason(blockers, lockTimeoutMs) });
            await abortableDelay(waitMs, opts.signal);
            continue;
          }
          const failure = failureOf(m, plan, i, cancelled ? new CancelledError() : err, i === 0, blockers);
          if (source.kind === 'prisma' && i > 0) {
            // Prisma records a failed attempt so that its own migrator refuses to continue until resolved.
            await writeLedgerRow(session, source, { migration: m, startedAt, durationMs: performance.now() - t0, statements: plan.supabaseStatements, failure: failure.error })
              .catch(() => undefined);
          }
          return { ok: false, cancelled, failure };
        }
      }
    }
    await writeLedgerRow(session, source, { migration: m, startedAt, durationMs: performance.now() - t0, statements: plan.supabaseStatements });
    return { ok: true, attempts, durationMs: Math.round(performance.now() - t0) };
  } finally {
    await session.query('RESET lock_timeout').catch(() => undefined);
  }
}
