/**
 * Browser mode's ConsoleApi: POST /api/<channel> with JSON (the cookie carries the launch token),
 * events over one Server-Sent Events stream opened on first subscribe.
 */
import { buildConsoleApi } from '../../shared/contract/client.js';
import type { ConsoleApi } from '../../shared/contract/index.js';

/** A ConsoleApi over HTTP to the page's own origin. */
export function createHttpApi(): ConsoleApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let source: EventSource | null = null;

  function listen(name: string): void {
    source!.addEventListener(name, (e) => {
      let data: unknown;
      try {
        data = JSON.parse((e as MessageEvent<string>).data);
      } catch {
        return;
      }
      for (const l of listeners.get(name) ?? []) l(data);
    });
  }

  return buildConsoleApi({
    async invoke(channel, payload) {
      let res: Response;
      try {
        res = await fetch(`./api/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(payload),
          credentials: 'same-origin',
        });
      } catch {
        return { ok: false, error: { message: 'the console host is not reachable; is `tenancy serve` still running?', code: 'connection' } };
      }
      if ((res.headers.get('content-type') ?? '').startsWith('application/json')) return res.json();
      return { ok: false, error: { message: `${res.status}: ${(await res.text()).slice(0, 200)}`, code: res.status === 401 ? 'auth' : 'protocol' } };
    },
    subscribe(channel, listener) {
      if (!source) source = new EventSource('./api/events');
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        listen(channel);
      }
      set.add(listener);
      return () => set.delete(listener);
    },
  });
}
