/** Server-Sent Events for browser mode: every connected page receives every host event. */
import type http from 'node:http';

/** Connected event streams. */
export class EventHub {
  private readonly clients = new Set<http.ServerResponse>();

  /** Attach a response as an event stream until the page goes away. */
  attach(res: http.ServerResponse, headers: Record<string, string>): void {
    res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  /** Send one event to every stream. */
  broadcast(name: string, payload: unknown): void {
    const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const c of this.clients) c.write(frame);
  }

  /** End every stream (shutdown). */
  closeAll(): void {
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
