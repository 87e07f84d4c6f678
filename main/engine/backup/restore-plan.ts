/**
 * The plan of a restore: which columns are written, how columns added since the backup are
 * filled, and the DELETE / UPDATE / INSERT statements for a scope and strategy.
 */
import type { ChecksumScheme, RestoreStrategy, SetColumn } from '../../../shared/backup.js';
import { UserError } from '../errors.js';
import { quoteIdent, quoteList } from '../ident.js';
import { rowHashSql, type ChecksumColumn } from './checksum.js';
import type { BackupPair } from './pair.js';
import { SqlParams, backupScopeSql, keyJoinSql, liveScopeSql } from './scope.js';
import type { LiveColumn } from './table-info.js';

/** A restore's columns, lined up. */
export interface RestorePlan {
  pair: BackupPair;
  strategy: RestoreStrategy;
  /** Backup columns written back (the live table has them and they are not generated). */
  written: string[];
  /** Columns added since the backup, set to one value on every restored row. */
  setColumns: { column: LiveColumn; value: string | null }[];
  /** Columns compared by the checksum: backup columns the live table still has, with their types in the backup (the live table's too: see `scheme`). */
  checksumColumns: ChecksumColumn[];
  /**
   * The row hash of both checksums: the backup's own scheme, so its recorded ones compare; but
   * when a checksummed column's type changed since a `hash_record_extended` backup (whose hash
   * depends on the type), `hashtextextended` on both sides, the backup side computed from the copy.
   */
  scheme: ChecksumScheme;
  /** Non-key columns an UPDATE writes (identity ALWAYS columns cannot be updated). */
  updatable: string[];
  overridingSystemValue: boolean;
}

/** Check the --set-column mappings and line up the columns. Bad mappings are UserErrors. */
export function planRestore(pair: BackupPair, strategy: RestoreStrategy, setColumns: SetColumn[]): RestorePlan {
  const name = `${pair.live.schema}.${pair.live.table}`;
  const sets: RestorePlan['setColumns'] = [];
  for (const s of setColumns) {
    const col = pair.live.columns.find((c) => c.name === s.column);
    if (!col) throw new UserError(`--set-column ${s.column}: no such column in ${name}`, 'usage');
    if (pair.common.includes(s.column)) throw new UserError(`--set-column ${s.column}: the backup has this column; only columns added since the backup can be set`, 'usage');
    if (col.generated) throw new UserError(`--set-column ${s.column}: a generated column cannot be set`, 'usage');
    if (sets.some((x) => x.column.name === s.column)) throw new UserError(`--set-column ${s.column} given twice`, 'usage');
    sets.push({ column: col, value: s.value });
  }
  const scope = pair.scope.scope;
  const tc = pair.tenantColumn;
  if (scope.kind === 'tenant' && tc) {
    const setTenant = sets.find((x) => x.column.name === tc.name);
    if (setTenant && setTenant.value !== scope.tenant) {
      throw new UserError(`--set-column ${tc.name}=${setTenant.value ?? 'NULL'} contradicts --scope tenant:${scope.tenant}`, 'usage');
    }
  }
  const liveCol = (n: string) => pair.live.columns.find((c) => c.name === n)!;
  const written = pair.common.filter((n) => !liveCol(n).generated);
  const keys = new Set(pair.primaryKey.map((c) => c.name));
  const checksumColumns = pair.common.map((n) => ({ name: n, type: pair.backup.columns.find((c) => c.name === n)!.type }));
  const typeChanged = checksumColumns.some((c) => liveCol(c.name).type !== c.type);
  return {
    pair,
    strategy,
    written,
    setColumns: sets,
    checksumColumns,
    scheme: pair.backup.checksumScheme === 'hash_record_extended' && typeChanged ? 'hashtextextended' : pair.backup.checksumScheme,
    updatable: written.filter((n) => !keys.has(n) && liveCol(n).identity !== 'a'),
    overridingSystemValue: [...written, ...sets.map((s) => s.column.name)].some((n) => liveCol(n).identity === 'a'),
  };
}

/** The value a restored row gets for set column `s`, as a bound parameter. */
function setValueSql(s: RestorePlan['setColumns'][number], p: SqlParams): string {
  return `${p.add(s.value)}::${s.column.type}`;
}

