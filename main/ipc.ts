/**
 * The one place ipcMain is used: every request channel of the contract is registered here, the
 * sender frame is checked, and the payload is parsed by dispatch() before any handler runs.
 */
import { BrowserWindow, ipcMain } from 'electron';
import { listChannels } from '../shared/contract/index.js';
import type { HostContext } from './handlers/context.js';
import { dispatch } from './handlers/dispatch.js';
import type { Handlers } from './handlers/types.js';
import { isTrustedSenderUrl } from './trusted-sender.js';

/** Register every request channel. */
export function registerIpc(handlers: Handlers, ctx: HostContext): void {
  for (const entry of listChannels()) {
    if (entry.channel.kind !== 'request') continue;
    const name = entry.name;
    ipcMain.handle(name, async (event, payload: unknown) => {
      if (!isTrustedSenderUrl(event.senderFrame?.url)) {
        return { ok: false, error: { message: `refused ${name} from an untrusted frame`, code: 'forbidden' } };
      }
      return dispatch(handlers, ctx, name, payload);
    });
  }
}

/** Send an event to every window's renderer. */
export function sendToRenderers(name: string, payload: unknown): void {
  for (const w of BrowserWindow.getAllWindows()) {
    if (!w.isDestroyed()) w.webContents.send(name, payload);
  }
}
