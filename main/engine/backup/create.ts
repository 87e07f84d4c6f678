/**
 * Create a backup: copy a live table into the console schema in one statement, inside a
 * REPEATABLE READ transaction so the recorded count and checksum describe exactly the copy.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { Backup, ChecksumScheme } from '../../../shared/backup.js';
import { CONSOLE_SCHEMA, configDir } from '../config.js';
import { isConnectionLoss, lostConnectionError } from '../connection-loss.js';
import { UserError } from '../errors.js';
import { qualified, quoteList } from '../ident.js';
import { currentOperator, type Session } from '../session.js';
import { SCHEME_MIN_VERSION, hashProbeSql, runChecksumByTenant, schemeForNewBackup, useCanonicalOutput } from './checksum.js';
import { checkPgDumpVersion, findPgDumpFor, pgDumpVersion, runPgDump } from './pg-dump.js';
import { ensureBackupTables, getBackup } from './store.js';
import { tenantColumnAmong } from './pair.js';
import { readLiveTable } from './table-info.js';

/** Options for a backup. */
export interface CreateBackupOptions {
  /** The runbook run this backup belongs to. */
  runbookRunId?: string;
  operator?: string;
  /** Also pg_dump the table (from the same snapshot) into `dir` (default: <config dir>/dumps). */
  pgDump?: { path?: string; dir?: string; password?: () => Promise<string | undefined> };
  /** The clock, for names (tests). */
  now?: Date;
  /**
   * The checksum's row hash; default the fastest this server has (schemeForNewBackup). `md5` gives
   * checksums any server can check (docs/backup-restore.md, "The checksum"); the benchmark's before.
   */
  checksumScheme?: ChecksumScheme;
  /**
   * The tenant column to record per-tenant checksums by (a comma list of spellings, as
   * --tenant-column: this table's is the first it has); else the usual names. A one-tenant
   * restore by the same column then compares with them instead of rehashing the whole copy.
   */
  tenantColumn?: string;
}

/**
 * A backup table name: bk_<UTC date>_<UTC time>_<8 hex digits>, lower case so it needs no
 * quoting, and well under the 63-byte limit whatever the source's name (kept in the metadata).
 */
export function backupTableName(schema: string, table: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '_');
  const hash = crypto.createHash('sha256').update(`${schema}\0${table}\0${now.toISOString()}\0${crypto.randomBytes(8).toString('hex')}`).digest('hex');
  return `bk_${stamp}_${hash.slice(0, 8)}`;
}

/**
 * Back up `schema.table`. Needs write mode. Returns the backup's metadata (size, time, count,
 * checksum, dump file and digest when asked).
 */
