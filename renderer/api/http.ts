/**
 * Browser mode's ConsoleApi: POST /api/<channel> with JSON and the session header (see
 * session.ts), events over one fetch-read event stream opened on first subscribe.
 */
import { buildConsoleApi } from '../../shared/contract/client.js';
import type { ConsoleApi, Contract } from '../../shared/contract/index.js';
import { openEventStream } from './event-stream.js';
import { SESSION_HEADER, signIn, type SessionState } from './session.js';

/**
 * The contract's schemas: on the first event (the client keeps the answer, and asks again after a
 * failure), or earlier by warmEventSchemas; the module map makes the second import free. They are
 * a chunk of their own so the first render neither downloads nor builds them.
 */
export function loadContract(): Promise<Contract> {
  return import('../../shared/contract/index.js').then((m) => m.CONTRACT);
}

/** A ConsoleApi over HTTP to the page's own origin. */
export function createHttpApi(): ConsoleApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let streaming = false;
  let session: Promise<SessionState> | null = null;
  const ready = () => (session ??= signIn());
  const authHeaders = async (): Promise<Record<string, string> | null> => {
    const s = await ready();
    return s.ok ? { [SESSION_HEADER]: s.session } : null;
  };

  return buildConsoleApi({
    async invoke(channel, payload) {
      const s = await ready();
      if (!s.ok) return { ok: false, error: { message: s.message, code: 'auth' } };
      let res: Response;
      try {
        res = await fetch(`./api/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', [SESSION_HEADER]: s.session },
          body: JSON.stringify(payload),
          credentials: 'omit',
        });
      } catch {
        return { ok: false, error: { message: 'the console host is not reachable; is `tenancy serve` still running?', code: 'connection' } };
      }
      if ((res.headers.get('content-type') ?? '').startsWith('application/json')) return res.json();
      return { ok: false, error: { message: `${res.status}: ${(await res.text()).slice(0, 200)}`, code: res.status === 401 ? 'auth' : 'protocol' } };
    },
    subscribe(channel, listener) {
      if (!streaming) {
        streaming = true;
        openEventStream('./api/events', authHeaders, (e) => {
          let data: unknown;
          try {
            data = JSON.parse(e.data);
          } catch {
            return;
          }
          for (const l of listeners.get(e.name) ?? []) l(data);
        });
      }
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(listener);
      return () => set.delete(listener);
    },
  }, loadContract);
}
