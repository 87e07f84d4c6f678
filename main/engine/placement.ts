/**
 * Tenant placement on a Citus cluster: which shard and worker hold each tenant
 * (get_shard_id_for_distribution_column, pg_dist_placement, pg_dist_node), how big each shard
 * group is and how uneven, which tenants dominate a shard, and per-tenant activity from
 * citus_stat_tenants. Row counts are one GROUP BY per co-located tenant table, pushed down to the
 * workers by Citus.
 */
import pg from 'pg';
import type { Skipped } from '../../shared/findings.js';
import type { TableInfo, TenancyModel } from '../../shared/model.js';
import type { Placement, ShardGroup, TenantPlacement } from '../../shared/placement.js';
import { keyCompare } from './checks/run.js';
import { tenantGroup } from './checks/citus.js';
import { readTenants, scanTable, unscannableReason } from './checks/scan.js';
import { CancelledError, UserError } from './errors.js';
import { qualified, quoteIdent } from './ident.js';
import { requireCompleteModel } from './model/load.js';
import type { Session } from './session.js';

/**
 * A tenant holding more than this share of its shard's rows dominates the shard when other tenants
 * share it and the shard is larger than the average shard (a hot shard, not a small one split evenly).
 */
export const DOMINANT_SHARE = 0.5;

/** The distributed table whose shards place tenants: the tenant table distributed by its key, else a tenant table of the tenant group. */
export function placementAnchor(model: TenancyModel): TableInfo | null {
  const group = tenantGroup(model);
  if (group === null) return null;
  const inGroup = (t: TableInfo) => t.citus?.kind === 'distributed' && t.citus.colocationId === group;
  const tt = model.tables.find((t) => t.role === 'tenant-table');
  if (tt && inGroup(tt)) return tt;
  return model.tables.find((t) => t.role === 'tenant' && inGroup(t) && t.citus!.distributionColumn === t.tenantColumn?.name) ?? null;
}

/** The skew of a list of sizes: the largest over the mean (1 when even, 0 when empty). */
export function skewRatio(values: number[]): number {
  if (values.length === 0) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return mean > 0 ? Math.max(...values) / mean : 0;
}

