/**
 * Files the console ships beside its code (sql/, package.json), found from wherever the code runs:
 * sources under tsx or vitest, the esbuild bundles in dist/, or a packaged app.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The project (or packaged app) root: the nearest folder up from this file holding sql/ and package.json. */
export function projectRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'sql'))) {
      root = dir;
      return dir;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the tenancy-console root (sql/ beside package.json)');
    dir = up;
  }
}

const cache = new Map<string, string>();

/** The text of a shipped SQL file, e.g. sqlFile('catalog/tables.sql'); read once, then cached. */
export function sqlFile(relative: string): string {
  let text = cache.get(relative);
  if (text === undefined) {
    text = fs.readFileSync(path.join(projectRoot(), 'sql', relative), 'utf8');
    cache.set(relative, text);
  }
  return text;
}

/** The console's version from package.json. */
export function consoleVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
