/**
 * The backup catalog: the metadata rows in tenancy_console.backups, and the copies they describe.
 */
import { z } from 'zod';
import { BackupColumnSchema, ChecksumSchemeSchema, type Backup, type Checksum } from '../../../shared/backup.js';
import { FingerprintSchema } from '../../../shared/findings.js';
import { CONSOLE_SCHEMA } from '../config.js';
import { UserError } from '../errors.js';
import { qualified } from '../ident.js';
import { sqlFile } from '../paths.js';
import type { Session } from '../session.js';
import { hashProbeSql, runChecksum, useCanonicalOutput } from './checksum.js';

/** Create the console schema and its backup and restore tables if missing (needs write mode). */
export async function ensureBackupTables(session: Session): Promise<void> {
  await session.quietly(() => session.query(sqlFile('backup/tables.sql')));
}

/** Whether the backup catalog exists in this database yet. */
export async function hasBackupCatalog(session: Session): Promise<boolean> {
  const { rows } = await session.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${qualified(CONSOLE_SCHEMA, 'backups')}`]);
  return rows[0]!.ok;
}

const BackupRowSchema = z.object({
  id: z.coerce.number(),
  source_schema: z.string(),
  source_table: z.string(),
  backup_table: z.string(),
  columns: z.array(BackupColumnSchema),
  primary_key: z.array(z.string()).nullable(),
  created_at: z.date(),
  row_count: z.coerce.number(),
  checksum: z.string(),
  // Absent (a catalog older than the column) or NULL: the md5 scheme.
  checksum_scheme: ChecksumSchemeSchema.nullish(),
  // Absent (a catalog older than the column) or NULL: none recorded.
  tenant_checksums: z.object({ column: z.string(), tenants: z.record(z.string(), z.unknown()) }).nullish(),
  size_bytes: z.coerce.number(),
  duration_ms: z.number(),
  operator: z.string(),
  runbook_run_id: z.string().nullable(),
  dump_path: z.string().nullable(),
  dump_sha256: z.string().nullable(),
  fingerprint: FingerprintSchema,
  table_exists: z.boolean(),
});

/** Map a metadata row (validated: it lives in a database others can write to) to a Backup. */
function toBackup(row: unknown): Backup {
  const r = BackupRowSchema.parse(row);
  return {
    id: r.id, sourceSchema: r.source_schema, sourceTable: r.source_table, backupTable: r.backup_table,
    columns: r.columns, primaryKey: r.primary_key, createdAt: r.created_at.toISOString(), rowCount: r.row_count,
    checksum: r.checksum, checksumScheme: r.checksum_scheme ?? 'md5',
    tenantChecksums: r.tenant_checksums ? { column: r.tenant_checksums.column, tenants: Object.keys(r.tenant_checksums.tenants).length } : null,
    sizeBytes: r.size_bytes, durationMs: r.duration_ms, operator: r.operator,
    runbookRunId: r.runbook_run_id, dumpPath: r.dump_path, dumpSha256: r.dump_sha256, fingerprint: r.fingerprint,
    tableExists: r.table_exists,
  };
}

const SELECT_BACKUPS = `SELECT b.*, to_regclass(format('%I.%I', '${CONSOLE_SCHEMA}', b.backup_table)) IS NOT NULL AS table_exists
  FROM ${qualified(CONSOLE_SCHEMA, 'backups')} b`;

/** Every backup, newest first; optionally only those of one source table. */
export async function listBackups(session: Session, source?: { schema: string; table: string }): Promise<Backup[]> {
  if (!(await hasBackupCatalog(session))) return [];
  const { rows } = source
    ? await session.query(`${SELECT_BACKUPS} WHERE b.source_schema = $1 AND b.source_table = $2 ORDER BY b.id DESC`, [source.schema, source.table])
    : await session.query(`${SELECT_BACKUPS} ORDER BY b.id DESC`);
  return rows.map(toBackup);
}

/** One backup by id; a missing one is a UserError. */
export async function getBackup(session: Session, id: number): Promise<Backup> {
  const rows = (await hasBackupCatalog(session)) ? (await session.query(`${SELECT_BACKUPS} WHERE b.id = $1`, [id])).rows : [];
  if (!rows[0]) throw new UserError(`backup ${id} not found in ${session.fingerprint.database}; list backups with \`tenancy backup list\``, 'usage');
  return toBackup(rows[0]);
}

/** A backup that can be read: its copy must still exist. */
export async function getUsableBackup(session: Session, id: number): Promise<Backup> {
  const backup = await getBackup(session, id);
  if (!backup.tableExists) {
    throw new UserError(`backup ${id}'s table ${CONSOLE_SCHEMA}.${backup.backupTable} is gone (dropped outside the console); choose another backup`, 'usage');
  }
  return backup;
}

/**
 * Whether this server computes a backup's row hashes as the server that recorded them did: always
 * for md5; for the server's own hashes, when its hash of the probe value is the one recorded (a
 * server of the other byte order gives other values). Read in the caller's transaction, so it is one query.
 */
export async function hashesAsRecorded(session: Session, backup: Backup): Promise<boolean> {
  const probe = hashProbeSql(backup.checksumScheme);
  if (!probe) return true;
  const { rows } = await session.query<{ same: boolean | null }>(
    `SELECT b.checksum_probe = ${probe} AS same FROM ${qualified(CONSOLE_SCHEMA, 'backups')} b WHERE b.id = $1`,
    [backup.id],
  );
  return rows[0]?.same === true;
}

/** Why a backup's recorded checksums cannot be compared on this server, for messages. */
export function otherHashMessage(backup: Backup): string {
  return `backup ${backup.id}'s checksums were recorded with ${backup.checksumScheme} on a server that hashes differently from this one (its CPU byte order differs); they can only be checked on a server like the one that took it`;
}

/**
 * Recompute a backup's checksum from its copy, to prove it unchanged since it was taken (with the
 * scheme it was recorded with). A server that hashes differently is a UserError, never "changed".
 */
export async function verifyBackup(session: Session, id: number): Promise<{ backup: Backup; actual: Checksum; intact: boolean }> {
  const backup = await getUsableBackup(session, id);
  const actual = await session.transaction(async () => {
    if (!(await hashesAsRecorded(session, backup))) throw new UserError(`${otherHashMessage(backup)}; nothing was verified`, 'usage');
    await useCanonicalOutput(session);
    return runChecksum(session, 'b', backup.columns, `FROM ${qualified(CONSOLE_SCHEMA, backup.backupTable)} b`, [], backup.checksumScheme);
  });
  return { backup, actual, intact: actual.rows === backup.rowCount && actual.checksum === backup.checksum };
}

/** Drop a backup's copy and its metadata row in one transaction (needs write mode). */
export async function dropBackup(session: Session, id: number): Promise<Backup> {
  const backup = await getBackup(session, id);
  await session.transaction(async () => {
    await session.query(`DROP TABLE IF EXISTS ${qualified(CONSOLE_SCHEMA, backup.backupTable)}`);
    await session.query(`DELETE FROM ${qualified(CONSOLE_SCHEMA, 'backups')} WHERE id = $1`, [id]);
  }, { readOnly: false });
  return backup;
}
