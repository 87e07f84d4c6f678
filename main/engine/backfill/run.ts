/**
 * Run a backfill: primary-key batches, each in its own transaction together with the advance of
 * its state row, with lock_timeout per batch, retries on lock timeouts and deadlocks, a throttle
 * between batches, live progress, pause/resume and cancel. A killed run (process or connection)
 * resumes from the last committed batch; rows already filled are never updated again.
 */
import type { BackfillProgress, BackfillResult, BackfillSource, BackfillState } from '../../../shared/backfill.js';
import { CancelledError, UserError } from '../errors.js';
import { currentOperator, type Session } from '../session.js';
import { BatchPacer, paceSettings, type PaceOptions, type PaceSettings } from './pace.js';
import { CpuWaitMeter } from './cpu-wait.js';
import { IDLE_READ_EVERY_BATCHES, LatencyProbe, PROBE_GAP_MS } from './probe.js';
import { throttle, type PauseController } from './pause.js';
import { countOnOneBackend, estimateNulls } from './count.js';
import { batchSql, nullCountSql, remainingSql } from './sql.js';
import {
  createBackfillState, ensureBackfillTable, findUnfinishedBackfill, getBackfillState, newBackfillId, setBackfillStatus,
  backfillHolders, backfillLockKey, deleteUnstartedBackfill, isUnfinishedConflict,
} from './state.js';
import { describeAdvisoryHolder, releaseAdvisoryLock, tryAdvisoryLock } from '../advisory-lock.js';
import { isConnectionLoss, lostConnectionError } from '../connection-loss.js';
import { resolveBackfillTarget, type BackfillTarget } from './target.js';
import { lowerServerPriority, restoreServerPriority, type ServerNice } from './nice.js';
import { KeyWalk } from './walk.js';

/** What to fill. */
export interface BackfillSpec {
  /** schema.table as the operator types it. */
  table: string;
  column: string;
  source: BackfillSource;
}

/** What one committed batch took: for benchmarks and diagnostics. */
export interface BatchTiming {
  /** Keys the batch asked for and keys it found (with walk 'range': key values it covered). */
  size: number;
  scanned: number;
  /** How it found its rows: counting keys off the index, or a range of integer key values (walk.ts). */
  walk: 'keys' | 'range';
  updated: number;
  /** Wall time of the batch's committed transaction (not of attempts that gave up on a lock), in ms. */
  ms: number;
  /** Rest before the next batch, in ms. */
  restMs: number;
  /** The share of time the pacing spends in batches now, and the probe's latency ratio (during batches / at rest) it follows. */
  duty: number;
  latencyRatio: number | null;
  /** The same ratio at the 90th percentile (reported, not followed). */
  tailRatio: number | null;
  /** The application's backends' CPU stretch during batches over at rest, also followed (cpu-wait.ts); null where not measured. */
  cpuWaitRatio: number | null;
}

/**
 * How to run it. Pacing (see pace.ts): batches start at `batchSize` keys and are sized to commit in
 * about `targetBatchMs`; the rest after each follows the load's latency measured by a probe on a
 * second session (or a fixed `dutyCycle`).
 */
export interface BackfillOptions extends PaceOptions {
  /** lock_timeout for each batch, in ms (default the profile's, 2 s when it has none). */
  lockTimeoutMs?: number;
  /** Retries of one batch after a lock timeout or deadlock (default 5). */
  retries?: number;
  onProgress?: (e: BackfillProgress) => void;
  signal?: AbortSignal;
  pause?: PauseController;
  /** Runbook run id stored with the state. */
  run?: string;
  operator?: string;
  onBatch?: (t: BatchTiming) => void;
  /**
   * Lower the CPU priority of the backfill's server process to this nice (0..19) while it runs,
   * where the server is provably on this host (nice.ts); null or absent: leave it.
   */
  nice?: number | null;
}

const RETRYABLE = new Set(['55P03', '40P01', '40001']);

/** Why a new backfill of this column may not start: the unfinished one, said truthfully. */
async function refuseBecauseOf(session: Session, open: BackfillState): Promise<UserError> {
  const col = `${open.schema}.${open.table}.${open.column}`;
  const holders = await backfillHolders(session, open.id);
  if (holders.length) {
    return new UserError(`backfill ${open.id} of ${col} is running now in ${holders.map(describeAdvisoryHolder).join(', ')} (${open.rowsDone} rows so far); wait for it, or stop it first`, 'conflict');
  }
  const how = open.status === 'interrupted' ? 'was interrupted (its process or connection ended)' : `stopped (${open.status})`;
  return new UserError(`backfill ${open.id} of ${col} ${how} after ${open.rowsDone} rows; resume it with --resume ${open.id}`, 'conflict');
}

