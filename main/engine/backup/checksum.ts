/**
 * Order-independent checksums of rows: the sum of a 64-bit hash of each row's canonical text.
 * The same rows give the same checksum in any order, in the live table or in its backup copy.
 * Two hash schemes (see docs/backup-restore.md): `md5` (every backup before the scheme was
 * recorded) and `hashtextextended` (PostgreSQL's own 64-bit text hash, about half the cost).
 */
import type { Checksum, ChecksumScheme } from '../../../shared/backup.js';
import { quoteIdent } from '../ident.js';
import type { Session } from '../session.js';

/**
 * The scheme a new backup records its checksums with: `hashtextextended` where the server has it
 * (PostgreSQL 11 and later), else `md5`.
 */
export function schemeForNewBackup(serverVersionNum: number): ChecksumScheme {
  return serverVersionNum >= 110000 ? 'hashtextextended' : 'md5';
}

/**
 * The hash of one row as SQL, as a bigint, over ROW(columns)::text:
 * - `md5`: the first 64 bits of md5 of the text;
 * - `hashtextextended`: hashtextextended(text COLLATE "C", 0), the server's 64-bit hash of the
 *   text's bytes (COLLATE "C": bytes, whatever the database's collation).
 *
 * `alias` is a quoted table alias; the columns are listed in the backup's fixed order.
 */
export function rowHashSql(alias: string, columns: readonly string[], scheme: ChecksumScheme): string {
  const text = `ROW(${columns.map((c) => `${alias}.${quoteIdent(c)}`).join(', ')})::text`;
  if (scheme === 'hashtextextended') return `hashtextextended((${text}) COLLATE "C", 0)`;
  return `('x' || substr(md5(${text}), 1, 16))::bit(64)::int8`;
}

/**
 * A fixed text's `hashtextextended` on this server, as SQL. Recorded with a backup of that scheme
 * and compared before its recorded checksums are used: the function hashes the bytes in the CPU's
 * own word order, so a big-endian server gives other values than a little-endian one.
 */
export const HASH_PROBE_SQL = `hashtextextended('tenancy-console checksum probe: 0123456789 abcdefghij' COLLATE "C", 0)::text`;

/** SELECT list computing row count and checksum over rows aliased `alias`. */
export function checksumSelectSql(alias: string, columns: readonly string[], scheme: ChecksumScheme): string {
  return `count(*)::int8 AS rows, coalesce(sum(${rowHashSql(alias, columns, scheme)}), 0)::text AS checksum`;
}

/**
 * Fix the settings that change how values print (time zone, date and interval style, float
 * digits, bytea) for the rest of the transaction, so row text and checksums do not depend on
 * the session. Must run inside a transaction.
 */
export async function useCanonicalOutput(session: Session): Promise<void> {
  await session.query(`SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true),
    set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '1', true),
    set_config('bytea_output', 'hex', true)`);
}

/** Run a checksum query (`FROM ... WHERE ...` given) and return count and checksum. */
export async function runChecksum(
  session: Session, alias: string, columns: readonly string[], fromWhere: string, params: unknown[], scheme: ChecksumScheme,
): Promise<Checksum> {
  const { rows } = await session.query<{ rows: string; checksum: string }>(
    `SELECT ${checksumSelectSql(alias, columns, scheme)} ${fromWhere}`,
    params,
  );
  return { rows: Number(rows[0]!.rows), checksum: rows[0]!.checksum };
}

/** Whether two checksums describe the same rows. */
export function sameChecksum(a: Checksum, b: Checksum): boolean {
  return a.rows === b.rows && a.checksum === b.checksum;
}

/** Counts and checksums of a backup copy per tenant, recorded when it was taken. */
export interface TenantChecksums {
  column: string;
  tenants: Record<string, Checksum>;
}

/**
 * The checksum of the rows aliased `alias` (FROM ... given) in one pass, and, when `tenantColumn`
 * is given, the same per value of that column (NULL tenants under no key): the whole is the sum of
 * the parts, so one GROUP BY gives both.
 */
export async function runChecksumByTenant(
  session: Session, alias: string, columns: readonly string[], fromWhere: string, tenantColumn: string | null, scheme: ChecksumScheme,
): Promise<{ total: Checksum; byTenant: TenantChecksums | null }> {
  if (!tenantColumn) return { total: await runChecksum(session, alias, columns, fromWhere, [], scheme), byTenant: null };
  const { rows } = await session.query<{ tenant: string | null; rows: string; checksum: string }>(
    `SELECT ${alias}.${quoteIdent(tenantColumn)}::text AS tenant, ${checksumSelectSql(alias, columns, scheme)} ${fromWhere} GROUP BY 1`,
  );
  let n = 0;
  let sum = 0n;
  const tenants: Record<string, Checksum> = {};
  for (const r of rows) {
    n += Number(r.rows);
    sum += BigInt(r.checksum);
    if (r.tenant !== null) tenants[r.tenant] = { rows: Number(r.rows), checksum: r.checksum };
  }
  return { total: { rows: n, checksum: sum.toString() }, byTenant: { column: tenantColumn, tenants } };
}
