/**
 * Restore a backup into its live table: one transaction with lock_timeout; blockers found
 * before anything changes; DELETE (replace only), UPDATE, INSERT; sequences advanced; the
 * restored scope's checksum compared with the backup's before commit; the result journaled.
 * A dry run does all of it and rolls back.
 */
import {
  RestoreRequestSchema, type Checksum, type CopyCheck, type RestoreCounts, type RestoreRequestInput, type RestoreResult,
} from '../../../shared/backup.js';
import { CONSOLE_SCHEMA } from '../config.js';
import { UserError } from '../errors.js';
import { qualified, quoteIdent } from '../ident.js';
import { currentOperator, type Session } from '../session.js';
import { hashProbeSql, rowHashSql, runChecksum, sameChecksum, useCanonicalOutput } from './checksum.js';
import { loadPair } from './pair.js';
import { getBackup, hashesAsRecorded } from './store.js';
import { acquireAdvisoryLock, advisoryKey, releaseAdvisoryLock } from '../advisory-lock.js';
import { blockersError, findBlockers, type BlockerShortcuts } from './restore-checks.js';
import {
  backupScopeFrom, deleteSql, insertChecksummedSql, insertSql, planRestore, restoredScopeFrom, updateSql, type RestorePlan,
} from './restore-plan.js';
import { SqlParams, backupScopeSql, checkScopeKeys, liveScopeSql } from './scope.js';

/** Options besides the request. */
export interface RestoreOptions {
  operator?: string;
}

/** Thrown inside the transaction to roll back a restore whose checksum did not verify. */
class MismatchRollback extends Error {
  constructor(readonly result: RestoreResult) {
    super('checksum mismatch');
  }
}

function confirmProduction(session: Session, schema: string, table: string, typed: string | undefined): void {
  if (session.profile.environment !== 'production') return;
  if (typed === table || typed === `${schema}.${table}`) return;
  throw new UserError(`restoring into production needs confirmation: type the table name "${schema}.${table}" (--confirm-table)`, 'permission');
}

/** Translate errors the DML can raise into one line saying nothing changed and what to do. */
function explainDmlError(err: unknown, plan: RestorePlan, lockTimeoutMs: number, scopeWasEmpty = false): unknown {
  const e = err as { code?: string; message?: string; constraint?: string; column?: string; detail?: string };
  const where = `${plan.pair.live.schema}.${plan.pair.live.table}`;
  switch (e.code) {
    case '55P03':
      return new UserError(`restore rolled back, nothing changed: rows of ${where} stayed locked by another session beyond lock_timeout (${lockTimeoutMs} ms); retry when it is done or raise --lock-timeout-ms`, 'lock');
    case '23503':
      return new UserError(`restore rolled back, nothing changed: FK "${e.constraint ?? '?'}" would break (${e.detail ?? e.message}); restore the related table first`, 'fk');
    case '23502':
      return new UserError(`restore rolled back, nothing changed: column "${e.column ?? '?'}" of ${where} is NOT NULL and the backup has no value for it; give --set-column ${e.column ?? 'COLUMN'}=VALUE`, 'usage');
    case '23505':
      return new UserError(`restore rolled back, nothing changed: unique constraint "${e.constraint ?? '?'}" of ${where} would be violated (${e.detail ?? e.message})${scopeWasEmpty ? '; the scope was empty when the restore began, so that row arrived while it ran: stop the writes into this scope and run it again' : ''}`, 'usage');
  }
  return err;
}

/** Whether the backup scope's predicate reads the live table (a backup older than the tenant column). */
function scopeReadsLive(pair: RestorePlan['pair']): boolean {
  return pair.scope.scope.kind === 'tenant' && !pair.backupHasTenantColumn;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}

/**
 * Thrown inside the transaction when the lost scope's INSERT hit a key another tenant now holds
 * (23505) or a parent that is gone (23503): checks that were left to the INSERT itself.
 */