/** Check that a constant (or default) casts to the column's type before anything is recorded. */
async function checkValue(session: Session, target: BackfillTarget, source: BackfillSource): Promise<void> {
  const checks: [string, string][] = [];
  if (source.kind === 'constant') checks.push(['--value', source.value]);
  else if (source.default != null) checks.push(['--default', source.default]);
  for (const [flag, value] of checks) {
    try {
      await session.query(`SELECT CAST($1 AS ${target.columnType}) AS v`, [value]);
    } catch (err) {
      throw new UserError(`${flag} ${JSON.stringify(value)} is not a valid ${target.columnType} for ${target.schema}.${target.table}.${target.column}: ${(err as Error).message}`, 'usage');
    }
  }
}

/**
 * Start a new backfill. One unfinished backfill per column is a unique index on the state table:
 * of two starts at once one is refused, naming the other. A start that fails before its first batch
 * commits removes its state row, so nothing blocks the corrected command.
 */
export async function startBackfill(session: Session, spec: BackfillSpec, opts: BackfillOptions = {}): Promise<BackfillResult> {
  requireWrite(session);
  const target = await resolveBackfillTarget(session, spec.table, spec.column, spec.source);
  await checkValue(session, target, spec.source);
  await ensureBackfillTable(session);
  const open = await findUnfinishedBackfill(session, target.schema, target.table, target.column);
  if (open) throw await refuseBecauseOf(session, open);
  const id = newBackfillId();
  const key = backfillLockKey(id);
  await tryAdvisoryLock(session, key);
  try {
    let state: BackfillState;
    try {
      state = await createBackfillState(session, {
        id, schema: target.schema, table: target.table, column: target.column, source: spec.source,
        keyColumns: target.keyColumns, operator: opts.operator ?? currentOperator(), run: opts.run,
      });
    } catch (err) {
      if (!isUnfinishedConflict(err)) throw err;
      const other = await findUnfinishedBackfill(session, target.schema, target.table, target.column);
      if (other) throw await refuseBecauseOf(session, other);
      throw err;
    }
    try {
      return await runBatches(session, target, state, opts);
    } catch (err) {
      if (!isConnectionLoss(err)) await deleteUnstartedBackfill(session, id).catch(() => false);
      throw err;
    }
  } finally {
    await releaseAdvisoryLock(session, key).catch(() => undefined);
  }
}

/** Resume a backfill from its last committed batch; refused while another process runs it. */
export async function resumeBackfill(session: Session, id: string, opts: BackfillOptions = {}): Promise<BackfillResult> {
  requireWrite(session);
  const key = backfillLockKey(id);
  if (!(await tryAdvisoryLock(session, key))) {
    const holders = await backfillHolders(session, id);
    throw new UserError(`backfill ${id} is running now in ${holders.map(describeAdvisoryHolder).join(', ') || 'another session'}; wait for it, or stop it first`, 'conflict');
  }
  try {
    const state = await getBackfillState(session, id);
    const target = await resolveBackfillTarget(session, `"${state.schema.replaceAll('"', '""')}"."${state.table.replaceAll('"', '""')}"`, state.column, state.source);
    if (target.keyColumns.join('\u0000') !== state.keyColumns.join('\u0000')) {
      throw new UserError(`the primary key of ${state.schema}.${state.table} changed since backfill ${id} started; start a new backfill`, 'usage');
    }
    if (state.status === 'done') return await finish(session, target, state, 'done', 0, 0);
    return await runBatches(session, target, state, opts);
  } finally {
    await releaseAdvisoryLock(session, key).catch(() => undefined);
  }
}

/** Start, or resume the unfinished backfill of the same column: what a runbook step does. */
export async function startOrResumeBackfill(session: Session, spec: BackfillSpec, opts: BackfillOptions = {}): Promise<BackfillResult> {
  requireWrite(session);
  const target = await resolveBackfillTarget(session, spec.table, spec.column, spec.source);
  await ensureBackfillTable(session);
  const open = await findUnfinishedBackfill(session, target.schema, target.table, target.column);
  if (!open) return startBackfill(session, spec, opts);
  if (JSON.stringify(open.source) !== JSON.stringify(spec.source) && open.batches === 0) {
    // Nothing of the old one committed: the step's (possibly corrected) source wins.
    if (!(await backfillHolders(session, open.id)).length && (await deleteUnstartedBackfill(session, open.id))) return startBackfill(session, spec, opts);
  }
  return resumeBackfill(session, open.id, opts);
}

