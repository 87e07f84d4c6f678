/**
 * `tenancy model`: the tenancy model as the catalogs show it (what was detected, every table's role).
 */
import type { Command } from 'commander';
import { loadModel, summarizeModel } from '../../engine/model/load.js';
import { addConnectionOptions, addModelOptions, withSession, type TargetOptions } from '../common.js';
import { formatBytes, printJson, renderTable } from '../format.js';
import { formatModelHeader } from '../render.js';

/** Register `tenancy model`. */
export function registerModel(program: Command): void {
  const cmd = program.command('model').description('show the tenancy model: tenant table and column, every table and its role');
  addModelOptions(addConnectionOptions(cmd)).action(async (o: TargetOptions) => {
    await withSession(o, async (session, target) => {
      const model = await loadModel(session, target.profile.tenancy);
      if (o.format === 'json') return printJson(model);
      const rows = model.tables.map((t) => [
        `${t.schema}.${t.table}${t.partitioned ? ` [${t.partitions} partitions]` : ''}`,
        t.role,
        t.tenantColumn ? `${t.tenantColumn.name}${t.tenantColumn.nullable ? ' NULL' : ''}${t.tenantColumn.default ? ' DEFAULT' : ''}` : '-',
        t.estimatedRows === null ? '?' : `~${t.estimatedRows}`,
        formatBytes(t.sizeBytes),
        t.rlsEnabled ? (t.rlsForced ? 'forced' : 'on') : 'off',
        String(t.policies.length),
      ]);
      process.stdout.write(`${formatModelHeader(session.fingerprint, summarizeModel(model))}\n\n${renderTable(['table', 'role', 'tenant column', 'rows', 'size', 'RLS', 'policies'], rows)}\n`);
    });
  });
}
