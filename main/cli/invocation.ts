/**
 * How a person on this machine runs this console's `tenancy` command, so commands the CLI prints
 * (`tenancy demo`'s "Try:" lines) work as printed: `tenancy` when the PATH leads to this install,
 * `npx tenancy` inside the project, otherwise `node <path>/bin/tenancy.mjs`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../engine/paths.js';

function real(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

/** The command prefix that runs this install's `tenancy` from `cwd` (default: the current directory). */
export function tenancyCommand(cwd = process.cwd(), envPath = process.env.PATH ?? ''): string {
  const root = projectRoot();
  const bin = real(path.join(root, 'bin', 'tenancy.mjs'));
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    if (bin && real(path.join(dir, 'tenancy')) === bin) return 'tenancy';
  }
  const here = real(cwd);
  const rootReal = real(root);
  if (here && rootReal && (here === rootReal || here.startsWith(rootReal + path.sep))) return 'npx tenancy';
  const file = path.join(root, 'bin', 'tenancy.mjs');
  return `node ${/^[\w./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`}`;
}
