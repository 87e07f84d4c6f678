/**
 * Build a browser-mode host: context with an in-memory password store, the event hub, the server.
 * Used by `tenancy serve`, `npm start` (fallback) and the e2e tests.
 */
import { consoleVersion, projectRoot } from '../engine/paths.js';
import path from 'node:path';
import { MemorySecretStore } from '../engine/host/secret-store.js';
import { createHostContext, type DemoLauncher, type HostContext } from '../handlers/context.js';
import { stopDemo } from '../handlers/demo.js';
import { HANDLERS } from '../handlers/index.js';
import type { Handlers } from '../handlers/types.js';
import { EventHub } from './events.js';
import { SessionKeys } from './guard.js';
import { startServer, type RunningServer } from './server.js';

/** Options for a browser-mode host. */
export interface BrowserHostOptions {
  port?: number;
  configDir?: string;
  demo?: DemoLauncher | null;
  rendererDir?: string;
  /** Replace the handlers (benchmarks feed synthetic data through the real renderer). */
  handlers?: Handlers;
  /** Called after each successful sign-in. */
  onSignedIn?: () => void;
}

/** A running browser-mode host. */
export interface BrowserHost extends RunningServer {
  ctx: HostContext;
  /** The single-use sign-in token of `url`. */
  token: string;
}

/** The built renderer's folder. */
export function defaultRendererDir(): string {
  return path.join(projectRoot(), 'dist', 'renderer');
}

/** Start browser mode. */
export async function startBrowserHost(o: BrowserHostOptions = {}): Promise<BrowserHost> {
  const hub = new EventHub();
  const ctx = createHostContext({
    mode: 'browser',
    version: consoleVersion(),
    configDir: o.configDir,
    demo: o.demo,
    secrets: new MemorySecretStore({
      persistent: false,
      backend: 'memory',
      note: 'browser mode keeps passwords in memory until `tenancy serve` stops',
    }),
    emit: (name, payload) => hub.broadcast(name, payload),
  });
  const server = await startServer({
    port: o.port ?? 0,
    keys: new SessionKeys(),
    ctx,
    hub,
    handlers: o.handlers ?? HANDLERS,
    rendererDir: o.rendererDir ?? defaultRendererDir(),
    onSignedIn: o.onSignedIn,
  });
  return {
    ...server,
    ctx,
    token: new URL(server.url).searchParams.get('token') ?? '',
    async close() {
      await server.close();
      await ctx.connections.closeAll();
      await stopDemo();
    },
  };
}
