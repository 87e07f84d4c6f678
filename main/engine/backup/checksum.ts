/**
 * Order-independent checksums of rows: the sum of a 64-bit hash of each row. The same rows give
 * the same checksum in any order, in the live table or in its backup copy. Three hash schemes
 * (see docs/backup-restore.md, "The checksum"): `md5` and `hashtextextended` hash each row's
 * canonical text; `hash_record_extended` hashes the values of exactly hashed types as they are
 * and the text of the rest, skipping the costliest output functions (timestamptz, numeric).
 */
import type { Checksum, ChecksumScheme } from '../../../shared/backup.js';
import { quoteIdent } from '../ident.js';
import type { Session } from '../session.js';

/** A checksummed column: its name and its type as format_type() prints it (the row hash depends on it). */
export interface ChecksumColumn {
  name: string;
  type: string;
}

/**
 * The scheme a new backup records its checksums with: `hash_record_extended` where the server has
 * it (PostgreSQL 14 and later), `hashtextextended` on 11 to 13, else `md5`.
 */
export function schemeForNewBackup(serverVersionNum: number): ChecksumScheme {
  if (serverVersionNum >= 140000) return 'hash_record_extended';
  return serverVersionNum >= 110000 ? 'hashtextextended' : 'md5';
}

/** The oldest server (server_version_num) that has each scheme's hash function. */
export const SCHEME_MIN_VERSION: Record<ChecksumScheme, number> = { md5: 0, hashtextextended: 110000, hash_record_extended: 140000 };

/**
 * Types whose hash function tells values apart exactly as their text would (under the canonical
 * output settings): equal hashes only for values that print the same. Text types are hashed
 * under COLLATE "C" (bytes, even where the column's collation is nondeterministic). Everything
 * else (numeric but see recordFields; floats, where -0 and 0 hash alike; jsonb, whose numbers
 * hash by value; bpchar, whose hash ignores trailing blanks; interval, where '1 day' and
 * '24 hours' hash alike; arrays, domains, enums, json) is hashed as its text.
 */
const EXACT_HASH_TYPES: readonly RegExp[] = [
  /^(smallint|integer|bigint|boolean|uuid|date|bytea)$/,
  /^timestamp(\(\d\))? with(out)? time zone$/,
  /^time(\(\d\))? without time zone$/,
];
const TEXT_TYPES = /^(text|character varying(\(\d+\))?)$/;
const NUMERIC = /^numeric(\(\d+(,\d+)?\))?$/;

/**
 * The fields of the `hash_record_extended` row: each exactly hashed column's value; a numeric's
 * value, its display scale and, for NaN and the infinities (which have no scale and hash alike),
 * its text, so 2.50 and 2.500 differ as they print; then every other column in one last field,
 * their ROW(...)::text (each value through its type's output function, as the text schemes do:
 * not a cast to text, which for bpchar drops trailing blanks).
 */
function recordFields(alias: string, columns: readonly ChecksumColumn[]): string[] {
  const fields: string[] = [];
  const rest: string[] = [];
  for (const c of columns) {
    const ref = `${alias}.${quoteIdent(c.name)}`;
    if (EXACT_HASH_TYPES.some((r) => r.test(c.type))) fields.push(ref);
    else if (TEXT_TYPES.test(c.type)) fields.push(`${ref} COLLATE "C"`);
    else if (NUMERIC.test(c.type)) fields.push(ref, `scale(${ref})`, `CASE WHEN scale(${ref}) IS NULL THEN ${ref}::text END`);
    else rest.push(ref);
  }
  if (rest.length > 0) fields.push(`(ROW(${rest.join(', ')})::text) COLLATE "C"`);
  return fields;
}

