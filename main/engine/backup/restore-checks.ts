/**
 * What would break before a restore touches anything: rows that changed tenant since the
 * backup, child rows left pointing at rows the restore removes, restored rows pointing at parents
 * that no longer exist. Each blocker names the foreign key and gives examples.
 */
import { qualified, quoteIdent } from '../ident.js';
import type { Session } from '../session.js';
import type { RestorePlan } from './restore-plan.js';
import { SqlParams, backupScopeSql, keyJoinSql, liveScopeSql } from './scope.js';
import type { TableForeignKey } from './table-info.js';

/** One reason the restore cannot go ahead. */
export interface RestoreBlocker {
  kind: 'tenant-moved' | 'children-orphaned' | 'parent-missing';
  constraint: string | null;
  count: number;
  examples: string[];
  message: string;
}

function keyText(alias: string, cols: readonly string[]): string {
  return `concat_ws('/', ${cols.map((c) => `${alias}.${quoteIdent(c)}::text`).join(', ')})`;
}

/**
 * SQL for a live column's value on a restored row: the backup's, a --set-column value, or (for a
 * column added since and not set) the live row's own, through a LEFT JOIN aliased l2.
 */
function restoredValueSql(plan: RestorePlan, column: string, p: SqlParams): { sql: string; needsLive: boolean } {
  const set = plan.setColumns.find((s) => s.column.name === column);
  if (set) return { sql: `${p.add(set.value)}::${set.column.type}`, needsLive: false };
  if (plan.pair.common.includes(column)) return { sql: `b.${quoteIdent(column)}`, needsLive: false };
  return { sql: `l2.${quoteIdent(column)}`, needsLive: true };
}

/** SELECT of the restored rows' values of `columns`, aliased c1..cn. */
function restoredRowsSql(plan: RestorePlan, columns: readonly string[], p: SqlParams): string {
  const { pair } = plan;
  const values = columns.map((c) => restoredValueSql(plan, c, p));
  const join = values.some((v) => v.needsLive) ? ` LEFT JOIN ${pair.liveRel} l2 ON ${keyJoinSql('b', 'l2', pair.primaryKey)}` : '';
  return `SELECT ${values.map((v, i) => `${v.sql} AS c${i + 1}`).join(', ')} FROM ${pair.backupRel} b${join} WHERE ${backupScopeSql('b', pair.scope, p)}`;
}

/** Rows of the scope whose live row (same primary key) now belongs to another tenant, or the reverse. */
export async function tenantMoved(session: Session, plan: RestorePlan): Promise<RestoreBlocker | null> {
  const { pair } = plan;
  const scope = pair.scope.scope;
  if (scope.kind !== 'tenant' || !pair.backupHasTenantColumn || !pair.tenantColumn) return null;
  const p = new SqlParams();
  const tc = quoteIdent(pair.tenantColumn.name);
  const x = `${p.add(scope.tenant)}::${pair.tenantColumn.type}`;
  const pk = pair.primaryKey.map((c) => c.name);
  const join = keyJoinSql('b', 'l', pair.primaryKey);
  const { rows } = await session.query<{ n: string; examples: string[] | null }>(
    `SELECT count(*)::int8 AS n, (array_agg(k ORDER BY k))[1:3] AS examples FROM (
       SELECT ${keyText('b', pk)} || ' (backup ' || coalesce(b.${tc}::text, 'NULL') || ', live ' || coalesce(l.${tc}::text, 'NULL') || ')' AS k
       FROM ${pair.backupRel} b JOIN ${pair.liveRel} l ON ${join}
       WHERE (b.${tc} = ${x}) IS DISTINCT FROM (l.${tc} = ${x}) AND (b.${tc} = ${x} OR l.${tc} = ${x})) m`,
    p.values,
  );
  const n = Number(rows[0]!.n);
  if (n === 0) return null;
  return {
    kind: 'tenant-moved', constraint: null, count: n, examples: rows[0]!.examples ?? [],
    message: `${n} row${n === 1 ? '' : 's'} changed tenant since the backup (e.g. ${(rows[0]!.examples ?? []).join(', ')}); restoring tenant ${scope.tenant} would move rows of another tenant: restore them with --scope keys:... or the whole table`,
  };
}

