/** The one place browser mode opens a URL in the user's browser (no shell, fixed programs). */
import { spawn } from 'node:child_process';

/** Open an http://127.0.0.1 URL in the default browser; false when no opener was found. */
export function openInBrowser(url: string): boolean {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) return false;
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['explorer.exe', [url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
