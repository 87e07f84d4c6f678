/**
 * Build a ConsoleApi from a transport: one function per request channel, one subscribe function
 * per event channel. Used by the Electron preload (IPC) and the browser-mode client (HTTP), so
 * both expose exactly the contract and nothing else.
 */
import { unwrapEnvelope } from './channel.js';
import { CONTRACT, listChannels, type ConsoleApi } from './index.js';

/** How a client reaches the host. */
export interface Transport {
  /** Send a request, resolve with the raw envelope. */
  invoke(channel: string, payload: unknown): Promise<unknown>;
  /** Listen to an event channel; returns an unsubscribe. */
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
}

/** The ConsoleApi over `transport`. Event payloads are parsed with their schemas before listeners see them. */
export function buildConsoleApi(transport: Transport): ConsoleApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const domain of Object.keys(CONTRACT)) api[domain] = {};
  for (const entry of listChannels()) {
    const { name, domain, action, channel } = entry;
    if (channel.kind === 'request') {
      api[domain]![action] = async (req: unknown) => unwrapEnvelope(await transport.invoke(name, req ?? {}));
    } else {
      api[domain]![action] = (listener: (p: unknown) => void) =>
        transport.subscribe(name, (raw) => {
          const parsed = channel.payload.safeParse(raw);
          if (parsed.success) listener(parsed.data);
        });
    }
  }
  return api as unknown as ConsoleApi;
}
