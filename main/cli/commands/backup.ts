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
import { addConnectionOptions, withSession, type TargetOptions } from '../common.js';
import { exitState } from '../exit.js';
import { formatBytes, printJson, renderTable } from '../format.js';
import { cliPasswordProvider } from '../password.js';

interface WriteOptions extends TargetOptions {
  confirmDb?: string;
}

/** Parse a backup id as typed. */
export function parseBackupId(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UserError(`backup id "${text}" is not a number; list backups with \`tenancy backup list\``, 'usage');
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
    `  ${b.rowCount} rows, ${formatBytes(b.sizeBytes)}, checksum ${b.checksum}`,
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

function requireWrite(o: { write?: boolean }, what: string): void {
  if (!o.write) throw new UserError(`${what} writes to the database: pass --write (and --confirm-db DBNAME on production)`, 'usage');
}

/** Register `tenancy backup`. */
export function registerBackup(program: Command): void {
  const backup = program.command('backup').description('back up tables into the console schema; list, show, drop, compare with live');

  addConnectionOptions(backup.command('create').description('copy a table into tenancy_console with row count and checksum (needs write mode)'))
    .requiredOption('--table <schema.table>', 'table to back up')
    .option('--runbook-run <id>', 'runbook run this backup belongs to')
    .option('--pg-dump', 'also pg_dump the table, from the same snapshot, and record the file\'s sha256')
    .option('--pg-dump-path <path>', 'pg_dump binary (default: TENANCY_PG_DUMP, PATH, /usr/lib/postgresql/*/bin)')
    .option('--dump-dir <dir>', 'where dump files go (default: <config dir>/dumps)')
    .option('--write', 'required: this command writes to the database')
    .option('--confirm-db <name>', 'on production: the database name, to switch on write mode')
    .action(async (o: WriteOptions & { write?: boolean; table: string; runbookRun?: string; pgDump?: boolean; pgDumpPath?: string; dumpDir?: string }) => {
      requireWrite(o, 'backup create');
      const source = tableArg(o.table);
      await withSession(o, async (session, target) => {
        await session.enableWrite(o.confirmDb);
        const password = cliPasswordProvider(target.profile, target.urlPassword);
        const b = await createBackup(session, source, {
          runbookRunId: o.runbookRun,
          pgDump: o.pgDump || o.pgDumpPath ? {
            path: o.pgDumpPath, dir: o.dumpDir,
            password: async () => (typeof password === 'function' ? password().catch(() => undefined) : password),
          } : undefined,
        });
        if (o.format === 'json') printJson(b);
        else process.stdout.write(`${formatBackup(b)}\n`);
      });
    });

  addConnectionOptions(backup.command('list').description('list backups, newest first'))
    .option('--table <schema.table>', 'only backups of this table')
    .action(async (o: TargetOptions & { table?: string }) => {
      await withSession(o, async (session) => {
        const rows = await listBackups(session, o.table ? tableArg(o.table) : undefined);
        if (o.format === 'json') return printJson(rows);
        if (rows.length === 0) return void process.stdout.write('No backups.\n');
        process.stdout.write(`${renderTable(['id', 'source', 'taken', 'rows', 'size', 'operator', 'dump', 'backup table'],
          rows.map((b) => [b.id, `${b.sourceSchema}.${b.sourceTable}`, b.createdAt, b.rowCount, formatBytes(b.sizeBytes), b.operator,
            b.dumpPath ? 'yes' : '', `${b.backupTable}${b.tableExists ? '' : ' (missing)'}`]))}\n`);
      });
    });

  addConnectionOptions(backup.command('show <id>').description('show one backup; --verify recomputes its checksum'))
    .option('--verify', 'recompute the checksum of the backup table (exit 1 when it changed)')
    .action(async (id: string, o: TargetOptions & { verify?: boolean }) => {
      await withSession(o, async (session) => {
        if (!o.verify) {
          const b = await getBackup(session, parseBackupId(id));
          return o.format === 'json' ? printJson(b) : void process.stdout.write(`${formatBackup(b)}\n`);
        }
        const v = await verifyBackup(session, parseBackupId(id));
        if (!v.intact) exitState.code = 1;
        if (o.format === 'json') return printJson(v);
        process.stdout.write(`${formatBackup(v.backup)}\n  verify: ${v.intact ? 'intact' : `CHANGED: now ${v.actual.rows} rows, checksum ${v.actual.checksum}`}\n`);
      });
    });

  addConnectionOptions(backup.command('drop <id>').description('drop a backup table and its metadata row (needs write mode)'))
    .option('--write', 'required: this command writes to the database')
    .option('--confirm-db <name>', 'on production: the database name, to switch on write mode')
    .action(async (id: string, o: WriteOptions & { write?: boolean }) => {
      requireWrite(o, 'backup drop');
      await withSession(o, async (session) => {
        await session.enableWrite(o.confirmDb);
        const b = await dropBackup(session, parseBackupId(id));
        if (o.format === 'json') printJson({ dropped: b.id });
        else process.stdout.write(`dropped backup ${b.id} (tenancy_console.${b.backupTable})\n`);
      });
    });

  addConnectionOptions(backup.command('compare <id>').description('compare a backup with the live table by primary key'))
    .option('--scope <scope>', 'table, tenant:ID or keys:1,2,3', 'table')
    .option('--tenant-column <name>', 'tenant column (default: organization_id, org_id, tenant_id, ...)')
    .option('--samples <n>', 'sample rows per kind', '5')
    .action(async (id: string, o: TargetOptions & { scope: string; samples: string }) => {
      await withSession(o, async (session, target) => {
        const c = await compareBackup(session, parseBackupId(id), {
          scope: parseScope(o.scope), tenantColumn: o.tenantColumn ?? target.profile.tenancy.tenantColumn, samples: Number(o.samples) || 5,
        });
        if (o.format === 'json') printJson(c);
        else process.stdout.write(`${formatCompare(c)}\n`);
      });
    });
}
