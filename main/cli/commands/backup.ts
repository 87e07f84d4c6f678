/**
 * `tenancy backup create|list|show|drop|compare`: backup tables in the console schema.
 */
import type { Command } from 'commander';
import type { Backup, CompareResult } from '../../../shared/backup.js';
import { compareBackup } from '../../engine/backup/compare.js';
import { createBackup } from '../../engine/backup/create.js';
import { describeScope, parseScope } from '../../engine/backup/scope.js';
import { dropBackup, getBackup, listBackups, verifyBackup } from '../../engine/backup/store.js';
import { UserError } from '../../engine/errors.js';
import { parseQualifiedName } from '../../engine/ident.js';
import { addConnectionOptions, addModelOptions, withSession, type TargetOptions } from '../common.js';
import { exitState } from '../exit.js';
import { formatBytes, printOk, renderTable } from '../format.js';
import { addWriteOptions, deprecatedAlias, parseWhole, requireWrite } from '../options.js';
import { cliPasswordProvider } from '../password.js';

interface WriteOptions extends TargetOptions {
  write?: boolean;
  confirmDb?: string;
}

/** The backup id, positional or `--backup ID` (one of them, the same if both). */
export function backupIdOf(positional: string | undefined, flag: string | undefined): number {
  if (positional !== undefined && flag !== undefined && positional !== flag) throw new UserError(`give the backup id once: ${positional} or --backup ${flag}`, 'usage', '--backup');
  const id = positional ?? flag;
  if (id === undefined) throw new UserError('give the backup id: --backup ID (tenancy backup list shows them)', 'usage', '--backup');
  return parseBackupId(id);
}

/** Parse a backup id as typed. */
export function parseBackupId(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UserError(`--backup must be a whole number, got ${text}; list backups with \`tenancy backup list\``, 'usage', '--backup');
  return Number(text);
}

function tableArg(text: string): { schema: string; table: string } {
  try {
    return parseQualifiedName(text);
  } catch (err) {
    throw new UserError(`--table: ${(err as Error).message}`, 'usage');
  }
}

/** One backup, for humans. */
export function formatBackup(b: Backup): string {
  return [
    `backup ${b.id}: ${b.sourceSchema}.${b.sourceTable} -> tenancy_console.${b.backupTable}${b.tableExists ? '' : ' (TABLE MISSING)'}`,
    `  taken ${b.createdAt} by ${b.operator} in ${b.durationMs} ms${b.runbookRunId ? `, runbook run ${b.runbookRunId}` : ''}`,
    `  ${b.rowCount} rows, ${formatBytes(b.sizeBytes)}, checksum ${b.checksum} (${b.checksumScheme} row hash)`,
    `  per-tenant checksums: ${b.tenantChecksums ? `by ${b.tenantChecksums.column}, ${b.tenantChecksums.tenants} tenant${b.tenantChecksums.tenants === 1 ? '' : 's'}` : 'none (no tenant column found; give --tenant-column): a one-tenant restore rehashes the whole copy'}`,
    `  columns: ${b.columns.map((c) => `${c.name} ${c.type}`).join(', ')}`,
    `  primary key: ${b.primaryKey ? b.primaryKey.join(', ') : '(none: compare and restore need one)'}`,
    b.dumpPath ? `  pg_dump: ${b.dumpPath} sha256 ${b.dumpSha256}` : '  pg_dump: none',
    `  server: PostgreSQL ${b.fingerprint.serverVersion}, database ${b.fingerprint.database}, system ${b.fingerprint.systemIdentifier ?? 'unknown'}`,
  ].join('\n');
}

/** A comparison, for humans. */
export function formatCompare(c: CompareResult): string {
  const lines = [
    `backup ${c.backupId} vs live ${c.schema}.${c.table} (${describeScope(c.scope)}), by primary key (${c.primaryKey.join(', ')})`,
    `  only in backup: ${c.counts.onlyBackup}   only live: ${c.counts.onlyLive}   changed: ${c.counts.changed}   same: ${c.counts.same}`,
    `  columns added since the backup: ${c.columnsAdded.join(', ') || 'none'}`,
    `  columns dropped since the backup: ${c.columnsDropped.join(', ') || 'none'}`,
  ];
  const changed = Object.entries(c.changedByColumn);
  if (changed.length > 0) lines.push(`  changed columns: ${changed.map(([k, v]) => `${k} (${v})`).join(', ')}`);
  if (c.perTenant.length > 0) {
    lines.push('', renderTable(['tenant', 'only backup', 'only live', 'changed', 'same'],
      c.perTenant.map((t) => [t.tenant ?? '(none)', t.onlyBackup, t.onlyLive, t.changed, t.same])));
  }
  if (c.samples.length > 0) {
    lines.push('', renderTable(['sample', 'key', 'tenant', 'changed columns'],
      c.samples.map((s) => [s.kind, Object.values(s.key).join('/'), s.tenant ?? '', s.changedColumns.join(', ')])));
  }
  return lines.join('\n');
}

