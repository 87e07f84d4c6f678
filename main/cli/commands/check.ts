/**
 * `tenancy check`: every verification check; exit 1 when there are error-severity findings.
 */
import type { Command } from 'commander';
import type { CheckRun } from '../../../shared/findings.js';
import { hasErrors, runChecks } from '../../engine/checks/run.js';
import { loadModel } from '../../engine/model/load.js';
import { addConnectionOptions, addModelOptions, withSession, type TargetOptions } from '../common.js';
import { printOk, renderTable } from '../format.js';
import { exitState } from '../exit.js';
import { stderrProgress } from '../progress.js';
import { formatModelHeader } from '../render.js';

interface CheckCliOptions extends TargetOptions {
  estimate?: boolean;
  rlsRole?: string;
  rlsSetting?: string;
  rlsTenant?: string;
}

/** Human rendering of a check run. */
export function formatCheckRun(run: CheckRun): string {
  const lines = [formatModelHeader(run.database, run.model, run.mode)];
  if (run.findings.length === 0) {
    lines.push('', run.skipped.length === 0 ? 'No findings: every check passed.' : `No findings in what was checked; ${run.skipped.length} not checked (below).`);
  } else {
    lines.push('', renderTable(
      ['severity', 'check', 'table', 'count', 'detail'],
      run.findings.map((f) => [f.accepted ? 'accepted' : f.severity, f.check, `${f.schema}.${f.table}`, f.count === undefined ? '' : `${f.estimate ? '~' : ''}${f.count}`, f.message]),
    ));
  }
  if (run.skipped.length > 0) {
    lines.push('', 'Not checked:', ...run.skipped.map((s) => `  ${s.schema}.${s.table}${s.constraint ? ` (${s.constraint})` : ''}: ${s.reason}`));
  }
  const by = (sev: string) => run.findings.filter((f) => f.severity === sev && !f.accepted).length;
  const accepted = run.findings.filter((f) => f.accepted).length;
  lines.push('', `${by('error')} errors, ${by('warning')} warnings, ${by('info')} notes${accepted > 0 ? `, ${accepted} accepted` : ''}${run.mode === 'estimate' ? ' (estimate mode: row counts from statistics; orphan and cross-tenant checks need exact mode)' : ''}`);
  if (run.findings.length > 0) lines.push('Evidence and remedy SQL for each finding: --format json');
  return lines.join('\n');
}

/** Register `tenancy check`. */
export function registerCheck(program: Command): void {
  const cmd = program.command('check').description('run every verification check (exit 1 when there are error findings)');
  addModelOptions(addConnectionOptions(cmd))
    .option('--estimate', 'catalogs and statistics only: instant, counts are estimates')
    .option('--rls-role <role>', 'application role for the isolation probe (on Supabase, authenticated alone probes as a real member)')
    .option('--rls-setting <name>', 'setting the application sets to the tenant id (e.g. app.tenant_id)')
    .option('--rls-tenant <id>', 'tenant to impersonate in the probe (default: the first tenant)')
    .action(async (o: CheckCliOptions) => {
      await withSession(o, async (session, target, signal) => {
        const model = await loadModel(session, target.profile.tenancy);
        const progress = stderrProgress();
        const rlsRole = o.rlsRole ?? target.profile.rlsRole;
        const rlsSetting = o.rlsSetting ?? target.profile.rlsSetting;
        let run: CheckRun;
        try {
          run = await runChecks(session, model, {
            mode: o.estimate ? 'estimate' : 'exact',
            rlsRole, rlsSetting, rlsTenant: o.rlsTenant, signal,
            onProgress: progress.onProgress,
          });
        } finally {
          progress.finish();
        }
        if (o.format === 'json') printOk(run);
        else process.stdout.write(`${formatCheckRun(run)}\n`);
        exitState.code = hasErrors(run) ? 1 : 0;
      });
    });
}