async function childrenOrphaned(session: Session, plan: RestorePlan, fk: TableForeignKey): Promise<RestoreBlocker | null> {
  const { pair } = plan;
  const p = new SqlParams();
  const childCols = `(${fk.columns.map((c) => `c.${quoteIdent(c)}`).join(', ')})`;
  const touched = plan.strategy === 'replace'
    ? liveScopeSql('l', pair.scope, p)
    : `${liveScopeSql('l', pair.scope, p)} AND EXISTS (SELECT 1 FROM ${pair.backupRel} bx WHERE ${keyJoinSql('bx', 'l', pair.primaryKey)} AND ${backupScopeSql('bx', pair.scope, p)})`;
  const before = `SELECT ${fk.refColumns.map((c) => `l.${quoteIdent(c)}`).join(', ')} FROM ${pair.liveRel} l WHERE ${touched}`;
  const after = restoredRowsSql(plan, fk.refColumns, p);
  const { rows } = await session.query<{ n: string; examples: string[] | null }>(
    `SELECT count(*)::int8 AS n, (array_agg(${keyText('c', fk.columns)}))[1:3] AS examples
     FROM ${qualified(fk.childSchema, fk.childTable)} c WHERE ${childCols} IN (${before} EXCEPT ${after})`,
    p.values,
  );
  const n = Number(rows[0]!.n);
  if (n === 0) return null;
  const action = fk.onDelete === 'c' ? ' (ON DELETE CASCADE would delete them)' : fk.onDelete === 'n' || fk.onDelete === 'd' ? ' (ON DELETE would rewrite them)' : '';
  return {
    kind: 'children-orphaned', constraint: fk.name, count: n, examples: rows[0]!.examples ?? [],
    message: `FK "${fk.name}": ${n} row${n === 1 ? '' : 's'} of ${fk.childSchema}.${fk.childTable} (${fk.columns.join(', ')} = ${(rows[0]!.examples ?? []).join(', ')}) reference rows this restore would remove${action}; restore ${fk.childSchema}.${fk.childTable} first or use --strategy upsert`,
  };
}

async function parentMissing(session: Session, plan: RestorePlan, fk: TableForeignKey): Promise<RestoreBlocker | null> {
  const { pair } = plan;
  const p = new SqlParams();
  const restored = restoredRowsSql(plan, fk.columns, p);
  const match = fk.refColumns.map((c, i) => `pp.${quoteIdent(c)} = x.c${i + 1}`).join(' AND ');
  const selfRef = fk.parentSchema === pair.live.schema && fk.parentTable === pair.live.table;
  const alsoRestored = selfRef
    ? ` AND NOT EXISTS (SELECT 1 FROM (${restoredRowsSql(plan, fk.refColumns, p)}) pp WHERE ${match})`
    : '';
  const notNull = fk.columns.map((_, i) => `x.c${i + 1} IS NOT NULL`).join(' AND ');
  const { rows } = await session.query<{ n: string; examples: string[] | null }>(
    `SELECT count(*)::int8 AS n, (array_agg(DISTINCT concat_ws('/', ${fk.columns.map((_, i) => `x.c${i + 1}::text`).join(', ')})))[1:3] AS examples
     FROM (${restored}) x
     WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${qualified(fk.parentSchema, fk.parentTable)} pp WHERE ${match})${alsoRestored}`,
    p.values,
  );
  const n = Number(rows[0]!.n);
  if (n === 0) return null;
  return {
    kind: 'parent-missing', constraint: fk.name, count: n, examples: rows[0]!.examples ?? [],
    message: `FK "${fk.name}": ${n} restored row${n === 1 ? '' : 's'} reference ${fk.parentSchema}.${fk.parentTable} rows that no longer exist (${fk.columns.join(', ')} = ${(rows[0]!.examples ?? []).join(', ')}); restore ${fk.parentSchema}.${fk.parentTable} first`,
  };
}

/** What the restore's own statements are known to enforce, so a check before them would be a repeat. */
export interface BlockerShortcuts {
  /**
   * No live row is in the scope: nothing is deleted or updated, so no child row can be orphaned.
   */
  scopeWasEmpty?: boolean;
  /**
   * The plain INSERT of an empty scope into a table whose own (non-deferrable) primary key is the
   * backup's: a backup row whose key now belongs to another tenant fails that INSERT with a unique
   * violation, after which the caller runs tenantMoved to name it (see restore.ts).
   */
  movedRowsFailTheInsert?: boolean;
  /**
   * The same plain INSERT of an empty scope: an outbound FK it checks itself (checkedByInsert)
   * fails it with an FK violation (23503) when a parent is missing, after which the caller runs
   * findBlockers again without shortcuts to name it (see restore.ts). Saves a pass over the rows.
   */
  missingParentsFailTheInsert?: boolean;
}

/** The one-line error for blockers: nothing was changed. */
export function blockersError(blockers: readonly RestoreBlocker[]): string {
  return `restore stopped before changing anything: ${blockers.map((b) => b.message).join('; ')}`;
}

/**
 * Every blocker for this restore, checked in the restore's transaction before any change (but the
 * ones `shortcuts` say the restore's statements find themselves).
 */
export async function findBlockers(session: Session, plan: RestorePlan, shortcuts: BlockerShortcuts = {}): Promise<RestoreBlocker[]> {
  const out: RestoreBlocker[] = [];
  if (!shortcuts.movedRowsFailTheInsert) {
    const moved = await tenantMoved(session, plan);
    if (moved) out.push(moved);
  }
  for (const fk of shortcuts.scopeWasEmpty ? [] : plan.pair.live.inbound) {
    const b = await childrenOrphaned(session, plan, fk);
    if (b) out.push(b);
  }
  for (const fk of plan.pair.live.outbound) {
    if (shortcuts.missingParentsFailTheInsert && fk.checkedByInsert) continue;
    const b = await parentMissing(session, plan, fk);
    if (b) out.push(b);
  }
  return out;
}
