/**
 * The world outside the database, faked for runbook steps: a program put first on PATH in a temp
 * dir (a Node script), and a tiny HTTP application started on port 0 (ready on `listening`) that
 * records every request it gets.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A temp dir holding fake programs; `env` puts it first on PATH. */
export interface FakeBin {
  dir: string;
  /** PATH with the fake programs first. */
  path: string;
  /** Write program `name`: a Node script whose body is `js` (process.argv.slice(2) are its arguments). */
  add(name: string, js: string): string;
}

/** A fresh dir of fake programs. */
export function fakeBin(): FakeBin {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-bin-'));
  return {
    dir,
    path: `${dir}${path.delimiter}${process.env.PATH ?? ''}`,
    add(name, js) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, `#!${process.execPath}\n${js}\n`, { mode: 0o755 });
      return file;
    },
  };
}

/** One request the fake application received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An answer: status, headers, body. */
export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A running fake application. */
export interface FakeApp {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Start an HTTP server answering `route(req)` (404 when it returns null); resolves once it listens. */
export async function startFakeApp(route: (req: ReceivedRequest) => FakeAnswer | null): Promise<FakeApp> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const a = route(r) ?? { status: 404, body: 'Not found' };
      res.writeHead(a.status, { 'content-type': 'text/html', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
