/**
 * The one client the stores use. In Electron the preload exposes `window.tenancy` (IPC); in
 * browser mode there is none and the HTTP client talks to `tenancy serve`.
 */
import type { ConsoleApi } from '../../shared/contract/index.js';
import { createHttpApi, loadContract } from './http.js';

declare global {
  interface Window {
    /** Exposed by main/preload.ts in the desktop app. */
    tenancy?: ConsoleApi;
  }
}

/** The API for this renderer, picked once at startup. */
export const api: ConsoleApi = window.tenancy ?? createHttpApi();

/** Which door the renderer came through. */
export const transportKind: 'ipc' | 'http' = window.tenancy ? 'ipc' : 'http';

/**
 * Build the event schemas while the page is idle, so the first event (a footprint's progress, a
 * check's) does not wait on them. Browser mode loads them lazily; Electron's preload has them.
 * Called once the first page has what it shows: earlier, it would compete with that render.
 */
export function warmEventSchemas(): void {
  if (!window.tenancy) requestIdleCallback(() => void loadContract(), { timeout: 2000 });
}
