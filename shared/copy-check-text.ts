/** One line saying how a restore's expected checksum is tied to the backup as it was taken (CLI and UI). */
import type { CopyCheck, RestoreResult } from './backup.js';

/** The line for `copy` of backup `backupId`. */
export function copyCheckText(copy: CopyCheck, backupId: number): string {
  switch (copy.status) {
    case 'recorded':
      return 'the scope\'s checksum recorded when the backup was taken';
    case 'intact':
      return 'computed from the copy, which still has the checksum recorded when the backup was taken';
    case 'changed':
      return `the copy CHANGED since the backup was taken (now ${copy.now?.rows} rows, checksum ${copy.now?.checksum}; recorded ${copy.recorded?.rows} rows, ${copy.recorded?.checksum}): not verified; see tenancy backup show ${backupId} --verify`;
    case 'unchecked':
      return 'computed from the copy as it is now, not compared with the checksum recorded when the backup was taken (this server hashes differently, or a column was dropped or retyped since)';
  }
}

/**
 * For a restore that did not verify against the checksum recorded with its backup (same row
 * count): its two possible causes and the command that tells them apart; null otherwise.
 */
export function mismatchCauseText(r: Pick<RestoreResult, 'verified' | 'copy' | 'actual' | 'expected' | 'backupId'>): string | null {
  if (r.verified || r.copy.status !== 'recorded' || r.actual.rows !== r.expected.rows) return null;
  return `the restored rows differ from the checksum recorded with backup ${r.backupId}: a trigger or a default changed them as they went in, or the copy changed since it was taken (check with tenancy backup show ${r.backupId} --verify)`;
}
