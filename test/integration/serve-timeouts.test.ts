/**
 * Browser mode does not hold slow connections open: a client that never finishes its request
 * headers is cut off after HEADERS_TIMEOUT_MS (10 s), and its twin that sends them gets an answer.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost } from '../../main/serve/host.js';
import { HEADERS_TIMEOUT_MS } from '../../main/serve/server.js';

let host: Awaited<ReturnType<typeof startBrowserHost>>;
let configDir: string;
beforeAll(async () => {
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-timeouts-'));
  host = await startBrowserHost({ port: 0, configDir });
});
afterAll(async () => {
  await host.close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

/** Send `text`, then resolve with what came back and how long until the server closed the socket. */
function exchange(text: string): Promise<{ reply: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(host.port, '127.0.0.1', () => socket.write(text));
    let reply = '';
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      if (/\r\n\r\n/.test(reply) && text.endsWith('\r\n\r\n')) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ reply, closedAfterMs: Date.now() - started }));
  });
}

describe('browser mode and slow clients', () => {
  it('cuts off a client that never finishes its headers', async () => {
    const r = await exchange(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nX-Slow: 1\r\n`);
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 500);
    expect(r.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 5_000);
    expect(r.reply === '' || /^HTTP\/1\.1 408/.test(r.reply)).toBe(true);
  }, 30_000);

  it('answers a client that sends its headers', async () => {
    const r = await exchange(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`);
    expect(r.reply).toMatch(/^HTTP\/1\.1 \d{3} /);
    expect(r.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS);
  });
});
