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
import { clearSteps, ensureStepsTable, readSteps, recordSteps, stepUnits, STEPS_TABLE, type StepUnit } from './steps.js';
import { recoverConcurrent } from './concurrent-recovery.js';
import { isConnectionLoss, lostConnectionError } from '../connection-loss.js';
import { qualified } from '../ident.js';

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
  // A failed Prisma attempt the console itself recorded part-way (its statements are in the companion table) is resumable.
  const resumable = new Set<string>();
  for (const failed of status.migrations.filter((m) => m.state === 'failed')) {
    if ((await readSteps(session, ledgerName(source), failed.id)).length) {
      resumable.add(failed.id);
      continue;
    }
    throw new UserError(`migration ${failed.id} has a failed attempt recorded in the ledger; resolve it first (prisma migrate resolve --rolled-back ${failed.id})`, 'usage');
  }
  const pendingIds = status.migrations.filter((m) => m.state === 'pending' || resumable.has(m.id)).map((m) => m.id);
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
  if (!session.isWritable) throw new UserError('apply needs write mode (--write; on production also --confirm-db DBNAME)', 'permission');
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
      const failure = failureOf(m, plan, index, cancelled ? new CancelledError() : err, true, blockers);
      if (isConnectionLoss(err)) {
        failure.error = lostConnectionError(session, err, 'during the migration; run migrate apply again to continue').message;
        failure.kept = index === null
          ? `${m.id} ran in one transaction with its ledger row and the connection went during COMMIT: migrate status shows whether it was applied (all of it) or not (nothing of it)`
          : `${m.id} ran in one transaction with its ledger row: nothing of it was kept`;
      }
      return { ok: false, cancelled, failure };
    }
  }
}

async function lastBlockers(watch: LockWatch): Promise<LockHolder[]> {
  return watch.blockersSeen();
}

/** "1-3, 5" */
function ranges(indexes: readonly number[]): string {
  const xs = [...indexes].sort((a, b) => a - b).map((i) => i + 1);
  const out: string[] = [];
  for (let i = 0; i < xs.length; i += 1) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j += 1;
    out.push(j > i ? `${xs[i]}-${xs[j]}` : String(xs[i]));
    i = j;
  }
  return out.join(', ');
}

/** What a failed non-transactional migration kept, in words, and how a rerun continues. */
async function keptOutside(session: Session, m: MigrationFile, plan: MigrationPlan, unit: StepUnit, completed: ReadonlySet<number>, err: unknown): Promise<string> {
  const done = completed.size
    ? `statements ${ranges([...completed])} of ${m.id} completed and are recorded in ${STEPS_TABLE}: a rerun continues after them and never runs them again`
    : `no statement of ${m.id} completed`;
  let failing = unit.kind === 'tx' ? `; statement ${unit.run.map((i) => i + 1).join(', ')} was rolled back` : '';
  const stmt = plan.parsed?.[unit.indexes[0]!];
  if (unit.kind === 'bare' && stmt?.type === 'IndexStmt') {
    if (isConnectionLoss(err)) {
      failing = '; the index build may go on on the server: a rerun records it when it finished VALID and matches the file, or drops and rebuilds it when INVALID';
    } else {
      const left = await recoverConcurrent(session, stmt).catch(() => null);
      if (left?.action === 'drop-invalid-then-run') failing = `; the failed build left the INVALID index ${left.index.name}: a rerun drops it and builds it again`;
      else if (left?.action === 'run') failing = '; the failed build left no index';
    }
  }
  return `${done}${failing}`;
}

