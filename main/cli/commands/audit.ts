/**
 * `tenancy audit`: list, filter and verify the local audit log. Registering it also wires the
 * audit log into every CLI session, so each statement any command sends is recorded.
 */
import { Option, type Command } from 'commander';
import { AuditLog } from '../../engine/audit/log.js';
import { auditDir } from '../../engine/audit/files.js';
import { readAuditEntries } from '../../engine/audit/read.js';
import { verifyAuditLog } from '../../engine/audit/verify.js';
import { configDir } from '../../engine/config.js';
import { setCliAuditFactory } from '../common.js';
import { exitState } from '../exit.js';
import { printOk, renderTable } from '../format.js';
import { parseWhole } from '../options.js';

let cliRun: string | undefined;

/** Tag the CLI's audit entries with a runbook run id (also read from TENANCY_RUN_ID). */
export function setCliAuditRun(run: string | undefined): void {
  cliRun = run;
}

/** The audit sink every CLI session gets: the JSONL log in the config directory. */
export function cliAuditLog(): AuditLog {
  return new AuditLog({ run: cliRun ?? (process.env.TENANCY_RUN_ID || undefined) });
}

interface ListOptions {
  from?: string;
  to?: string;
  profile?: string;
  operator?: string;
  run?: string;
  text?: string;
  errors?: boolean;
  limit: string;
  format: 'table' | 'json';
}

function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Register `tenancy audit` and install the audit log for CLI sessions. */
export function registerAudit(program: Command): void {
  setCliAuditFactory(cliAuditLog);
  const audit = program.command('audit').description('the local audit log of every statement sent to a database (hash-chained JSONL)');
  const formatOption = () => new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');

  audit.command('list', { isDefault: true })
    .description('list audited statements, newest last')
    .option('--from <time>', 'from this time (ISO 8601), inclusive')
    .option('--to <time>', 'up to this time (ISO 8601), exclusive')
    .option('--profile <name>', 'only this connection profile')
    .option('--operator <name>', 'only this operator')
    .option('--run <id>', 'only this runbook run')
    .option('--text <text>', 'statement, parameters or error containing this text (case-insensitive)')
    .option('--errors', 'only statements that failed')
    .option('--limit <n>', 'the most recent N (0 = all)', '50')
    .addOption(formatOption())
    .action((o: ListOptions) => {
      const limit = parseWhole(o.limit, '--limit');
      const all = readAuditEntries({
        from: o.from, to: o.to, profile: o.profile, operator: o.operator, run: o.run, text: o.text, errorsOnly: o.errors,
      });
      const entries = limit === 0 ? all : all.slice(-limit);
      if (o.format === 'json') return printOk({ dir: auditDir(), entries, total: all.length, truncated: entries.length < all.length });
      if (entries.length === 0) return void process.stdout.write(`no audited statements match (log: ${auditDir()})\n`);
      process.stdout.write(`${renderTable(
        ['seq', 'time', 'profile', 'operator', 'ms', 'rows', 'statement'],
        entries.map((e) => [e.seq, e.time, e.profile, e.operator, e.durationMs, e.error ? 'ERROR' : e.rows, oneLine(e.error ? `${e.sql}  -- ${e.error}` : e.sql, 90)]),
      )}\n`);
    });

  audit.command('verify')
    .description('verify the hash chain and its signed checkpoints; names the first broken line (exit 1 when broken)')
    .addOption(formatOption())
    .action((o: { format: 'table' | 'json' }) => {
      const v = verifyAuditLog(auditDir(), configDir());
      if (o.format === 'json') printOk({ verification: { dir: auditDir(), ...v } });
      else if (v.ok) process.stdout.write(`audit log intact: ${v.entries} entries in ${v.files} file${v.files === 1 ? '' : 's'} (${auditDir()})${v.lastHash ? `, last hash ${v.lastHash}` : ''}\n`);
      else {
        const b = v.broken!;
        process.stdout.write(`audit log BROKEN at ${b.file}${b.line > 0 ? `:${b.line}` : ''}${b.seq !== null ? ` (seq ${b.seq})` : ''}: ${b.reason}\n${v.entries} entries verified before it (${auditDir()})\n`);
      }
      exitState.code = v.ok ? 0 : 1;
    });

  audit.command('path').description('print the audit directory').addOption(formatOption()).action((o: { format: string }) => {
    if (o.format === 'json') printOk({ dir: auditDir() });
    else process.stdout.write(`${auditDir()}\n`);
  });
}
