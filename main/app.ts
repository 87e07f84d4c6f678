/**
 * Electron main entry: one instance, app:// protocol, locked-down window, IPC wired to the same
 * handlers browser mode uses, passwords in safeStorage. Thin glue: the engine does the work.
 */
import path from 'node:path';
import { app, BrowserWindow } from 'electron';
import { configDir } from './engine/config.js';
import { consoleVersion, projectRoot } from './engine/paths.js';
import { createHostContext } from './handlers/context.js';
import { demoLauncher, stopDemo } from './handlers/demo.js';
import { appHandlers } from './handlers/app.js';
import { HANDLERS } from './handlers/index.js';
import { registerIpc, sendToRenderers } from './ipc.js';
import { installMenu } from './menu.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { createElectronSecretStore } from './secrets.js';
import { createMainWindow, denyPermissions, hardenContents } from './window.js';

app.enableSandbox();
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const preload = path.join(__dirname, 'preload.cjs');
  app.on('web-contents-created', (_e, contents) => hardenContents(contents));
  app.on('second-instance', () => {
    const w = BrowserWindow.getAllWindows()[0];
    if (w) {
      if (w.isMinimized()) w.restore();
      w.focus();
    }
  });

  void app.whenReady().then(() => {
    denyPermissions();
    serveRenderer(path.join(projectRoot(), 'dist', 'renderer'));
    const ctx = createHostContext({
      mode: 'electron',
      version: consoleVersion(),
      configDir: configDir(),
      secrets: createElectronSecretStore(configDir()),
      emit: (name, payload) => sendToRenderers(name, payload),
      demo: demoLauncher(),
    });
    registerIpc(HANDLERS, ctx);
    installMenu();
    createMainWindow(preload);
    if (process.env.TENANCY_START_DEMO === 'if-no-profiles') {
      void ctx.profiles.list().then((all) => (all.length === 0 ? appHandlers.startDemo({}, ctx) : undefined)).catch((err: unknown) => {
        process.stderr.write(`tenancy: the demo did not start: ${(err as Error).message}\n`);
      });
    }
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(preload);
    });
    app.on('window-all-closed', () => {
      void ctx.connections.closeAll().then(stopDemo).finally(() => app.quit());
    });
  });
}
