/** One line saying how a restore's expected checksum is tied to the backup as it was taken (CLI and UI). */
import type { CopyCheck } from './backup.js';

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
