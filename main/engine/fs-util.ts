/**
 * Small filesystem helpers shared by the console's own stores (audit log, saved reports, runs),
 * and the one way the console writes a file: atomically.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The names in a folder, or none when the folder does not exist yet. */
export function readDirNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** How to write a file atomically. */
export interface AtomicWriteOptions {
  /** Mode of a new file (default 0o600); an existing file keeps its own mode. */
  mode?: number;
}

function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
}

function modeFor(file: string, opts: AtomicWriteOptions): number {
  try {
    return fs.statSync(file).mode & 0o7777;
  } catch {
    return opts.mode ?? 0o600;
  }
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse to fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Write `data` to a new temp file beside `file` and fsync it; returns its path (removed again on failure). */
function writeTempSync(file: string, data: string | Uint8Array, mode: number): string {
  const tmp = tempNameFor(file);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return tmp;
}

/**
 * Write `data` to `file` so that a reader (or a crash, a full disk, a kill) sees either the old
 * file or the whole new one, never a part: write a temp file beside it, fsync, rename over, fsync
 * the folder. On any failure the temp file is removed and the old file is untouched.
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const tmp = writeTempSync(file, data, modeFor(file, opts));
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(path.dirname(file));
}

/** The async twin of writeFileAtomicSync. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const tmp = tempNameFor(file);
  const handle = await fs.promises.open(tmp, 'wx', modeFor(file, opts));
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  syncDir(path.dirname(file));
}

/**
 * Create `file` with `data` only if it does not exist yet (EEXIST otherwise), atomically: the
 * file appears whole or not at all (temp file, fsync, hard link, remove the temp).
 */
export function createFileAtomicSync(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const tmp = writeTempSync(file, data, opts.mode ?? 0o600);
  try {
    fs.linkSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  syncDir(path.dirname(file));
}
