/**
 * The preload: exposes `window.tenancy`, one function per contract channel (typed as ConsoleApi),
 * the IPC event stripped before listeners see a payload. The only place ipcRenderer is used.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildConsoleApi } from '../shared/contract/client.js';
import { CONTRACT, type ConsoleApi } from '../shared/contract/index.js';

const api: ConsoleApi = buildConsoleApi({
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  subscribe(channel, listener) {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
}, async () => CONTRACT);

contextBridge.exposeInMainWorld('tenancy', api);
