/** The checksummed columns of a relation with their types, as the engine reads them (format_type). */
import type { ChecksumColumn } from '../../main/engine/backup/checksum.js';
import type { Session } from '../../main/engine/session.js';

/** `names` of the relation `rel` (a quoted, qualified name), in that order, with their types. */
export async function typedColumns(session: Session, rel: string, names: readonly string[]): Promise<ChecksumColumn[]> {
  const { rows } = await session.query<ChecksumColumn>(
    `SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [rel],
  );
  return names.map((n) => {
    const c = rows.find((r) => r.name === n);
    if (!c) throw new Error(`${rel} has no column ${n}`);
    return c;
  });
}