class InsertCheckRollback extends Error {
  constructor(readonly insertError: unknown, readonly plan: RestorePlan) {
    super('the lost scope\'s INSERT failed a check left to it');
  }
}

/**
 * Restore a lost scope (no live row in it): one plain INSERT whose RETURNING gives the restored
 * rows' count and checksum in the same pass. Checks left to the INSERT (`shortcuts`): rows that
 * changed tenant to its primary key, missing parents to the FKs it checks itself. A unique or FK
 * violation rolls the transaction back and restoreBackup then runs the blocker checks in full,
 * so the operator gets the same blocker message (nothing changed either way).
 */
async function insertLostScope(session: Session, plan: RestorePlan, statements: string[], shortcuts: BlockerShortcuts): Promise<Checksum> {
  const p = new SqlParams();
  const sql = insertChecksummedSql(plan, p);
  statements.push(sql);
  try {
    const { rows } = await session.query<{ rows: string; checksum: string }>(sql, p.values);
    return { rows: Number(rows[0]!.rows), checksum: rows[0]!.checksum };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if ((shortcuts.movedRowsFailTheInsert && code === '23505') || (shortcuts.missingParentsFailTheInsert && code === '23503')) {
      throw new InsertCheckRollback(err, plan);
    }
    throw err;
  }
}

/** Whether this restore hashes rows as the backup recorded them: its scheme, over every backup column (none dropped since). */
function hashesLikeTheBackup(plan: RestorePlan): boolean {
  return plan.scheme === plan.pair.backup.checksumScheme && plan.pair.columnsDropped.length === 0;
}

/**
 * The tenant's count and checksum as recorded when the backup was taken (create.ts, the same pass
 * as the copy's checksum), when they describe exactly this scope: a tenant scope on the tenant
 * column they were grouped by, every backup column still checksummed with the backup's scheme, and
 * this server hashing as the one that recorded them (the same hash of the probe). Null: compute them.
 */
async function recordedTenantChecksum(session: Session, plan: RestorePlan): Promise<Checksum | null> {
  const { pair } = plan;
  const scope = pair.scope.scope;
  if (scope.kind !== 'tenant' || !pair.backupHasTenantColumn || !pair.tenantColumn) return null;
  if (!hashesLikeTheBackup(plan)) return null;
  const probe = hashProbeSql(plan.scheme);
  const sameHash = probe ? `b.checksum_probe = ${probe}` : 'true';
  const { rows } = await session.query<{ col: string | null; sums: Checksum | null; same_hash: boolean | null }>(
    `SELECT b.tenant_checksums ->> 'column' AS col, b.tenant_checksums -> 'tenants' -> ($2::${pair.tenantColumn.type})::text AS sums,
            ${sameHash} AS same_hash
     FROM ${qualified(CONSOLE_SCHEMA, 'backups')} b WHERE b.id = $1`,
    [pair.backup.id, scope.tenant],
  );
  if (rows[0]?.col !== pair.tenantColumn.name || rows[0].same_hash !== true) return null;
  return rows[0].sums ?? { rows: 0, checksum: '0' };
}

/** The scope's checksum in the backup, and how it is tied to the backup as taken. */
interface Expected {
  scope: Checksum;
  copy: CopyCheck;
}

/**
 * Whether the backup's recorded total describes what this restore hashes: the backup's own
 * scheme over every backup column, on a server that hashes as the one that took it.
 */
async function recordedTotalComparable(session: Session, plan: RestorePlan): Promise<boolean> {
  return hashesLikeTheBackup(plan) && hashesAsRecorded(session, plan.pair.backup);
}

/**
 * The scope's checksum computed from the copy. Where the recorded total is comparable, the same
 * pass rehashes the whole copy and compares it with that total, so a copy changed since the
 * backup is never the yardstick of a verified restore.
 */
