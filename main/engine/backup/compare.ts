/**
 * Compare a backup with the live table by primary key: rows only in the backup, only live,
 * changed (and in which columns), per tenant too, with samples. One snapshot, two passes.
 */
import type { CompareCounts, CompareResult, CompareSample, RestoreScope } from '../../../shared/backup.js';
import { quoteIdent } from '../ident.js';
import type { Session } from '../session.js';
import { loadPair, type BackupPair } from './pair.js';
import { SqlParams, backupScopeSql, keyJoinSql, liveScopeSql } from './scope.js';

/** Options for a comparison. */
export interface CompareOptions {
  scope?: RestoreScope;
  tenantColumn?: string;
  /** Samples per kind (default 5). */
  samples?: number;
}

const PRESENT = quoteIdent('__tenancy_present');

/** The FULL JOIN of backup and live rows in scope, with kind, tenant and per-column differences. */
function joinedSql(pair: BackupPair, p: SqlParams): string {
  const pk = pair.primaryKey.map((c) => quoteIdent(c.name));
  const tc = pair.tenantColumn ? quoteIdent(pair.tenantColumn.name) : null;
  const backupCols = [...new Set([...pk, ...pair.common.map(quoteIdent), ...(tc && pair.backupHasTenantColumn ? [tc] : [])])];
  const liveCols = [...new Set([...pk, ...pair.common.map(quoteIdent), ...(tc ? [tc] : [])])];
  const diffs = pair.common.map((c) => `(b.${quoteIdent(c)}::text IS DISTINCT FROM l.${quoteIdent(c)}::text)`);
  const tenant = !tc ? 'NULL::text' : pair.backupHasTenantColumn ? `coalesce(l.${tc}::text, b.${tc}::text)` : `l.${tc}::text`;
  const rowB = `ROW(${pair.common.map((c) => `b.${quoteIdent(c)}`).join(', ')})::text`;
  const rowL = `ROW(${pair.common.map((c) => `l.${quoteIdent(c)}`).join(', ')})::text`;
  return `SELECT CASE WHEN l.${PRESENT} IS NULL THEN 'only-backup' WHEN b.${PRESENT} IS NULL THEN 'only-live'
                      WHEN ${rowB} IS DISTINCT FROM ${rowL} THEN 'changed' ELSE 'same' END AS kind,
                 ${tenant} AS tenant,
                 ARRAY[${diffs.length > 0 ? diffs.join(', ') : 'false'}]::bool[] AS diffs,
                 ARRAY[${pk.map((k) => `coalesce(b.${k}, l.${k})::text`).join(', ')}]::text[] AS key
          FROM (SELECT true AS ${PRESENT}, ${backupCols.map((c) => `b.${c}`).join(', ')} FROM ${pair.backupRel} b WHERE ${backupScopeSql('b', pair.scope, p)}) b
          FULL JOIN (SELECT true AS ${PRESENT}, ${liveCols.map((c) => `l.${c}`).join(', ')} FROM ${pair.liveRel} l WHERE ${liveScopeSql('l', pair.scope, p)}) l
            ON ${keyJoinSql('b', 'l', pair.primaryKey)}`;
}

function emptyCounts(): CompareCounts {
  return { onlyBackup: 0, onlyLive: 0, changed: 0, same: 0 };
}

function addTo(c: CompareCounts, kind: string, n: number): void {
  if (kind === 'only-backup') c.onlyBackup += n;
  else if (kind === 'only-live') c.onlyLive += n;
  else if (kind === 'changed') c.changed += n;
  else c.same += n;
}

/** Compare backup `backupId` with its live table. Read-only; one REPEATABLE READ snapshot. */
export async function compareBackup(session: Session, backupId: number, opts: CompareOptions = {}): Promise<CompareResult> {
  const scope = opts.scope ?? { kind: 'table' };
  const perKind = opts.samples ?? 5;
  return session.transaction(async () => {
    await session.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const pair = await loadPair(session, backupId, scope, opts.tenantColumn);
    const p = new SqlParams();
    const joined = joinedSql(pair, p);
    const colCounts = pair.common.map((_, i) => `count(*) FILTER (WHERE kind = 'changed' AND diffs[${i + 1}])::int8`);
    const agg = await session.query<{ kind: string; tenant: string | null; n: string; per_col: string[] }>(
      `SELECT kind, tenant, count(*)::int8 AS n, ARRAY[${colCounts.length > 0 ? colCounts.join(', ') : '0::int8'}]::text[] AS per_col
       FROM (${joined}) x GROUP BY kind, tenant ORDER BY tenant NULLS FIRST, kind`,
      p.values,
    );
    const counts = emptyCounts();
    const changedByColumn: Record<string, number> = {};
    const tenants = new Map<string | null, CompareCounts & { tenant: string | null }>();
    for (const r of agg.rows) {
      const n = Number(r.n);
      addTo(counts, r.kind, n);
      if (!tenants.has(r.tenant)) tenants.set(r.tenant, { tenant: r.tenant, ...emptyCounts() });
      addTo(tenants.get(r.tenant)!, r.kind, n);
      pair.common.forEach((c, i) => {
        const v = Number(r.per_col[i] ?? 0);
        if (v > 0) changedByColumn[c] = (changedByColumn[c] ?? 0) + v;
      });
    }
    const p2 = new SqlParams();
    const joined2 = joinedSql(pair, p2);
    const limit = p2.add(perKind);
    const samples = await session.query<{ kind: CompareSample['kind']; tenant: string | null; diffs: boolean[]; key: string[] }>(
      `SELECT kind, tenant, diffs, key FROM (
         SELECT x.*, row_number() OVER (PARTITION BY kind ORDER BY key) AS rn FROM (${joined2}) x WHERE kind <> 'same'
       ) y WHERE rn <= ${limit} ORDER BY kind, key`,
      p2.values,
    );
    return {
      backupId: pair.backup.id,
      schema: pair.live.schema,
      table: pair.live.table,
      scope,
      primaryKey: pair.primaryKey.map((c) => c.name),
      columnsAdded: pair.columnsAdded.map((c) => c.name),
      columnsDropped: pair.columnsDropped,
      counts,
      changedByColumn,
      tenantColumn: pair.tenantColumn?.name ?? null,
      perTenant: pair.tenantColumn ? [...tenants.values()] : [],
      samples: samples.rows.map((r) => ({
        kind: r.kind,
        key: Object.fromEntries(pair.primaryKey.map((c, i) => [c.name, r.key[i] ?? null])),
        tenant: r.tenant,
        changedColumns: r.kind === 'changed' ? pair.common.filter((_, i) => r.diffs[i]) : [],
      })),
    };
  });
}