/** DELETE of live rows in scope the backup does not have (replace only). */
export function deleteSql(plan: RestorePlan, p: SqlParams): string {
  const { pair } = plan;
  return `DELETE FROM ${pair.liveRel} l WHERE ${liveScopeSql('l', pair.scope, p)}
  AND NOT EXISTS (SELECT 1 FROM ${pair.backupRel} b WHERE ${keyJoinSql('b', 'l', pair.primaryKey)} AND ${backupScopeSql('b', pair.scope, p)})`;
}

/** UPDATE of live rows whose restored columns differ from the backup's; null when nothing is updatable. */
export function updateSql(plan: RestorePlan, p: SqlParams): string | null {
  const { pair } = plan;
  const targets = [...plan.updatable.map((n) => ({ n, v: `b.${quoteIdent(n)}` })), ...plan.setColumns.map((s) => ({ n: s.column.name, v: setValueSql(s, p) }))];
  if (targets.length === 0) return null;
  const set = targets.map((t) => `${quoteIdent(t.n)} = ${t.v}`).join(', ');
  const before = `ROW(${targets.map((t) => `l.${quoteIdent(t.n)}`).join(', ')})::text`;
  const after = `ROW(${targets.map((t) => t.v).join(', ')})::text`;
  return `UPDATE ${pair.liveRel} l SET ${set} FROM ${pair.backupRel} b
  WHERE ${keyJoinSql('b', 'l', pair.primaryKey)} AND ${backupScopeSql('b', pair.scope, p)} AND ${before} IS DISTINCT FROM ${after}`;
}

/**
 * INSERT of backup rows in scope the live table lacks (by primary key). `scopeWasEmpty`: no live
 * row was in scope, so (the blocker checks having ruled out backup rows whose key lives outside
 * the scope) no key can conflict and the plain INSERT skips ON CONFLICT's speculative insertion;
 * a row the application inserts meanwhile then fails the restore with a unique violation.
 */
export function insertSql(plan: RestorePlan, p: SqlParams, scopeWasEmpty = false, targetAlias?: string): string {
  const { pair } = plan;
  const cols = [...plan.written, ...plan.setColumns.map((s) => s.column.name)];
  const values = [...plan.written.map((n) => `b.${quoteIdent(n)}`), ...plan.setColumns.map((s) => setValueSql(s, p))];
  return `INSERT INTO ${pair.liveRel}${targetAlias ? ` AS ${targetAlias}` : ''} (${quoteList(cols)})${plan.overridingSystemValue ? ' OVERRIDING SYSTEM VALUE' : ''}
  SELECT ${values.join(', ')} FROM ${pair.backupRel} b WHERE ${backupScopeSql('b', pair.scope, p)}${scopeWasEmpty ? '' : `
  ON CONFLICT (${quoteList(pair.primaryKey.map((c) => c.name))}) DO NOTHING`}`;
}

/**
 * The plain INSERT of a lost scope (no live row in it) with the restored rows' count and checksum
 * computed from its RETURNING in the same pass: the rows as the table stored them (after defaults,
 * type coercion and BEFORE triggers), so the restored scope is not scanned a second time.
 */
export function insertChecksummedSql(plan: RestorePlan, p: SqlParams): string {
  return `WITH restored AS (${insertSql(plan, p, true, 'r')}
  RETURNING ${rowHashSql('r', plan.checksumColumns, plan.scheme)} AS h)
SELECT count(*)::int8 AS rows, coalesce(sum(h), 0)::text AS checksum FROM restored`;
}

/** FROM/WHERE of the backup rows in scope (for the expected checksum). */
export function backupScopeFrom(plan: RestorePlan, p: SqlParams): string {
  return `FROM ${plan.pair.backupRel} b WHERE ${backupScopeSql('b', plan.pair.scope, p)}`;
}

/** FROM/WHERE of the live rows the restore covers, read afterwards for the actual checksum. */
export function restoredScopeFrom(plan: RestorePlan, p: SqlParams): string {
  const { pair } = plan;
  if (plan.strategy === 'replace') return `FROM ${pair.liveRel} b WHERE ${liveScopeSql('b', pair.scope, p)}`;
  return `FROM ${pair.liveRel} b WHERE EXISTS (SELECT 1 FROM ${pair.backupRel} x WHERE ${keyJoinSql('x', 'b', pair.primaryKey)} AND ${backupScopeSql('x', pair.scope, p)})`;
}