/** Where each tenant lives on the cluster, shard sizes and skew, dominant tenants and activity. */
export async function computePlacement(session: Session, model: TenancyModel, opts: { signal?: AbortSignal } = {}): Promise<Placement> {
  requireCompleteModel(model);
  if (!model.cluster) throw new UserError(`${session.fingerprint.database} is not a Citus cluster (no citus extension in this database): placement needs one`, 'usage');
  const anchor = placementAnchor(model);
  if (!anchor) {
    throw new UserError(`no distributed tenant table: distribute ${model.tenantTable.schema}.${model.tenantTable.table} by ${model.tenantTable.keyColumn} first (see the distribute runbook step)`, 'usage');
  }
  const group = anchor.citus!.colocationId!;
  const anchorName = qualified(anchor.schema, anchor.table);
  const tt = model.tenantTable;

  const shardRows = await session.query<{ shardid: string; minv: string; maxv: string; node: string }>(
    `SELECT s.shardid::text AS shardid, s.shardminvalue AS minv, s.shardmaxvalue AS maxv, n.nodename || ':' || n.nodeport AS node
     FROM pg_catalog.pg_dist_shard s JOIN pg_catalog.pg_dist_placement p ON p.shardid = s.shardid
     JOIN pg_catalog.pg_dist_node n ON n.groupid = p.groupid AND n.noderole = 'primary'
     WHERE s.logicalrelid = $1::regclass ORDER BY s.shardminvalue::int8`,
    [anchorName],
  );
  const sizes = await session.query<{ minv: string; bytes: string }>(
    `SELECT s.shardminvalue AS minv, sum(cs.shard_size)::int8 AS bytes
     FROM pg_catalog.citus_shards cs JOIN pg_catalog.pg_dist_shard s ON s.shardid = cs.shardid
     WHERE cs.colocation_id = $1 GROUP BY s.shardminvalue`,
    [group],
  );
  const bytesByMin = new Map(sizes.rows.map((r) => [r.minv, Number(r.bytes)]));
  const shards = new Map<string, ShardGroup>(shardRows.rows.map((r) => [r.shardid, {
    shardId: r.shardid, minValue: r.minv, maxValue: r.maxv, node: r.node, sizeBytes: bytesByMin.get(r.minv) ?? 0, rows: 0, tenants: 0,
  }]));

  const keyType = tt.keyType;
  const where = await session.query<{ tenant: string; shardid: string }>(
    `SELECT t.${quoteIdent(tt.keyColumn)}::text AS tenant, pg_catalog.get_shard_id_for_distribution_column($1::regclass, t.${quoteIdent(tt.keyColumn)}::${keyType})::text AS shardid
     FROM ${qualified(tt.schema, tt.table)} t`,
    [anchorName],
  );
  const names = await readTenants(session, model);

  // Rows per tenant over the co-located tenant tables (the tenant table's own row not counted).
  const tables = model.tables.filter((t) => t.role === 'tenant' && t.citus?.kind === 'distributed' && t.citus.colocationId === group && t.citus.distributionColumn === t.tenantColumn?.name);
  const rowsOf = new Map<string, number>();
  const skipped: Skipped[] = [];
  for (const t of tables) {
    if (opts.signal?.aborted) throw new CancelledError();
    try {
      const scan = await scanTable(session, t, t.tenantColumn!.name, names, keyCompare(session, model));
      for (const [id, n] of scan.perTenant) rowsOf.set(id, (rowsOf.get(id) ?? 0) + n);
    } catch (err) {
      const reason = unscannableReason(err);
      if (!reason) throw err;
      skipped.push({ schema: t.schema, table: t.table, reason });
    }
  }

  const tenants: TenantPlacement[] = where.rows.map((r) => {
    const shard = shards.get(r.shardid);
    const rows = rowsOf.get(r.tenant) ?? 0;
    if (shard) { shard.rows += rows; if (rows > 0) shard.tenants += 1; }
    return { tenant: r.tenant, name: names.get(r.tenant) ?? null, shardId: r.shardid, node: shard?.node ?? '?', rows, share: 0 };
  });
  for (const t of tenants) {
    const shard = shards.get(t.shardId);
    t.share = shard && shard.rows > 0 ? t.rows / shard.rows : 0;
  }
  tenants.sort((a, b) => b.rows - a.rows || a.tenant.localeCompare(b.tenant));

  const meanRows = shards.size > 0 ? [...shards.values()].reduce((a, x) => a + x.rows, 0) / shards.size : 0;
  const dominant = tenants
    .filter((t) => {
      const shard = shards.get(t.shardId);
      return !!shard && t.share > DOMINANT_SHARE && shard.tenants >= 2 && shard.rows > meanRows;
    })
    .map((t) => ({
      tenant: t.tenant, name: t.name, shardId: t.shardId, node: t.node, rows: t.rows, shardRows: shards.get(t.shardId)!.rows, share: t.share,
      remedy: `SELECT isolate_tenant_to_new_shard(${pg.escapeLiteral(anchorName)}, ${pg.escapeLiteral(t.tenant)}::${keyType}, cascade_option => 'CASCADE');  -- then citus_move_shard_placement to give it a worker of its own`,
    }));

  const list = [...shards.values()];
  const largest = [...list].sort((a, b) => b.sizeBytes - a.sizeBytes)[0];
  const tracking = (await session.query<{ v: string | null }>(`SELECT current_setting('citus.stat_tenants_track', true) AS v`)).rows[0]!.v;
  const enabled = tracking !== null && tracking !== 'none';
  const activity = enabled
    ? (await session.query<{ tenant: string; nodeid: number; q: number; ql: number; r: number; cpu: number }>(
      `SELECT tenant_attribute AS tenant, nodeid, query_count_in_this_period AS q, query_count_in_last_period AS ql, read_count_in_this_period AS r, cpu_usage_in_this_period AS cpu
       FROM pg_catalog.citus_stat_tenants WHERE colocation_id = $1 ORDER BY query_count_in_this_period DESC, tenant_attribute`,
      [group],
    )).rows.map((r) => ({ tenant: r.tenant, nodeId: r.nodeid, queriesThisPeriod: r.q, queriesLastPeriod: r.ql, readsThisPeriod: r.r, cpuSecondsThisPeriod: r.cpu }))
    : [];

  return {
    database: session.fingerprint,
    anchor: `${anchor.schema}.${anchor.table}`,
    colocationId: group,
    tables: tables.map((t) => `${t.schema}.${t.table}`),
    shards: list,
    tenants,
    skew: { sizeRatio: skewRatio(list.map((s) => s.sizeBytes)), rowsRatio: skewRatio(list.map((s) => s.rows)), largestShard: largest?.shardId ?? null },
    dominant,
    activity: { tracking, enabled, rows: activity },
    skipped,
  };
}
