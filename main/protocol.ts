/**
 * The app:// protocol: serves dist/renderer (and nothing outside it) with the strict CSP, so the
 * renderer has a real origin instead of file://.
 */
import fs from 'node:fs/promises';
import { protocol } from 'electron';
import { containedPath, contentType } from './serve/contained-path.js';
import { SECURITY_HEADERS } from './serve/csp.js';

/** Declare app:// as standard and secure. Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Serve files of `rendererDir` at app://renderer/...; anything else is a 404. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'renderer' ? containedPath(rendererDir, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404, headers: SECURITY_HEADERS });
    try {
      const body = await fs.readFile(file);
      return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': contentType(file) } });
    } catch {
      return new Response('not found', { status: 404, headers: SECURITY_HEADERS });
    }
  });
}