async function checksumFromCopy(s: Session, plan: RestorePlan, compareTotal: boolean): Promise<Expected> {
  const p = new SqlParams();
  if (!compareTotal) {
    const scope = await runChecksum(s, 'b', plan.checksumColumns, backupScopeFrom(plan, p), p.values, plan.scheme);
    return { scope, copy: { status: 'unchecked', recorded: null, now: null } };
  }
  const { pair } = plan;
  const { rows } = await s.query<{ rows: string; checksum: string; scope_rows: string; scope_checksum: string }>(
    `SELECT count(*)::int8 AS rows, coalesce(sum(h), 0)::text AS checksum,
            count(*) FILTER (WHERE in_scope)::int8 AS scope_rows, coalesce(sum(h) FILTER (WHERE in_scope), 0)::text AS scope_checksum
     FROM (SELECT ${rowHashSql('b', plan.checksumColumns, plan.scheme)} AS h, (${backupScopeSql('b', pair.scope, p)}) AS in_scope FROM ${pair.backupRel} b) x`,
    p.values,
  );
  const r = rows[0]!;
  const now = { rows: Number(r.rows), checksum: r.checksum };
  const recorded = { rows: pair.backup.rowCount, checksum: pair.backup.checksum };
  return {
    scope: { rows: Number(r.scope_rows), checksum: r.scope_checksum },
    copy: { status: sameChecksum(now, recorded) ? 'intact' : 'changed', recorded, now },
  };
}

/**
 * The backup's checksum of the scope: as recorded at backup time for one tenant (above), else
 * computed from the copy (checksumFromCopy). The backup copy never changes, so when the scope does
 * not read the live table it is computed on a second session while the restore's statements run
 * (off the critical path; one session more than the restore's own), else in the restore's transaction.
 */
async function expectedChecksum(session: Session, plan: RestorePlan, concurrent: boolean): Promise<{ done: Promise<Expected> }> {
  const recorded = await recordedTenantChecksum(session, plan);
  if (recorded) return { done: Promise.resolve({ scope: recorded, copy: { status: 'recorded', recorded: null, now: null } }) };
  const compareTotal = await recordedTotalComparable(session, plan);
  const sibling = concurrent ? await session.openSibling().catch(() => null) : null;
  if (!sibling) {
    const sum = await checksumFromCopy(session, plan, compareTotal);
    return { done: Promise.resolve(sum) };
  }
  const running = sibling.transaction(async () => {
    await useCanonicalOutput(sibling);
    return checksumFromCopy(sibling, plan, compareTotal);
  }).finally(() => sibling.close());
  running.catch(() => undefined); // awaited by the caller; never an unhandled rejection meanwhile
  return { done: running };
}

async function advanceSequences(session: Session, plan: RestorePlan, dryRun: boolean): Promise<RestoreResult['sequences']> {
  const out: RestoreResult['sequences'] = [];
  const written = new Set([...plan.written, ...plan.setColumns.map((s) => s.column.name)]);
  for (const col of plan.pair.live.columns) {
    if (!col.sequence || !written.has(col.name)) continue;
    const { rows } = await session.query<{ m: string | null; behind: boolean }>(
      `SELECT m::text AS m, (m IS NOT NULL AND m > coalesce(pg_sequence_last_value($1::regclass), 0)) AS behind
       FROM (SELECT max(${quoteIdent(col.name)}) AS m FROM ${plan.pair.liveRel}) x`,
      [col.sequence],
    );
    const r = rows[0]!;
    if (!r.behind || r.m === null) continue;
    // setval is not transactional: a dry run only reports it.
    if (!dryRun) await session.query('SELECT setval($1::regclass, $2::int8)', [col.sequence, r.m]);
    out.push({ column: col.name, sequence: col.sequence, value: r.m });
  }
  return out;
}

/**
 * Restore (or dry-run) a backup. Needs write mode (a dry run writes, then rolls back). Blockers
 * and DML errors are UserErrors that leave the table unchanged. Returns the result as journaled.
 */