async function runOutside(
  session: Session, source: MigrationSource, m: MigrationFile, plan: MigrationPlan,
  opts: ApplyOptions, emit: (e: ApplyEvent) => void, watch: LockWatch | null,
): Promise<Outcome> {
  const { lockTimeoutMs, retries, backoffMs } = settings(session, opts);
  const ledger = ledgerName(source);
  const parsed = plan.parsed!;
  let units: StepUnit[];
  try {
    units = stepUnits(parsed, session.fingerprint.serverVersionNum);
  } catch (err) {
    throw new UserError(`${m.id}: ${(err as Error).message}; add the COMMIT`, 'usage');
  }
  await ensureStepsTable(session);
  const completed = await resumePoint(session, source, m, emit);
  emit({ type: 'migration-start', id: m.id, transactional: false, attempt: 1 });
  const startedAt = new Date();
  const t0 = performance.now();
  let attempts = 1;
  const line = (i: number) => ({ index: i, line: parsed[i]!.line });
  const say = (message: string) => emit({ type: 'notice', id: m.id, severity: 'INFO', message });
  await session.query("SELECT set_config('lock_timeout', $1, false)", [`${lockTimeoutMs}ms`]);
  try {
    for (const u of units) {
      if (u.kind !== 'session' && u.indexes.every((i) => completed.has(i))) continue;
      for (let attempt = 1; ; attempt += 1) {
        watch?.reset();
        let current = u.run[0] ?? u.indexes[0]!;
        let inTx = false;
        try {
          if (opts.signal?.aborted) throw new CancelledError();
          const stmtEvent = (i: number) => emit({ type: 'statement', id: m.id, index: i, total: plan.statements.length, line: parsed[i]!.line, text: clip(parsed[i]!.text, 200) });
          if (u.kind === 'tx') {
            await session.query('BEGIN READ WRITE');
            inTx = true;
            await session.query("SELECT set_config('lock_timeout', $1, true)", [`${lockTimeoutMs}ms`]);
            for (const i of u.run) {
              current = i;
              if (opts.signal?.aborted) throw new CancelledError();
              stmtEvent(i);
              await session.query(parsed[i]!.text);
            }
            if (u.rollback) {
              await session.query('ROLLBACK');
              inTx = false;
              await recordSteps(session, ledger, m.id, m.checksum!, u.indexes.map(line));
            } else {
              await recordSteps(session, ledger, m.id, m.checksum!, u.indexes.map(line));
              await session.query('COMMIT');
              inTx = false;
            }
          } else if (u.kind === 'session') {
            stmtEvent(current);
            await session.query(parsed[current]!.text);
          } else {
            const recovery = await recoverConcurrent(session, parsed[current]!);
            if (recovery.action === 'refuse') throw new UserError(recovery.message, 'usage');
            if (recovery.action === 'record') {
              say(recovery.message);
              await recordSteps(session, ledger, m.id, m.checksum!, [line(current)]);
              break;
            }
            if (recovery.action === 'drop-invalid-then-run') {
              say(`found the INVALID index ${recovery.index.name} an interrupted build left: dropping it (DROP INDEX CONCURRENTLY) and building it again`);
              await session.query(`DROP INDEX CONCURRENTLY IF EXISTS ${recovery.index.qualified}`);
            }
            stmtEvent(current);
            await session.query(parsed[current]!.text);
            await recordSteps(session, ledger, m.id, m.checksum!, [line(current)]);
          }
          for (const i of u.indexes) if (u.kind !== 'session') completed.add(i);
          break;
        } catch (err) {
          if (inTx) await session.query('ROLLBACK').catch(() => undefined);
          const cancelled = err instanceof CancelledError || opts.signal?.aborted === true;
          const blockers = watch ? await lastBlockers(watch) : [];
          if (!cancelled && (err as { code?: string }).code === LOCK_NOT_AVAILABLE && attempt <= retries) {
            attempts += 1;
            const waitMs = backoffMs * 2 ** (attempt - 1);
            emit({ type: 'retry', id: m.id, attempt, waitMs, reason: lockReason(blockers, lockTimeoutMs) });
            await abortableDelay(waitMs, opts.signal);
            continue;
          }
          const lost = isConnectionLoss(err);
          const kept = await keptOutside(session, m, plan, u, completed, err);
          const failure = failureOf(m, plan, current, cancelled ? new CancelledError() : err, completed.size === 0 && u.kind !== 'bare', blockers);
          failure.kept = kept;
          if (lost) failure.error = lostConnectionError(session, err, 'during the migration; run migrate apply again to continue').message;
          if (source.kind === 'prisma' && completed.size > 0 && !lost) {
            // Prisma records a failed attempt so that its own migrator refuses to re-run the statements that stayed.
            await writeLedgerRow(session, source, { migration: m, startedAt, durationMs: performance.now() - t0, statements: plan.supabaseStatements, failure: failure.error })
              .catch(() => undefined);
          }
          return { ok: false, cancelled, failure };
        }
      }
    }
    await session.transaction(async () => {
      if (source.kind === 'prisma') await resolvePrismaAttempts(session, source, m);
      await writeLedgerRow(session, source, { migration: m, startedAt, durationMs: performance.now() - t0, statements: plan.supabaseStatements });
      await clearSteps(session, ledger, m.id);
    }, { readOnly: false });
    return { ok: true, attempts, durationMs: Math.round(performance.now() - t0) };
  } finally {
    await session.query('RESET lock_timeout').catch(() => undefined);
  }
}

/**
 * The statements an earlier attempt completed, for a rerun to skip. Refused when they came from
 * another version of the file; forgotten (starting over, said) when the operator marked the failed
 * Prisma attempt rolled back after they ran.
 */
async function resumePoint(session: Session, source: MigrationSource, m: MigrationFile, emit: (e: ApplyEvent) => void): Promise<Set<number>> {
  const ledger = ledgerName(source);
  const steps = await readSteps(session, ledger, m.id);
  if (!steps.length) return new Set();
  const say = (message: string) => emit({ type: 'notice', id: m.id, severity: 'INFO', message });
  const list = ranges(steps.map((x) => x.statement));
  if (steps.some((x) => x.checksum !== m.checksum)) {
    throw new UserError(`${m.id} was partly applied from another version of the file (statements ${list} are recorded in ${STEPS_TABLE} under another checksum); restore the version that ran, or finish it by hand and delete its rows from ${STEPS_TABLE}`, 'usage');
  }
  if (source.kind === 'prisma') {
    const last = Math.max(...steps.map((x) => x.completedAt.getTime()));
    const { rows } = await session.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${qualified(source.ledger.schema, source.ledger.table)} WHERE migration_name = $1 AND rolled_back_at > $2`, [m.id, new Date(last)]);
    if (rows[0]!.n > 0) {
      await clearSteps(session, ledger, m.id);
      say(`the failed attempt of ${m.id} was marked rolled back (prisma migrate resolve) after statements ${list} ran: starting over from statement 1`);
      return new Set();
    }
  }
  say(`resuming ${m.id}: statements ${list} completed in an earlier attempt and are not run again`);
  return new Set(steps.map((x) => x.statement));
}

/** Mark the console's own failed Prisma attempts of `m` rolled back, as `prisma migrate resolve` would, before recording it applied. */
async function resolvePrismaAttempts(session: Session, source: MigrationSource, m: MigrationFile): Promise<void> {
  await session.query(
    `UPDATE ${qualified(source.ledger.schema, source.ledger.table)} SET rolled_back_at = clock_timestamp() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`, [m.id]);
}
