/**
 * Server-Sent Events read over fetch, so the request can carry the session header (EventSource
 * cannot). Reconnects after a dropped stream; stops on 401.
 */

/** One parsed event. */
export interface StreamEvent {
  name: string;
  data: string;
}

/** Split an SSE text buffer into complete events and the unfinished rest. */
export function parseEvents(buffer: string): { events: StreamEvent[]; rest: string } {
  const events: StreamEvent[] = [];
  const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let name = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ name, data: data.join('\n') });
  }
  return { events, rest };
}

/** Read `url` as an event stream until 401, calling `onEvent` for each event. */
export function openEventStream(url: string, headers: () => Promise<Record<string, string> | null>, onEvent: (e: StreamEvent) => void): void {
  const connect = async (): Promise<void> => {
    const h = await headers();
    if (!h) return;
    let res: Response;
    try {
      res = await fetch(url, { headers: h, credentials: 'omit', cache: 'no-store' });
    } catch {
      setTimeout(() => void connect(), 2000);
      return;
    }
    if (res.status === 401 || !res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const parsed = parseEvents(buffer + value);
        buffer = parsed.rest;
        for (const e of parsed.events) onEvent(e);
      }
    } catch {
      // the stream dropped: reconnect below
    }
    setTimeout(() => void connect(), 1000);
  };
  void connect();
}
