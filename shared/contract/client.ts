/**
 * Build a ConsoleApi from a transport: one function per request channel, one subscribe function
 * per event channel. Used by the Electron preload (IPC) and the browser-mode client (HTTP), so
 * both expose exactly the contract and nothing else.
 *
 * The functions come from the channel names alone (names.ts); the event schemas are asked of
 * `loadContract` when the first event arrives, so a renderer can start without building them.
 */
import { unwrapEnvelope, type Domain } from './channel.js';
import type { ConsoleApi, Contract } from './index.js';
import { CHANNEL_KINDS } from './names.js';

/** How a client reaches the host. */
export interface Transport {
  /** Send a request, resolve with the raw envelope. */
  invoke(channel: string, payload: unknown): Promise<unknown>;
  /** Listen to an event channel; returns an unsubscribe. */
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
}

/** The contract with its schemas, as the client loads it for events (a dynamic import, or the module itself). */
export type ContractLoader = () => Promise<Contract>;

/**
 * The ConsoleApi over `transport`. Event payloads are parsed with their schemas before listeners
 * see them; a listener never gets one that fails. Events are delivered in the order they came,
 * the first ones after the schemas have loaded.
 */
export function buildConsoleApi(transport: Transport, loadContract: ContractLoader): ConsoleApi {
  let contract: Promise<Contract> | null = null;
  let loaded: Contract | null = null;
  // A failed load (a chunk the network dropped) is tried again on the next event.
  const schemas = (): Promise<Contract> =>
    (contract ??= loadContract().then(
      (c) => (loaded = c),
      (err: unknown) => { contract = null; throw err; },
    ));
  const api: Record<string, Record<string, unknown>> = {};
  for (const [domain, actions] of Object.entries(CHANNEL_KINDS)) {
    const fns: Record<string, unknown> = {};
    api[domain] = fns;
    for (const [action, kind] of Object.entries(actions)) {
      const name = `${domain}/${action}`;
      if (kind === 'request') {
        fns[action] = async (req: unknown) => unwrapEnvelope(await transport.invoke(name, req ?? {}));
        continue;
      }
      fns[action] = (listener: (p: unknown) => void) => {
        // Once the schemas are here an event is parsed and delivered at once, as it arrives.
        // Before, events wait on one chain per subscription, which keeps them in arrival order;
        // after unsubscribe nothing more reaches the listener, even an event already queued.
        let queued = 0;
        let chain: Promise<void> = Promise.resolve();
        let active = true;
        const deliver = (schemas: Contract, raw: unknown) => {
          const channel = (schemas as Record<string, Domain>)[domain]?.[action];
          const parsed = channel?.kind === 'event' ? channel.payload.safeParse(raw) : null;
          if (active && parsed?.success) listener(parsed.data);
        };
        const unsubscribe = transport.subscribe(name, (raw) => {
          if (loaded && queued === 0) return deliver(loaded, raw);
          queued += 1;
          chain = chain
            .then(async () => deliver(await schemas(), raw))
            // A listener's error is reported as before (uncaught), and the next event still arrives.
            .catch((err: unknown) => queueMicrotask(() => { throw err; }))
            .finally(() => { queued -= 1; });
        });
        return () => { active = false; unsubscribe(); };
      };
    }
  }
  return api as unknown as ConsoleApi;
}