function requireWrite(session: Session): void {
  if (!session.isWritable) throw new UserError('a backfill writes: switch on write mode (--write; on production also --confirm-db DBNAME)', 'permission');
}

async function runBatches(session: Session, target: BackfillTarget, state: BackfillState, opts: BackfillOptions): Promise<BackfillResult> {
  let settings: PaceSettings;
  try {
    settings = paceSettings(opts);
  } catch (err) {
    throw new UserError((err as Error).message, 'usage');
  }
  if (opts.nice != null && !(Number.isInteger(opts.nice) && opts.nice >= 0 && opts.nice <= 19)) {
    throw new UserError(`--nice must be a whole number from 0 to 19, got ${opts.nice}`, 'usage');
  }
  const lockTimeoutMs = opts.lockTimeoutMs ?? (session.profile.lockTimeoutMs || 2000);
  const retries = opts.retries ?? 5;
  const emit = opts.onProgress ?? (() => undefined);
  const started = performance.now();
  let lastKey = state.lastKey;
  let done = state.rowsDone;
  let batches = state.batches;
  let doneThisRun = 0;
  let unresolvedThisRun = 0;
  // A fresh start estimates (no scan before the first batch); a resume, or a table never analyzed, counts.
  const estimate = lastKey ? null : await estimateNulls(session, target);
  const rem = remainingSql(target, lastKey);
  const initialRemaining = estimate ?? await countOnOneBackend(session, rem.sql, rem.params);
  const remainingEstimated = estimate !== null;
  const progress = (phase: BackfillProgress['phase'], unresolved = 0, message?: string): BackfillProgress => {
    const secs = (performance.now() - started) / 1000;
    const rate = secs > 0 ? doneThisRun / secs : 0;
    const remaining = Math.max(0, initialRemaining - doneThisRun - unresolvedThisRun);
    return {
      id: state.id, phase, batch: batches, done, remaining, rate: Math.round(rate),
      etaSeconds: rate > 0 ? Math.round((remaining / rate) * 10) / 10 : null, lastKey, unresolved, remainingEstimated, ...(message ? { message } : {}),
    };
  };
  const walk = new KeyWalk(target);
  const probe = settings.dutyCycle === null ? await LatencyProbe.open(session, target) : null;
  const serverNice = opts.nice != null ? await lowerServerPriority(session, opts.nice, session.clientPort) : undefined;
  // Niced, the scheduler already gives the application the CPU first: no rest before the first decision.
  const pacer = new BatchPacer(settings, serverNice?.applied ? 1 : undefined);
  // No meter (another host, a container, /proc hidden): the probe alone paces, as it does on most servers.
  const meter = probe ? await CpuWaitMeter.open(session, probe.readSession).then((m) => (m instanceof CpuWaitMeter ? m : null), () => null) : null;
  let cpuNoted = false;
  const notes = [
    pacer.settings.dutyCycle === null && !probe
      ? `the latency probe could not open a second connection: resting as long as each batch runs (duty ${pacer.duty}); give --duty to choose` : null,
    serverNice ? niceNote(serverNice) : null,
  ].filter((x): x is string => x !== null);
  emit(progress('counting', 0, notes.length ? notes.join('; ') : undefined));

  const onAbort = () => void session.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const offPause = opts.pause?.onChange((p) => emit(progress(p ? 'paused' : 'resumed')));
  // A constant always has a value: NULLs left at the end were written behind the cursor while it ran.
  // One more pass from the first key fills them (once: an application still writing NULLs is reported).
  let swept = false;
  // The sweep's count when it found none left: the result's NULL count, without a second scan.
  let noneLeftAtSweep = false;
  const sweepBehind = async (): Promise<boolean> => {
    if (swept || state.source.kind !== 'constant') return false;
    swept = true;
    const n = await countOnOneBackend(session, nullCountSql(target));
    noneLeftAtSweep = n === 0;
    if (n === 0) return false;
    await session.transaction(() => session.query('UPDATE tenancy_console.backfills SET last_key = NULL, updated_at = now() WHERE id = $1', [state.id]), { readOnly: false });
    lastKey = null;
    emit(progress('retry', 0, `${n} rows were written with NULL behind the cursor while it ran: one more pass from the first key fills them`));
    return true;
  };
  try {
    for (;;) {
      if (opts.pause?.paused) await opts.pause.wait(opts.signal);
      if (opts.signal?.aborted) throw new CancelledError();
      probe?.useKey(lastKey);
      await meter?.relist().catch(() => undefined);
      meter?.mark();
      probe?.startDuring();
      const batchWalk = walk.walkAfter(lastKey);
      const r = await batchWithRetries(session, target, state, lastKey, batchWalk, pacer, lockTimeoutMs, retries, opts.signal, (attempt, err) =>
        emit(progress('retry', 0, `batch ${batches + 1}: ${err} (retry ${attempt} of ${retries}, ${pacer.size} keys)`)))
        .finally(() => probe?.stopDuring());
      if (r.scanned === 0) {
        if (await sweepBehind()) continue;
        break;
      }
      const restMs = pacer.batchDone(r.scanned, r.ms, probe?.take(), meter?.window());
      if (!cpuNoted && !serverNice?.applied && pacer.cutByCpuWait) {
        cpuNoted = true;
        emit(progress('retry', 0, `the database's other backends took ${pacer.cpuWaitRatio!.toFixed(2)}x as long per ms of CPU work during batches as at rest (they queued for a core): the backfill rests (duty ${pacer.duty.toFixed(2)}); --nice 19, on the database host as the server's OS user, lets it take only the CPU they leave instead`));
      }
      const cap = walk.observe({ walk: batchWalk, from: lastKey, to: r.lastKey, scanned: r.scanned, rows: r.updated + r.unresolved });
      // With adaptive sizing off the operator's batch size stands (a key count holds at most that many rows).
      if (cap !== null && pacer.settings.targetBatchMs > 0) pacer.limit(cap);
      lastKey = r.lastKey;
      batches += 1;
      done += r.updated;
      doneThisRun += r.updated;
      unresolvedThisRun += r.unresolved;
      emit(progress('batch', r.unresolved));
      opts.onBatch?.({ size: r.size, scanned: r.scanned, walk: batchWalk, updated: r.updated, ms: Math.round(r.ms * 10) / 10, restMs, duty: pacer.duty, latencyRatio: pacer.latencyRatio, tailRatio: pacer.tailRatio, cpuWaitRatio: pacer.cpuWaitRatio });
      if (r.scanned < r.size && !(await sweepBehind())) break;
      // The probe's reference read at rest (after the same quiet gap as its reads during batches) is
      // part of the rest; without a rest that long, it rests the gap every few batches.
      const restStart = performance.now();
      const resting = probe !== null && (restMs >= PROBE_GAP_MS || batches % IDLE_READ_EVERY_BATCHES === 0);
      if (resting) {
        meter?.mark();
        await probe.idleAfterGap();
      }
      await throttle(Math.max(0, restMs - (performance.now() - restStart)), opts.signal);
      if (resting && meter) pacer.restMeasured(meter.window());
    }
  } catch (err) {
    const committed = `${(done - state.rowsDone).toLocaleString('en-US')} rows filled in ${batches - state.batches} batches committed this run (${done.toLocaleString('en-US')} in all)`;
    if (err instanceof CancelledError || opts.signal?.aborted) {
      await setBackfillStatus(session, state.id, 'cancelled').catch(() => undefined);
      emit(progress('cancelled'));
      throw new CancelledError(done > 0
        ? `cancelled by the operator: backfill ${state.id} stopped; ${committed} stay; the batch in flight was rolled back; continue with tenancy backfill --resume ${state.id} --write`
        : `cancelled by the operator: backfill ${state.id} stopped before its first batch committed; nothing was changed`);
    }
    if (isConnectionLoss(err)) {
      throw lostConnectionError(session, err, `during backfill ${state.id}; ${committed} stay; resume with tenancy backfill --resume ${state.id} --write`);
    }
    if ((err as { code?: string }).code === '57014') {
      const stage = (err as { stage?: string }).stage ?? 'a statement';
      const message = `${stage} in batch ${batches + 1} of backfill ${state.id} exceeded statement_timeout (${session.profile.statementTimeoutMs} ms, the profile's statementTimeoutMs); ${committed} stay; lower --batch or --batch-ms, or raise the profile setting, then --resume ${state.id}`;
      await setBackfillStatus(session, state.id, 'failed', message).catch(() => undefined);
      throw new UserError(message, 'timeout');
    }
    await setBackfillStatus(session, state.id, 'failed', (err as Error).message).catch(() => undefined);
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    offPause?.();
    await probe?.close().catch(() => undefined);
    if (serverNice && !restoreServerPriority(serverNice)) {
      emit(progress('retry', 0, `server process ${serverNice.pid} could not be given back nice ${serverNice.previous} (lowering a nice needs root); this session keeps nice ${serverNice.nice} until it closes`));
    }
  }
  const result = await finish(session, target, { ...state, rowsDone: done, batches }, 'done', doneThisRun, (performance.now() - started) / 1000, noneLeftAtSweep ? 0 : null);
  emit({ ...progress('done'), remaining: result.nullsLeft, remainingEstimated: false, etaSeconds: 0 });
  return serverNice ? { ...result, serverNice } : result;
}

