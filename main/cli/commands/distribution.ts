/**
 * `tenancy distribution`: rows per tenant per table, the no-tenant and missing-tenant buckets;
 * `--tenant ID` (or the tenant's name or slug) shows one tenant's footprint across all tables; `--placement` (on Citus) the shard
 * and worker of each tenant, shard skew and dominant tenants.
 */
import type { Command } from 'commander';
import type { Distribution } from '../../../shared/findings.js';
import type { Placement } from '../../../shared/placement.js';
import { computePlacement } from '../../engine/placement.js';
import { computeDistribution } from '../../engine/distribution.js';
import { loadModel } from '../../engine/model/load.js';
import { resolveTenantId } from '../../engine/tenant/find.js';
import { addConnectionOptions, addModelOptions, withSession, type TargetOptions } from '../common.js';
import { printOk, renderTable } from '../format.js';
import { stderrProgress } from '../progress.js';

/** Human rendering: per-tenant totals (or one tenant's footprint) and the two buckets. */
export function formatDistribution(d: Distribution, tenant?: string): string {
  const lines: string[] = [];
  if (tenant !== undefined) {
    const name = d.tenants.find((t) => t.id === tenant)?.name;
    const rows = d.rows.filter((r) => r.tenant === tenant);
    lines.push(`Tenant ${tenant}${name ? ` (${name})` : ''}: ${rows.reduce((a, r) => a + r.rows, 0)} rows in ${rows.length} tables`, '');
    lines.push(renderTable(['table', 'rows'], rows.sort((a, b) => b.rows - a.rows).map((r) => [`${r.schema}.${r.table}`, r.rows])));
  } else {
    const totals = new Map<string, { name: string | null; rows: number; tables: number }>();
    for (const r of d.rows) {
      if (r.bucket !== 'tenant' || r.tenant === null) continue;
      const t = totals.get(r.tenant) ?? { name: r.tenantName, rows: 0, tables: 0 };
      t.rows += r.rows;
      t.tables += 1;
      totals.set(r.tenant, t);
    }
    const sorted = [...totals.entries()].sort((a, b) => b[1].rows - a[1].rows);
    lines.push(`${d.tenants.length} tenants in ${d.tenantTable ?? '(no tenant table)'}; ${sorted.length} have rows`, '');
    lines.push(renderTable(['tenant', 'name', 'rows', 'tables'], sorted.map(([id, t]) => [id, t.name, t.rows, t.tables])));
  }
  lines.push('', d.noTenant.length === 0 ? 'No-tenant bucket: empty' : 'No-tenant bucket (NULL tenant):');
  for (const b of d.noTenant) lines.push(`  ${b.schema}.${b.table}: ${b.rows}`);
  lines.push(d.missingTenant.length === 0 ? 'Missing-tenant bucket: empty' : 'Missing-tenant bucket (id not in the tenant table):');
  for (const b of d.missingTenant) lines.push(`  ${b.schema}.${b.table}: tenant ${b.tenant}: ${b.rows}`);
  for (const s of d.skipped) lines.push(`not counted: ${s.schema}.${s.table}: ${s.reason}`);
  return lines.join('\n');
}

const kb = (n: number) => `${Math.round(n / 1024).toLocaleString('en-US')} kB`;

/** Human rendering of a placement: shards, tenants (largest first), skew, dominant tenants, activity. */
export function formatPlacement(p: Placement, tenant?: string): string {
  const lines = [`Placement by ${p.anchor} (co-location group ${p.colocationId}; rows over ${p.tables.join(', ') || 'no co-located tenant table'})`, ''];
  const tenants = tenant === undefined ? p.tenants : p.tenants.filter((t) => t.tenant === tenant);
  lines.push(renderTable(['tenant', 'name', 'shard', 'worker', 'rows', 'share of shard'], tenants.map((t) => [t.tenant, t.name, t.shardId, t.node, t.rows, `${Math.round(t.share * 100)}%`])));
  if (tenant === undefined) {
    lines.push('', renderTable(['shard', 'worker', 'size', 'rows', 'tenants'], p.shards.map((s) => [s.shardId, s.node, kb(s.sizeBytes), s.rows, s.tenants])));
    lines.push('', `skew: largest shard ${p.skew.largestShard ?? '-'} is ${p.skew.sizeRatio.toFixed(2)}x the mean size; ${p.skew.rowsRatio.toFixed(2)}x the mean rows`);
    for (const d of p.dominant) lines.push(`dominant: tenant ${d.tenant}${d.name ? ` (${d.name})` : ''} holds ${Math.round(d.share * 100)}% of shard ${d.shardId} on ${d.node}: ${d.remedy}`);
    lines.push(p.activity.enabled
      ? `activity (citus_stat_tenants): ${p.activity.rows.slice(0, 5).map((a) => `${a.tenant} ${a.queriesThisPeriod} queries`).join(', ') || 'no queries recorded this period'}`
      : `activity: citus.stat_tenants_track is ${p.activity.tracking ?? 'unknown'}; set it to 'all' on every node to see queries per tenant`);
  }
  for (const s of p.skipped) lines.push(`not counted: ${s.schema}.${s.table}: ${s.reason}`);
  return lines.join('\n');
}

/** Register `tenancy distribution`. */
export function registerDistribution(program: Command): void {
  const cmd = program.command('distribution').description("rows per tenant per table; --tenant ID for one tenant's footprint");
  addModelOptions(addConnectionOptions(cmd))
    .option('--tenant <id|name>', "one tenant's footprint across all tables: its id, or its name or slug (an ambiguous name is an error listing the matches)")
    .option('--placement', 'on a Citus cluster: the shard and worker of each tenant, shard sizes and skew, dominant tenants, activity')
    .action(async (o: TargetOptions & { tenant?: string; placement?: boolean }) => {
      await withSession(o, async (session, target, signal) => {
        const model = await loadModel(session, target.profile.tenancy);
        if (o.placement) {
          const p = await computePlacement(session, model, { signal });
          if (o.format === 'json') printOk(p);
          else process.stdout.write(`${formatPlacement(p, o.tenant === undefined ? undefined : await resolveTenantId(session, model, o.tenant))}\n`);
          return;
        }
        const progress = stderrProgress('counting');
        let d: Distribution;
        try {
          d = await computeDistribution(session, model, { tenant: o.tenant, signal, onProgress: progress.onProgress });
        } finally {
          progress.finish();
        }
        if (o.format === 'json') printOk(d);
        // A name or slug was resolved to the one tenant's id: the footprint is that id's.
        else process.stdout.write(`${formatDistribution(d, o.tenant === undefined ? undefined : d.tenants[0]?.id ?? o.tenant)}\n`);
      });
    });
}
