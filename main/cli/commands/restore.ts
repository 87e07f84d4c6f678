/**
 * `tenancy restore`: restore a backup into its live table, scoped, as a dry run or for real.
 */
import type { Command } from 'commander';
import type { RestoreResult, SetColumn } from '../../../shared/backup.js';
import { copyCheckText, mismatchCauseText } from '../../../shared/copy-check-text.js';
import { restoreBackup } from '../../engine/backup/restore.js';
import { describeScope, parseScope } from '../../engine/backup/scope.js';
import { UserError } from '../../engine/errors.js';
import { addConnectionOptions, addModelOptions, withSession, type TargetOptions } from '../common.js';
import { exitState } from '../exit.js';
import { printOk } from '../format.js';
import { addPacingOptions, deprecatedAlias, optionalWhole } from '../options.js';
import { parseBackupId } from './backup.js';

interface RestoreCliOptions extends TargetOptions {
  backup: string;
  scope: string;
  strategy: string;
  setColumn: string[];
  dryRun?: boolean;
  write?: boolean;
  confirmTable?: string;
  confirmDb?: string;
  lockTimeoutMs?: string;
  statementTimeoutMs?: string;
  acceptMismatch?: boolean;
}

/** Parse "column=value" (value "NULL" for SQL NULL). */
export function parseSetColumn(text: string): SetColumn {
  const i = text.indexOf('=');
  if (i <= 0) throw new UserError(`--set-column "${text}": write COLUMN=VALUE, e.g. org_id=42`, 'usage');
  const value = text.slice(i + 1);
  return { column: text.slice(0, i), value: value === 'NULL' ? null : value };
}

/** A restore result, for humans. */
export function formatRestore(r: RestoreResult): string {
  const c = r.counts;
  const rolledBack = r.copy.status === 'changed' ? 'ROLLED BACK: the backup copy changed since it was taken, nothing changed' : 'ROLLED BACK: checksum mismatch, nothing changed';
  const head = r.dryRun ? 'DRY RUN (rolled back, nothing changed)' : r.status === 'mismatch-rolled-back' ? rolledBack : `restore ${r.id} committed`;
  const scopeMatches = r.expected.rows === r.actual.rows && r.expected.checksum === r.actual.checksum;
  const rolledBackCounts = r.dryRun || r.status === 'mismatch-rolled-back';
  const countLines = rolledBackCounts
    ? [
        `  in the transaction that was rolled back: deleted ${c.deleted}, updated ${c.updated}, inserted ${c.inserted}`,
        `  rows in scope there: ${c.scopeRowsAfter}; table rows there ${c.tableRowsBefore} -> ${c.tableRowsAfter}; the table still has ${c.tableRowsBefore}`,
      ]
    : [
        `  deleted ${c.deleted}, updated ${c.updated}, inserted ${c.inserted}`,
        `  rows in scope after: ${c.scopeRowsAfter}; table rows ${c.tableRowsBefore} -> ${c.tableRowsAfter}`,
      ];
  const lines = [
    `${head}: backup ${r.backupId} -> ${r.schema}.${r.table}, ${describeScope(r.scope)}, ${r.strategy}`,
    ...countLines,
    `  checksum (${r.checksumScheme} row hash): backup ${r.expected.rows} rows ${r.expected.checksum}; live ${r.actual.rows} rows ${r.actual.checksum}: ${r.verified ? 'VERIFIED' : scopeMatches ? 'NOT VERIFIED (the copy changed)' : 'MISMATCH'}`,
    `  backup side: ${copyCheckText(r.copy, r.backupId)}`,
  ];
  if (!r.verified && r.actual.rows > r.expected.rows) {
    const n = r.actual.rows - r.expected.rows;
    lines.push(`  ${n} more row${n === 1 ? '' : 's'} in the scope than the backup has: rows arrived while the restore ran (something writes to this scope); stop those writes and run it again`);
  }
  const cause = mismatchCauseText(r);
  if (cause) lines.push(`  ${cause}`);
  if (r.columnsNotRestored.length > 0) lines.push(`  not restored (dropped since the backup): ${r.columnsNotRestored.join(', ')}`);
  for (const s of r.sequences) lines.push(`  sequence ${s.sequence} ${r.dryRun ? 'would be advanced' : 'advanced'} to ${s.value} (${s.column})`);
  lines.push('  statements:', ...r.statements.map((s) => `    ${s.replace(/\n\s*/g, ' ')};`));
  lines.push(`  ${r.durationMs} ms, operator ${r.operator}`);
  return lines.join('\n');
}

/** Register `tenancy restore`. */
export function registerRestore(program: Command): void {
  const cmd = program.command('restore').description('restore a backup into its live table: scoped, verified by checksum, journaled');
  addModelOptions(addConnectionOptions(cmd))
    .requiredOption('--backup <id>', 'backup id (tenancy backup list)')
    .option('--scope <scope>', 'table, tenant:ID or keys:1,2,3 (composite keys: 1/a,2/b)', 'table')
    .option('--strategy <strategy>', 'replace (scope ends exactly as backed up) or upsert (insert missing, update changed)', 'replace')
    .option('--set-column <column=value>', 'value for a column added since the backup (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--dry-run', 'run it in a transaction that is rolled back and show the resulting counts')
    .option('--write', 'restore for real')
    .option('--confirm-db <name>', 'on production: the database name, typed')
    .option('--confirm-table <name>', 'on production: the table name, typed')
    .option('--accept-mismatch', 'commit even when the restored scope\'s checksum differs from the backup\'s');
  deprecatedAlias(cmd, '--confirm <table>', '--confirm-table');
  addPacingOptions(cmd, { lockTimeoutMs: true, statementTimeoutMs: true })
    .action(async (o: RestoreCliOptions) => {
      if (Boolean(o.dryRun) === Boolean(o.write)) throw new UserError('give exactly one of --dry-run or --write', 'usage');
      if (o.strategy !== 'replace' && o.strategy !== 'upsert') throw new UserError(`--strategy "${o.strategy}": use replace or upsert`, 'usage');
      const request = {
        backupId: parseBackupId(o.backup),
        scope: parseScope(o.scope),
        strategy: o.strategy,
        setColumns: o.setColumn.map(parseSetColumn),
        dryRun: Boolean(o.dryRun),
        confirmTable: o.confirmTable,
        lockTimeoutMs: optionalWhole(o.lockTimeoutMs, '--lock-timeout-ms'),
        statementTimeoutMs: optionalWhole(o.statementTimeoutMs, '--statement-timeout-ms'),
        acceptMismatch: Boolean(o.acceptMismatch),
      } as const;
      await withSession(o, async (session, target) => {
        await session.enableWrite(o.confirmDb);
        const r = await restoreBackup(session, { ...request, tenantColumn: o.tenantColumn ?? target.profile.tenancy.tenantColumn });
        if (!r.verified) exitState.code = 1;
        if (o.format === 'json') printOk(r);
        else process.stdout.write(`${formatRestore(r)}\n`);
      });
    });
}
