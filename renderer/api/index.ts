/**
 * The one client the stores use. In Electron the preload exposes `window.tenancy` (IPC); in
 * browser mode there is none and the HTTP client talks to `tenancy serve`.
 */
import type { ConsoleApi } from '../../shared/contract/index.js';
import { createHttpApi } from './http.js';

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
