/** Checksums of live rows for tests, computed as the engine computes them (typed columns, canonical output). */
import { runChecksum, schemeForNewBackup, useCanonicalOutput, type ChecksumColumn } from '../../main/engine/backup/checksum.js';
import type { Session } from '../../main/engine/session.js';
import type { Checksum, ChecksumScheme } from '../../shared/backup.js';

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

/**
 * Count and checksum of `rel`'s columns `names` read on `session` in a transaction of its own
 * under the canonical output settings: over `fromWhere` (FROM ... WHERE ..., alias b; default the
 * whole relation) with `scheme` (default: a new backup's on this server).
 */
export async function checksumIn(
  session: Session, rel: string, names: readonly string[], opts: { fromWhere?: string; params?: unknown[]; scheme?: ChecksumScheme } = {},
): Promise<Checksum> {
  return session.transaction(async () => {
    await useCanonicalOutput(session);
    const scheme = opts.scheme ?? schemeForNewBackup(session.fingerprint.serverVersionNum);
    return runChecksum(session, 'b', await typedColumns(session, rel, names), opts.fromWhere ?? `FROM ${rel} b`, opts.params ?? [], scheme);
  });
}
