/**
 * `tenancy distribution`: rows per tenant per table, the no-tenant and missing-tenant buckets;
 * `--tenant ID` shows one tenant's footprint across all tables.
 */
import type { Command } from 'commander';
import type { Distribution } from '../../../shared/findings.js';
import { computeDistribution } from '../../engine/distribution.js';
import { loadModel } from '../../engine/model/load.js';
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

/** Register `tenancy distribution`. */
export function registerDistribution(program: Command): void {
  const cmd = program.command('distribution').description("rows per tenant per table; --tenant ID for one tenant's footprint");
  addModelOptions(addConnectionOptions(cmd))
    .option('--tenant <id>', "one tenant's footprint across all tables")
    .action(async (o: TargetOptions & { tenant?: string }) => {
      await withSession(o, async (session, target, signal) => {
        const model = await loadModel(session, target.profile.tenancy);
        const progress = stderrProgress('counting');
        let d: Distribution;
        try {
          d = await computeDistribution(session, model, { tenant: o.tenant, signal, onProgress: progress.onProgress });
        } finally {
          progress.finish();
        }
        if (o.format === 'json') printOk(d);
        else process.stdout.write(`${formatDistribution(d, o.tenant)}\n`);
      });
    });
}