/** Register `tenancy backup`. */
export function registerBackup(program: Command): void {
  const backup = program.command('backup').description('back up tables into the console schema; list, show, drop, compare with live');

  const create = addConnectionOptions(backup.command('create').description('copy a table into tenancy_console with row count and checksum (needs --write)'))
    .requiredOption('--table <schema.table>', 'table to back up')
    .option('--run <id>', 'runbook run this backup belongs to')
    .option('--pg-dump', 'also pg_dump the table, from the same snapshot, and record the file\'s sha256')
    .option('--pg-dump-path <path>', 'pg_dump binary (default: TENANCY_PG_DUMP, PATH, /usr/lib/postgresql/*/bin)')
    .option('--dump-dir <dir>', 'where dump files go (default: <config dir>/dumps)')
    .option('--tenant-column <list>', 'tenant column to record per-tenant checksums by, or a comma-separated list of spellings (default: the profile\'s, else the usual names)');
  addWriteOptions(create, 'this command writes to the database');
  deprecatedAlias(create, '--runbook-run <id>', '--run');
  create.action(async (o: WriteOptions & { table: string; run?: string; pgDump?: boolean; pgDumpPath?: string; dumpDir?: string; tenantColumn?: string }) => {
      requireWrite(o, 'backup create');
      const source = tableArg(o.table);
      await withSession(o, async (session, target) => {
        await session.enableWrite(o.confirmDb);
        const password = cliPasswordProvider(target.profile, target.urlPassword);
        const b = await createBackup(session, source, {
          runbookRunId: o.run,
          tenantColumn: o.tenantColumn ?? target.profile.tenancy.tenantColumn,
          pgDump: o.pgDump || o.pgDumpPath ? {
            path: o.pgDumpPath, dir: o.dumpDir,
            password: async () => (typeof password === 'function' ? password().catch(() => undefined) : password),
          } : undefined,
        });
        if (o.format === 'json') printOk(b);
        else process.stdout.write(`${formatBackup(b)}\n`);
      });
    });

  addConnectionOptions(backup.command('list').description('list backups, newest first'))
    .option('--table <schema.table>', 'only backups of this table')
    .action(async (o: TargetOptions & { table?: string }) => {
      await withSession(o, async (session) => {
        const rows = await listBackups(session, o.table ? tableArg(o.table) : undefined);
        if (o.format === 'json') return printOk({ backups: rows });
        if (rows.length === 0) return void process.stdout.write('No backups.\n');
        process.stdout.write(`${renderTable(['id', 'source', 'taken', 'rows', 'size', 'operator', 'dump', 'backup table'],
          rows.map((b) => [b.id, `${b.sourceSchema}.${b.sourceTable}`, b.createdAt, b.rowCount, formatBytes(b.sizeBytes), b.operator,
            b.dumpPath ? 'yes' : '', `${b.backupTable}${b.tableExists ? '' : ' (missing)'}`]))}\n`);
      });
    });

  addConnectionOptions(backup.command('show [id]').description('show one backup (--backup ID or the id alone); --verify recomputes its checksum'))
    .option('--backup <id>', 'backup id (tenancy backup list)')
    .option('--verify', 'recompute the checksum of the backup table (exit 1 when it changed)')
    .action(async (id: string | undefined, o: TargetOptions & { backup?: string; verify?: boolean }) => {
      const backupId = backupIdOf(id, o.backup);
      await withSession(o, async (session) => {
        if (!o.verify) {
          const b = await getBackup(session, backupId);
          return o.format === 'json' ? printOk(b) : void process.stdout.write(`${formatBackup(b)}\n`);
        }
        const v = await verifyBackup(session, backupId);
        if (!v.intact) exitState.code = 1;
        if (o.format === 'json') return printOk(v);
        process.stdout.write(`${formatBackup(v.backup)}\n  verify: ${v.intact ? 'intact' : `CHANGED: now ${v.actual.rows} rows, checksum ${v.actual.checksum}`}\n`);
      });
    });

  const drop = addConnectionOptions(backup.command('drop [id]').description('drop a backup table and its metadata row (--backup ID or the id alone; needs --write)'))
    .option('--backup <id>', 'backup id (tenancy backup list)');
  addWriteOptions(drop, 'this command writes to the database')
    .action(async (id: string | undefined, o: WriteOptions & { backup?: string }) => {
      const backupId = backupIdOf(id, o.backup);
      requireWrite(o, 'backup drop');
      await withSession(o, async (session) => {
        await session.enableWrite(o.confirmDb);
        const b = await dropBackup(session, backupId);
        if (o.format === 'json') printOk(b);
        else process.stdout.write(`dropped backup ${b.id} (tenancy_console.${b.backupTable})\n`);
      });
    });

  addModelOptions(addConnectionOptions(backup.command('compare [id]').description('compare a backup with the live table by primary key (--backup ID or the id alone)')))
    .option('--backup <id>', 'backup id (tenancy backup list)')
    .option('--scope <scope>', 'table, tenant:ID or keys:1,2,3', 'table')
    .option('--samples <n>', 'sample rows per kind, 0 to 100', '5')
    .action(async (id: string | undefined, o: TargetOptions & { backup?: string; scope: string; samples: string }) => {
      const backupId = backupIdOf(id, o.backup);
      const samples = parseWhole(o.samples, '--samples', { max: 100 });
      await withSession(o, async (session, target) => {
        const c = await compareBackup(session, backupId, {
          scope: parseScope(o.scope), tenantColumn: o.tenantColumn ?? target.profile.tenancy.tenantColumn, samples,
        });
        if (o.format === 'json') printOk(c);
        else process.stdout.write(`${formatCompare(c)}\n`);
      });
    });
}
