/**
 * Order-independent checksums of rows: the sum of a 64-bit hash of each row's canonical text.
 * The same rows give the same checksum in any order, in the live table or in its backup copy.
 */
import type { Checksum } from '../../../shared/backup.js';
import { quoteIdent } from '../ident.js';
import type { Session } from '../session.js';

/**
 * The hash of one row as SQL: the first 64 bits of md5 over ROW(columns)::text, as a bigint.
 *
 * `alias` is a quoted table alias; the columns are listed in the backup's fixed order.
 */
export function rowHashSql(alias: string, columns: readonly string[]): string {
  const row = columns.map((c) => `${alias}.${quoteIdent(c)}`).join(', ');
  return `('x' || substr(md5(ROW(${row})::text), 1, 16))::bit(64)::int8`;
}

/** SELECT list computing row count and checksum over rows aliased `alias`. */
export function checksumSelectSql(alias: string, columns: readonly string[]): string {
  return `count(*)::int8 AS rows, coalesce(sum(${rowHashSql(alias, columns)}), 0)::text AS checksum`;
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
export async function runChecksum(session: Session, alias: string, columns: readonly string[], fromWhere: string, params: unknown[]): Promise<Checksum> {
  const { rows } = await session.query<{ rows: string; checksum: string }>(
    `SELECT ${checksumSelectSql(alias, columns)} ${fromWhere}`,
    params,
  );
  return { rows: Number(rows[0]!.rows), checksum: rows[0]!.checksum };
}

/** Whether two checksums describe the same rows. */
export function sameChecksum(a: Checksum, b: Checksum): boolean {
  return a.rows === b.rows && a.checksum === b.checksum;
}
