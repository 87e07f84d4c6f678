/**
 * Whether this machine's pg_dump can dump the test server (a pg_dump older than the server
 * refuses), and a runbook's text with its backup steps' dumps switched off for where it cannot:
 * the backup step's refusal itself is tested in runbook-backups-rollback.test.ts.
 */
import { findPgDumpFor, pgDumpVersion } from '../../main/engine/backup/pg-dump.js';
import type { Session } from '../../main/engine/session.js';

/** True when the pg_dump the console would pick is at least the server's major version. */
export async function pgDumpCanDump(session: Session): Promise<boolean> {
  const serverMajor = Math.floor(session.fingerprint.serverVersionNum / 10000);
  const v = await pgDumpVersion(await findPgDumpFor(serverMajor)).catch(() => ({ major: 0 }));
  return v.major >= serverMajor;
}

/** The runbook text with its backup steps' `dump: true` switched off. */
export function withoutDumps(text: string): string {
  return text.replace(/^( +)dump: true\n/gm, '$1dump: false\n');
}
