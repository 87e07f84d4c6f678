/**
 * The main window, locked down: context isolation, sandbox, no Node in the renderer, no
 * navigation away from app://renderer, no new windows, no webviews, no permissions.
 */
import path from 'node:path';
import { BrowserWindow, session, type WebContents } from 'electron';
import { APP_ORIGIN, isTrustedSenderUrl } from './trusted-sender.js';

/** Deny navigation, window.open, webviews and permission prompts for any web contents. */
export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedSenderUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedSenderUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Refuse every permission request (camera, notifications, ...): the console needs none. */
export function denyPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

/** Create the main window showing the renderer. */
export function createMainWindow(preloadPath: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Tenancy Console',
    show: false,
    webPreferences: {
      preload: path.resolve(preloadPath),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}