/** The progress line's note on --nice: what it did, or why it did nothing. */
function niceNote(n: ServerNice): string {
  return n.applied
    ? `server process ${n.pid} runs at nice ${n.nice} while the backfill runs (was ${n.previous}): the application's backends get the CPU first`
    : `--nice ${n.nice} not applied, the pacing alone runs: ${n.reason}`;
}

/** Mark the backfill done and report it; `counted` is a NULL count just taken (the sweep's), else one is taken now. */
async function finish(session: Session, target: BackfillTarget, state: BackfillState, status: 'done', doneThisRun: number, secs: number, counted: number | null = null): Promise<BackfillResult> {
  await setBackfillStatus(session, state.id, status);
  const nullsLeft = counted ?? await countOnOneBackend(session, nullCountSql(target));
  return {
    id: state.id, status, rowsDone: state.rowsDone, batches: state.batches, nullsLeft,
    durationMs: Math.round(secs * 1000), rate: secs > 0 ? Math.round(doneThisRun / secs) : 0,
  };
}

interface BatchOutcome {
  scanned: number;
  updated: number;
  unresolved: number;
  lastKey: string[] | null;
}

/**
 * One batch in one transaction: the batch statement (sql.ts) finds the next keys after `from`,
 * fills them and advances the state row, guarded on the state row still saying `from`.
 */