export async function createBackup(session: Session, source: { schema: string; table: string }, opts: CreateBackupOptions = {}): Promise<Backup> {
  if (!session.isWritable) throw new UserError('creating a backup writes to the database; switch on write mode first', 'permission');
  const live = await readLiveTable(session, source.schema, source.table);
  let dumpBinary: string | null = null;
  if (opts.pgDump) {
    dumpBinary = await findPgDumpFor(Math.floor(session.fingerprint.serverVersionNum / 10000), opts.pgDump.path);
    checkPgDumpVersion(dumpBinary, await pgDumpVersion(dumpBinary), session.fingerprint.serverVersionNum, session.fingerprint.serverVersion);
  }
  await ensureBackupTables(session);
  const now = opts.now ?? new Date();
  const name = backupTableName(source.schema, source.table, now);
  const columns = live.columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notNull }));
  const names = columns.map((c) => c.name);
  const scheme = opts.checksumScheme ?? schemeForNewBackup(session.fingerprint.serverVersionNum);
  if (session.fingerprint.serverVersionNum < SCHEME_MIN_VERSION[scheme]) {
    throw new UserError(`the ${scheme} checksum scheme needs PostgreSQL ${SCHEME_MIN_VERSION[scheme] / 10000} or later (this server is ${session.fingerprint.serverVersion}); use md5`, 'usage');
  }
  const started = performance.now();

  const what = `the backup of ${source.schema}.${source.table}`;
  let stage = 'the copy (CREATE TABLE ... AS SELECT)';
  const id = await session.transaction(async () => {
    await session.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await useCanonicalOutput(session);
    await session.query(`CREATE TABLE ${qualified(CONSOLE_SCHEMA, name)} AS SELECT ${quoteList(names)} FROM ${qualified(source.schema, source.table)}`);
    stage = 'the checksum of the copy';
    // Per tenant too (the same pass), so a one-tenant restore compares with what was recorded now.
    const tenantColumn = tenantColumnAmong(names, opts.tenantColumn);
    const { total: sum, byTenant } = await runChecksumByTenant(session, 'b', columns, `FROM ${qualified(CONSOLE_SCHEMA, name)} b`, tenantColumn, scheme);
    let dump: { path: string; sha256: string } | null = null;
    if (dumpBinary && opts.pgDump) {
      const { rows } = await session.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
      // A partitioned table's rows live in its partitions: dump every leaf with it.
      const leaves = await session.query<{ schema: string; table: string }>(
        `SELECT n.nspname AS schema, c.relname AS table FROM pg_partition_tree($1::regclass) p
           JOIN pg_class c ON c.oid = p.relid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE p.isleaf AND p.relid <> $1::regclass ORDER BY 1, 2`,
        [qualified(source.schema, source.table)],
      );
      const file = path.join(opts.pgDump.dir ?? path.join(configDir(), 'dumps'), `${session.fingerprint.database}-${name}.sql`.replace(/[^\w.-]/g, '_'));
      const result = await runPgDump({
        binary: dumpBinary, profile: session.profile, password: await opts.pgDump.password?.(),
        schema: source.schema, table: source.table, partitions: leaves.rows, snapshot: rows[0]!.snapshot, file,
      });
      dump = { path: file, sha256: result.sha256 };
    }
    stage = 'recording the backup';
    const size = await session.query<{ bytes: string }>('SELECT pg_total_relation_size($1::regclass)::int8 AS bytes', [qualified(CONSOLE_SCHEMA, name)]);
    const inserted = await session.query<{ id: string }>(
      `INSERT INTO ${qualified(CONSOLE_SCHEMA, 'backups')}
         (source_schema, source_table, backup_table, columns, primary_key, row_count, checksum, size_bytes, duration_ms,
          operator, runbook_run_id, dump_path, dump_sha256, fingerprint, tenant_checksums, checksum_scheme, checksum_probe)
       VALUES ($1, $2, $3, $4::jsonb, $5::text[], $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15::jsonb, $16,
               ${hashProbeSql(scheme) ?? 'NULL'}) RETURNING id`,
      [
        source.schema, source.table, name, JSON.stringify(columns), live.primaryKey, sum.rows, sum.checksum,
        Number(size.rows[0]!.bytes), Math.round(performance.now() - started), opts.operator ?? currentOperator(),
        opts.runbookRunId ?? null, dump?.path ?? null, dump?.sha256 ?? null, JSON.stringify(session.fingerprint),
        byTenant ? JSON.stringify(byTenant) : null, scheme,
      ],
    );
    return Number(inserted.rows[0]!.id);
  }, { readOnly: false }).catch((err: unknown) => {
    if (isConnectionLoss(err)) throw lostConnectionError(session, err, `during ${what}; nothing of it was kept (it runs in one transaction); run backup create again`);
    if ((err as { code?: string }).code === '57014') {
      throw new UserError(`${stage} in ${what} exceeded statement_timeout (${session.profile.statementTimeoutMs} ms, the profile's statementTimeoutMs); nothing of it was kept; raise the profile setting and run it again`, 'timeout');
    }
    throw err;
  });
  return getBackup(session, id);
}