export async function restoreBackup(session: Session, input: RestoreRequestInput, opts: RestoreOptions = {}): Promise<RestoreResult> {
  const req = RestoreRequestSchema.parse(input);
  if (!session.isWritable) {
    throw new UserError(`a restore${req.dryRun ? ' dry run' : ''} writes inside a transaction${req.dryRun ? ' that is rolled back' : ''}; switch on write mode first`, 'permission');
  }
  const lockTimeoutMs = req.lockTimeoutMs ?? session.profile.lockTimeoutMs;
  const statementTimeoutMs = req.statementTimeoutMs ?? session.profile.statementTimeoutMs;
  const startedAt = new Date();
  const started = performance.now();
  const operator = opts.operator ?? currentOperator();

  const run = async (): Promise<RestoreResult> => {
    await session.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`, [`${lockTimeoutMs}ms`, `${statementTimeoutMs}ms`]);
    await useCanonicalOutput(session);
    const pair = await loadPair(session, req.backupId, req.scope, req.tenantColumn);
    await checkScopeKeys((sql, params) => session.query(sql, params), pair.scope, pair.backupRel);
    if (!req.dryRun) confirmProduction(session, pair.live.schema, pair.live.table, req.confirmTable);
    const plan = planRestore(pair, req.strategy, req.setColumns);
    // With no live rows in scope (a lost tenant) there is nothing to delete or update, and no key
    // of the scope can be held by a live row outside it: the tenant-moved check (or, when it is
    // left to the INSERT, the primary key) rules that out.
    const pe = new SqlParams();
    const liveInScope = await session.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${pair.liveRel} l WHERE ${liveScopeSql('l', pair.scope, pe)}) AS any`, pe.values);
    const scopeWasEmpty = !liveInScope.rows[0]!.any;
    const movedRowsFailTheInsert = scopeWasEmpty && !pair.live.primaryKeyDeferrable
      && sameColumns(pair.live.primaryKey ?? [], pair.primaryKey.map((c) => c.name));
    const shortcuts: BlockerShortcuts = { scopeWasEmpty, movedRowsFailTheInsert, missingParentsFailTheInsert: scopeWasEmpty };
    const blockers = await findBlockers(session, plan, shortcuts);
    if (blockers.length > 0) throw new UserError(blockersError(blockers), 'fk');
    const expectedSoon = await expectedChecksum(session, plan, scopeWasEmpty && !scopeReadsLive(pair));
    const before = await session.query<{ n: string }>(`SELECT count(*)::int8 AS n FROM ${pair.liveRel}`);
    const statements: string[] = [];
    const exec = async (sql: string | null, params: SqlParams): Promise<number> => {
      if (!sql) return 0;
      statements.push(sql);
      return (await session.query(sql, params.values)).rowCount ?? 0;
    };
    const counts: RestoreCounts = { deleted: 0, updated: 0, inserted: 0, scopeRowsAfter: 0, tableRowsAfter: 0, tableRowsBefore: Number(before.rows[0]!.n) };
    let actual: Checksum | null = null;
    try {
      if (scopeWasEmpty) {
        actual = await insertLostScope(session, plan, statements, shortcuts);
        counts.inserted = actual.rows;
      } else {
        if (plan.strategy === 'replace') {
          const p = new SqlParams();
          counts.deleted = await exec(deleteSql(plan, p), p);
        }
        const pu = new SqlParams();
        counts.updated = await exec(updateSql(plan, pu), pu);
        const pi = new SqlParams();
        counts.inserted = await exec(insertSql(plan, pi), pi);
      }
    } catch (err) {
      await expectedSoon.done.catch(() => undefined);
      if (err instanceof InsertCheckRollback) throw err;
      throw explainDmlError(err, plan, lockTimeoutMs, scopeWasEmpty);
    }
    const sequences = await advanceSequences(session, plan, req.dryRun);
    if (!actual) {
      const p1 = new SqlParams();
      actual = await runChecksum(session, 'b', plan.checksumColumns, restoredScopeFrom(plan, p1), p1.values, plan.scheme);
    }
    const { scope: expected, copy } = await expectedSoon.done;
    counts.scopeRowsAfter = actual.rows;
    counts.tableRowsAfter = counts.tableRowsBefore - counts.deleted + counts.inserted;
    const verified = sameChecksum(expected, actual) && copy.status !== 'changed';
    const result: RestoreResult = {
      id: null, backupId: pair.backup.id, schema: pair.live.schema, table: pair.live.table, scope: req.scope,
      strategy: req.strategy, dryRun: req.dryRun,
      status: req.dryRun ? 'dry-run' : verified ? 'verified' : 'mismatch-committed',
      counts, expected, actual, checksumScheme: plan.scheme, copy, verified, columns: plan.checksumColumns.map((c) => c.name), columnsNotRestored: pair.columnsDropped,
      sequences, statements, startedAt: startedAt.toISOString(), durationMs: 0, operator,
    };
    if (req.dryRun) return result;
    if (!verified && !req.acceptMismatch) throw new MismatchRollback({ ...result, status: 'mismatch-rolled-back' });
    result.durationMs = Math.round(performance.now() - started);
    result.id = await journal(session, result, req.setColumns);
    return result;
  };

  // One restore per table at a time: a second waits up to lock_timeout, naming the first, then is refused.
  const backup = await getBackup(session, req.backupId);
  const key = advisoryKey(`restore:${backup.sourceSchema}.${backup.sourceTable}`, `a restore into ${backup.sourceSchema}.${backup.sourceTable}`);
  await acquireAdvisoryLock(session, key, { timeoutMs: lockTimeoutMs || 3000, retryHint: 'run it again once that restore has finished (nothing was changed)' });
  try {
    const result = await session.transaction(run, { readOnly: false, rollback: req.dryRun });
    return { ...result, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    if (err instanceof InsertCheckRollback) {
      // Nothing changed; the scope was empty, so no child row can be orphaned: name the blockers.
      const blockers = await session.transaction(async () => {
        await useCanonicalOutput(session);
        return findBlockers(session, err.plan, { scopeWasEmpty: true });
      });
      if (blockers.length > 0) throw new UserError(blockersError(blockers), 'fk');
      throw explainDmlError(err.insertError, err.plan, lockTimeoutMs, true);
    }
    if (!(err instanceof MismatchRollback)) throw err;
    const result = { ...err.result, durationMs: Math.round(performance.now() - started) };
    result.id = await session.transaction(() => journal(session, result, req.setColumns), { readOnly: false });
    return result;
  } finally {
    await releaseAdvisoryLock(session, key).catch(() => undefined);
  }
}

/** Write the journal row for a restore; returns its id. */
async function journal(session: Session, r: RestoreResult, setColumns: RestoreRequestInput['setColumns']): Promise<number> {
  const { rows } = await session.query<{ id: string }>(
    `INSERT INTO ${qualified(CONSOLE_SCHEMA, 'restores')}
       (backup_id, source_schema, source_table, scope, strategy, set_columns, status, counts, expected, actual, verified,
        started_at, duration_ms, operator, fingerprint)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15::jsonb) RETURNING id`,
    [
      r.backupId, r.schema, r.table, JSON.stringify(r.scope), r.strategy, JSON.stringify(setColumns ?? []), r.status,
      // The checksums carry their scheme (and expected how it is tied to the backup), so the journal row reads alone (no schema change for it).
      JSON.stringify(r.counts), JSON.stringify({ ...r.expected, scheme: r.checksumScheme, copy: r.copy }),
      JSON.stringify({ ...r.actual, scheme: r.checksumScheme }), r.verified, r.startedAt,
      r.durationMs, r.operator, JSON.stringify(session.fingerprint),
    ],
  );
  return Number(rows[0]!.id);
}
