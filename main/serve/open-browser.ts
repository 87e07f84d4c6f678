/**
 * The one place browser mode opens a URL in the user's browser (no shell, fixed programs). The
 * sign-in URL never appears on the opener's command line (`/proc/<pid>/cmdline` is readable by
 * every local user): it goes into a 0600 file in a 0700 folder, and the browser is given that
 * file, which forwards to the URL. The file is removed once the page has signed in.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** An opened URL: `remove()` deletes the forwarding file (idempotent). */
export interface OpenedUrl {
  file: string;
  remove(): void;
}

/** Write the forwarding page for `url` (0600, in a fresh 0700 folder); exported for tests. */
export function writeForwardingFile(url: string): OpenedUrl {
  if (!/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+$/.test(url)) throw new Error('refusing to open a URL that is not a browser-mode sign-in URL');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-open-'));
  const file = path.join(dir, 'sign-in.html');
  const html = `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${url}"><title>Tenancy Console</title><p>Opening the console...</p>\n`;
  fs.writeFileSync(file, html, { mode: 0o600 });
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Open a sign-in URL in the default browser via a private forwarding file; null when no opener ran. */
export function openInBrowser(url: string): OpenedUrl | null {
  let opened: OpenedUrl;
  try {
    opened = writeForwardingFile(url);
  } catch {
    return null;
  }
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [opened.file]] : process.platform === 'win32' ? ['explorer.exe', [opened.file]] : ['xdg-open', [opened.file]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return opened;
  } catch {
    opened.remove();
    return null;
  }
}