async function runOneBatch(
  session: Session, target: BackfillTarget, state: BackfillState, from: string[] | null, walk: 'keys' | 'range', batchSize: number, lockTimeoutMs: number,
): Promise<BatchOutcome> {
  const keys = walk === 'range' ? `the next ${batchSize} key values` : `up to ${batchSize} keys`;
  const stage = `the fill (UPDATE ${target.schema}.${target.table} SET ${target.column} = ... for ${keys} after ${from ? `key ${from.join('/')}` : 'the start'})`;
  try {
    // Three round-trips: BEGIN with lock_timeout, the batch statement, COMMIT.
    return await session.transaction(async () => {
      const b = batchSql(target, state.source, from, batchSize, state.id, walk);
      const r = (await session.query<{ scanned: number; last_key: string[] | null; updated: number; unresolved: number; advanced: number }>(b.sql, b.params)).rows[0]!;
      if (r.scanned === 0 || !r.last_key) return { scanned: 0, updated: 0, unresolved: 0, lastKey: from };
      if (r.advanced !== 1) {
        throw new UserError(`the state row of backfill ${state.id} is gone or was moved by another process; nothing of this batch was kept; check tenancy backfill --list`, 'conflict');
      }
      return { scanned: r.scanned, updated: r.updated, unresolved: r.unresolved, lastKey: r.last_key };
    }, { readOnly: false, lockTimeoutMs });
  } catch (err) {
    if (err && typeof err === 'object') (err as { stage?: string }).stage = stage;
    throw err;
  }
}

/** A batch, retried after a lock timeout or deadlock with half the keys (fewer rows to lock), backing off. */
async function batchWithRetries(
  session: Session, target: BackfillTarget, state: BackfillState, from: string[] | null, walk: 'keys' | 'range', pacer: BatchPacer, lockTimeoutMs: number,
  retries: number, signal: AbortSignal | undefined, onRetry: (attempt: number, reason: string) => void,
): Promise<BatchOutcome & { size: number; ms: number }> {
  for (let attempt = 0; ; attempt += 1) {
    const size = pacer.size;
    const t0 = performance.now();
    try {
      const outcome = await runOneBatch(session, target, state, from, walk, size, lockTimeoutMs);
      return { ...outcome, size, ms: performance.now() - t0 };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (!code || !RETRYABLE.has(code) || attempt >= retries || signal?.aborted) throw err;
      pacer.lockedOut();
      onRetry(attempt + 1, code === '55P03' ? `lock_timeout (${lockTimeoutMs} ms) expired` : (err as Error).message);
      await throttle(Math.min(5000, 200 * 2 ** attempt), signal);
    }
  }
}
