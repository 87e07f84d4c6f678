/**
 * Small filesystem helpers shared by the console's own stores (audit log, saved reports, runs).
 */
import fs from 'node:fs';

/** The names in a folder, or none when the folder does not exist yet. */
export function readDirNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
