/**
 * `tenancy contract`: show (--plan) or run (--write) the contract statements of one table.
 */
import type { Command } from 'commander';
import type { ContractPlan, ContractResult } from '../../../shared/contract-steps.js';
import { applyContract, parseSteps, planContract } from '../../engine/contract/apply.js';
import { UserError } from '../../engine/errors.js';
import { loadModel } from '../../engine/model/load.js';
import { addConnectionOptions, addModelOptions, withSession, type TargetOptions } from '../common.js';
import { exitState } from '../exit.js';
import { printOk } from '../format.js';
import { addPacingOptions, addWriteOptions, deprecatedAlias, optionalWhole } from '../options.js';

interface ContractCliOptions extends TargetOptions {
  table: string;
  step?: string;
  plan?: boolean;
  write?: boolean;
  confirmDb?: string;
  rlsRole?: string;
  rlsSetting?: string;
  lockTimeoutMs?: string;
}

/** A plan, for humans: every statement with its reason, lint findings, notes. */
export function formatContractPlan(p: ContractPlan): string {
  const lines = [`contract plan for ${p.schema}.${p.table} (${p.steps.join(', ')}): ${p.statements.length} statement(s)`];
  if (p.statements.length === 0) lines.push('  nothing to do: the table already satisfies these steps');
  p.statements.forEach((s, i) => {
    lines.push(`  ${i + 1}. [${s.step}${s.outsideTransaction ? ', outside a transaction' : ''}] -- ${s.why}`, `     ${s.sql};`);
  });
  for (const f of p.lint) lines.push(`  lint ${f.severity} ${f.file}: ${f.rule}: ${f.message}`);
  for (const n of p.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

function formatResult(r: ContractResult): string {
  const head = r.failed ? `FAILED at statement ${r.failed.index + 1}: ${r.failed.error}` : `applied ${r.applied} statement(s) in ${r.durationMs} ms`;
  return `${formatContractPlan(r.plan)}\n${head}`;
}

/** Register `tenancy contract`. */
export function registerContract(program: Command): void {
  const cmd = program.command('contract').description('finish a table: NOT NULL, scoped uniques, no bootstrap default, composite tenant FKs, RLS; shown before it runs');
  addModelOptions(addConnectionOptions(cmd))
    .requiredOption('--table <schema.table>', 'table to contract')
    .option('--step <steps>', 'defaults, not-null, unique, fk, rls (comma-separated) or all', 'all')
    .option('--plan', 'show the statements and lint findings; change nothing (the default)')
    .option('--rls-role <role>', 'role the tenant policy applies to (default: the profile\'s, else PUBLIC)')
    .option('--rls-setting <name>', 'setting the tenant policy reads (default: the profile\'s, else app.tenant_id)');
  addWriteOptions(cmd, 'run the statements');
  addPacingOptions(cmd, { lockTimeoutMs: true });
  deprecatedAlias(cmd, '--confirm <db>', '--confirm-db');
  cmd.action(async (o: ContractCliOptions) => {
      if (o.plan && o.write) throw new UserError('give --plan or --write, not both', 'usage', '--plan');
      const steps = parseSteps(o.step);
      const lockTimeoutMs = optionalWhole(o.lockTimeoutMs, '--lock-timeout-ms');
      await withSession(o, async (session, target, signal) => {
        const model = await loadModel(session, target.profile.tenancy);
        const plan = await planContract(model, o.table, steps, {
          rlsRole: o.rlsRole ?? target.profile.rlsRole, rlsSetting: o.rlsSetting ?? target.profile.rlsSetting,
          serverVersionNum: session.fingerprint.serverVersionNum, session,
        });
        if (!o.write) {
          if (o.format === 'json') printOk(plan);
          else process.stdout.write(`${formatContractPlan(plan)}\n`);
          return;
        }
        await session.enableWrite(o.confirmDb);
        const r = await applyContract(session, plan, {
          signal, lockTimeoutMs,
          onStatement: (i, _sql, state) => { if (state !== 'done') process.stderr.write(`statement ${i + 1}/${plan.statements.length} ${state}\n`); },
        });
        if (r.failed) exitState.code = 1;
        if (o.format === 'json') printOk(r);
        else process.stdout.write(`${formatResult(r)}\n`);
      });
    });
}
