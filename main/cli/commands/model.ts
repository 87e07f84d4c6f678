/**
 * `tenancy model`: the tenancy model as the catalogs show it (what was detected, every table's role).
 */
import type { Command } from 'commander';
import type { TenancyModel } from '../../../shared/model.js';
import { loadModel, requireCompleteModel, summarizeModel } from '../../engine/model/load.js';
import { describePath, pathTenantColumn } from '../../engine/model/paths.js';
import { addConnectionOptions, addModelOptions, withSession, type TargetOptions } from '../common.js';
import { formatBytes, printOk, renderTable } from '../format.js';
import { formatModelHeader } from '../render.js';

/** The tenant-table ranking: every tenant-like table, how many tables reference it, and why the winner won. */
export function formatRanking(model: TenancyModel): string {
  const c = model.detection.candidates;
  if (c.length === 0) return '';
  const rows = c.slice(0, 8).map((x) => [x.chosen ? '*' : '', x.typed, String(x.referencedBy), String(x.columnTables), x.keyColumn ?? '-', x.reason]);
  const more = c.length > 8 ? `\n(${c.length - 8} more)` : '';
  return `Tenant table candidates (* chosen${model.detection.tenantTable === 'given' ? ', given' : ''}):\n${renderTable(['', 'table', 'FKs from', 'named cols', 'key', 'why'], rows)}${more}\n\n`;
}

/** Register `tenancy model`. */
export function registerModel(program: Command): void {
  const cmd = program.command('model').description('show the tenancy model: tenant table and column, every table and its role');
  addModelOptions(addConnectionOptions(cmd)).action(async (o: TargetOptions) => {
    await withSession(o, async (session, target) => {
      const model = await loadModel(session, target.profile.tenancy);
      if (o.format === 'json') {
        // One JSON object on stdout: an incomplete model is the failure envelope (exit 2) alone.
        requireCompleteModel(model);
        printOk({ model, summary: summarizeModel(model), loadedAt: new Date().toISOString() });
        return;
      }
      const rows = model.tables.map((t) => [
        `${t.schema}.${t.table}${t.partitioned ? ` [${t.partitions} partitions]` : ''}`,
        t.role,
        t.tenantColumn ? `${t.tenantColumn.name}${t.tenantColumn.nullable ? ' NULL' : ''}${t.tenantColumn.default ? ' DEFAULT' : ''}`
          : t.tenantPath ? `via ${describePath(t, pathTenantColumn(model, t))}` : '-',
        t.estimatedRows === null ? '?' : `~${t.estimatedRows}`,
        formatBytes(t.sizeBytes),
        t.rlsEnabled ? (t.rlsForced ? 'forced' : 'on') : 'off',
        String(t.policies.length),
      ]);
      process.stdout.write(`${formatModelHeader(session.fingerprint, summarizeModel(model))}\n\n${formatRanking(model)}${renderTable(['table', 'role', 'tenant column', 'rows', 'size', 'RLS', 'policies'], rows)}\n`);
      requireCompleteModel(model);
    });
  });
}