/**
 * The hash of one row as SQL, as a bigint:
 * - `md5`: the first 64 bits of md5 of ROW(columns)::text;
 * - `hashtextextended`: hashtextextended(ROW(columns)::text COLLATE "C", 0), the server's 64-bit
 *   hash of the text's bytes (COLLATE "C": bytes, whatever the database's collation);
 * - `hash_record_extended`: the server's hash of the row's fields (recordFields), itself hashed
 *   once more as text: hash_record_extended combines its fields' hashes linearly (31 * h + f), so
 *   a sum of it would not notice values swapped between rows; the second hash mixes them.
 *
 * `alias` is a quoted table alias; the columns are listed in the backup's fixed order.
 */
export function rowHashSql(alias: string, columns: readonly ChecksumColumn[], scheme: ChecksumScheme): string {
  if (scheme === 'hash_record_extended') {
    const row = `hash_record_extended(ROW(${recordFields(alias, columns).join(', ')}), 0)`;
    return `hashtextextended(${row}::text COLLATE "C", 0)`;
  }
  const text = `ROW(${columns.map((c) => `${alias}.${quoteIdent(c.name)}`).join(', ')})::text`;
  if (scheme === 'hashtextextended') return `hashtextextended((${text}) COLLATE "C", 0)`;
  return `('x' || substr(md5(${text}), 1, 16))::bit(64)::int8`;
}

/** The probe row: one value of every exactly hashed type, a numeric and a text-hashed value. */
const RECORD_PROBE: (ChecksumColumn & { value: string })[] = [
  { name: 't', type: 'text', value: `'tenancy-console checksum probe'::text` },
  { name: 'i8', type: 'bigint', value: '1234567890123::int8' },
  { name: 'i4', type: 'integer', value: '42::int4' },
  { name: 'i2', type: 'smallint', value: '7::int2' },
  { name: 'b', type: 'boolean', value: 'true' },
  { name: 'u', type: 'uuid', value: `'b1a5e0c4-0d1f-4c3e-9a7b-2f6d8e9c0a1b'::uuid` },
  { name: 'd', type: 'date', value: `date '2024-02-29'` },
  { name: 'tz', type: 'timestamp with time zone', value: `timestamptz '2024-02-29 12:34:56.789+00'` },
  { name: 'ts', type: 'timestamp without time zone', value: `timestamp '2024-02-29 12:34:56.789'` },
  { name: 'tm', type: 'time without time zone', value: `time '12:34:56.789'` },
  { name: 'bt', type: 'bytea', value: `'\\x0102fe'::bytea` },
  { name: 'n', type: 'numeric', value: '12.340::numeric' },
  { name: 'j', type: 'jsonb', value: `'{"a": 1}'::jsonb` },
];

/**
 * A fixed value's hash under `scheme` on this server, as SQL (null for md5, the same everywhere).
 * Recorded with a backup and compared before its recorded checksums are used: the hash functions
 * read bytes in the CPU's own word order, so a big-endian server gives other values than a
 * little-endian one. The record probe holds a value of every type hashed as it is.
 */
export function hashProbeSql(scheme: ChecksumScheme): string | null {
  if (scheme === 'hashtextextended') return `hashtextextended('tenancy-console checksum probe: 0123456789 abcdefghij' COLLATE "C", 0)::text`;
  if (scheme === 'hash_record_extended') {
    const row = RECORD_PROBE.map((c) => `${c.value} AS ${c.name}`).join(', ');
    return `(SELECT ${rowHashSql('p', RECORD_PROBE, scheme)}::text FROM (SELECT ${row}) p)`;
  }
  return null;
}

/** SELECT list computing row count and checksum over rows aliased `alias`. */
export function checksumSelectSql(alias: string, columns: readonly ChecksumColumn[], scheme: ChecksumScheme): string {
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
  session: Session, alias: string, columns: readonly ChecksumColumn[], fromWhere: string, params: unknown[], scheme: ChecksumScheme,
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
  session: Session, alias: string, columns: readonly ChecksumColumn[], fromWhere: string, tenantColumn: string | null, scheme: ChecksumScheme,
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
