/**
 * A fake PostgreSQL server that asks every client for its password in clear text
 * (AuthenticationCleartextPassword) and records every byte it receives afterwards: a test
 * asserts that nothing (no PasswordMessage, no password) ever reaches it.
 */
import net from 'node:net';

/** A running fake server. */
export interface FakePostgres {
  host: string;
  port: number;
  /** Connections that reached the startup message. */
  startups: number;
  /** Every byte received after the password request, per connection, concatenated. */
  afterAuth(): Buffer;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;

/** Start the fake on `host` (default 127.0.0.1), a free port. */
export async function startFakePostgres(host = '127.0.0.1'): Promise<FakePostgres> {
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const state = { startups: 0 };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let asked = false;
    socket.on('data', (chunk: Buffer) => {
      if (asked) {
        received.push(chunk);
        return;
      }
      buf = Buffer.concat([buf, chunk]);
      while (!asked && buf.length >= 8) {
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        buf = buf.subarray(len);
        if (code === SSL_REQUEST || code === GSS_REQUEST) {
          socket.write('N'); // no TLS here: a client that insists must give up
          continue;
        }
        state.startups++;
        asked = true;
        const auth = Buffer.alloc(9);
        auth.write('R', 0);
        auth.writeInt32BE(8, 1);
        auth.writeInt32BE(3, 5); // AuthenticationCleartextPassword
        socket.write(auth);
        if (buf.length > 0) received.push(buf);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    host,
    port: (server.address() as net.AddressInfo).port,
    get startups() {
      return state.startups;
    },
    afterAuth: () => Buffer.concat(received),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
