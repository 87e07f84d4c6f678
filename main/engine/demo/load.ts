/**
 * Load the demo scenarios: each into its own database, set-based (generate_series, no per-row
 * round trips), ANALYZEd so estimate mode has statistics, and marked as loaded so a persistent
 * data directory is reused instead of rebuilt.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { UserError } from '../errors.js';
import { quoteIdent } from '../ident.js';
import { sqlFile } from '../paths.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../pg/embedded.js';
import { applyDemoMigrations, demoMigrationTexts } from './ledger.js';
import { DEMO_SCENARIOS, type DemoScenario } from './scenarios.js';

/** Rows per main table when --rows is not given. */
export const DEFAULT_DEMO_ROWS = 2_000;
/** Fewer rows than this leaves too few tenants and defects to be interesting. */
export const MIN_DEMO_ROWS = 100;
/** An upper bound that keeps a typo (an extra zero or three) from filling the disk. */
export const MAX_DEMO_ROWS = 50_000_000;

/** A loaded scenario database. */
export interface DemoDatabase {
  scenario: string;
  database: string;
  url: string;
  runbook: string;
  /** False when a persistent data directory already held this scenario, loaded the same way. */
  loaded: boolean;
}

/** Options for loading one scenario. */
export interface LoadScenarioOptions {
  /** Database name to use instead of the scenario's (tests use unique names). */
  database?: string;
  /** Reuse the database when it already holds this scenario at this size (default true). */
  reuse?: boolean;
}

/** Check a --rows value; a UserError naming the bounds otherwise. */
export function validateDemoRows(rows: number): number {
  if (!Number.isInteger(rows) || rows < MIN_DEMO_ROWS || rows > MAX_DEMO_ROWS) {
    throw new UserError(`--rows must be a whole number from ${MIN_DEMO_ROWS} to ${MAX_DEMO_ROWS}, got ${rows}`, 'usage');
  }
  return rows;
}

/** The URL of another database on the server `url` points at. */
export function urlWithDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Fingerprint of everything that shapes a scenario's content, so a changed SQL file reloads it. */
function contentDigest(scenario: DemoScenario, rows: number): string {
  const h = crypto.createHash('sha256');
  h.update(`rows=${rows}\n`);
  h.update(sqlFile('demo/prelude.sql'));
  if (scenario.platformSql) h.update(sqlFile(scenario.platformSql));
  if (scenario.ledger) for (const t of demoMigrationTexts(scenario.ledger)) h.update(t);
  h.update(sqlFile(`demo/${scenario.id}.sql`));
  return h.digest('hex').slice(0, 16);
}

function loadedMarker(scenario: DemoScenario, rows: number): string {
  return `tenancy demo: scenario ${scenario.id}, ${rows} rows, content ${contentDigest(scenario, rows)}, loaded`;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'tenancy-console demo loader' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Load one scenario into its database on the server `adminUrl` points at (a superuser URL).
 * The database is dropped and rebuilt unless it already carries this scenario's loaded marker.
 */
export async function loadScenario(
  adminUrl: string, scenario: DemoScenario, rows: number, opts: LoadScenarioOptions = {},
): Promise<DemoDatabase> {
  validateDemoRows(rows);
  const database = opts.database ?? scenario.database;
  const url = urlWithDatabase(adminUrl, database);
  const marker = loadedMarker(scenario, rows);
  const result = { scenario: scenario.id, database, url, runbook: scenario.runbook };
  const current = await withClient(adminUrl, async (admin) => {
    const r = await admin.query<{ comment: string | null }>(
      'SELECT pg_catalog.shobj_description(oid, \'pg_database\') AS comment FROM pg_catalog.pg_database WHERE datname = $1', [database],
    );
    return r.rows[0];
  });
  if (current && current.comment === marker && opts.reuse !== false) return { ...result, loaded: false };
  await withClient(adminUrl, async (admin) => {
    if (current) await admin.query(`DROP DATABASE ${quoteIdent(database)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdent(database)}`);
  });
  await withClient(url, async (c) => {
    await c.query("SELECT set_config('demo.rows', $1, false)", [String(rows)]);
    await c.query(sqlFile('demo/prelude.sql'));
    if (scenario.platformSql) await c.query(sqlFile(scenario.platformSql));
    if (scenario.ledger) await applyDemoMigrations(c, scenario.ledger);
    // The data is FK-consistent by construction (the tests check every FK afterwards), so skip
    // the per-row FK triggers while loading: they are most of the cost at a million rows.
    await c.query('SET session_replication_role = replica');
    try {
      await c.query(sqlFile(`demo/${scenario.id}.sql`));
    } catch (err) {
      throw new Error(`demo scenario ${scenario.id} failed to load: ${(err as Error).message}`, { cause: err });
    }
    await c.query('RESET session_replication_role');
    await c.query('ANALYZE');
    // The marker goes last: a load interrupted half-way is rebuilt next time, never reused.
    await c.query(`COMMENT ON DATABASE ${quoteIdent(database)} IS ${pg.escapeLiteral(marker)}`);
  });
  return { ...result, loaded: true };
}

/** Options for `startDemo`. */
export interface StartDemoOptions {
  rows?: number;
  port?: number;
  /** Persistent data directory (reused when already loaded); a temporary one otherwise. */
  dataDir?: string;
  /** Told when each scenario starts and finishes loading. */
  onProgress?: (event: { scenario: string; state: 'loading' | 'loaded' | 'reused' }) => void;
}

/** A running demo: the server and its loaded databases. */
export interface RunningDemo {
  server: EmbeddedServer;
  databases: DemoDatabase[];
}

/**
 * Start an embedded PostgreSQL and load every scenario (a few at a time, bounded by the CPUs).
 * Resolves once every database is loaded and ANALYZEd; on a failure the server is stopped.
 */
export async function startDemo(opts: StartDemoOptions = {}): Promise<RunningDemo> {
  const rows = validateDemoRows(opts.rows ?? DEFAULT_DEMO_ROWS);
  const server = await startEmbeddedPostgres({ port: opts.port, dataDir: opts.dataDir, fast: true });
  try {
    const databases: DemoDatabase[] = new Array(DEMO_SCENARIOS.length);
    let next = 0;
    const worker = async () => {
      while (next < DEMO_SCENARIOS.length) {
        const i = next++;
        const scenario = DEMO_SCENARIOS[i]!;
        opts.onProgress?.({ scenario: scenario.id, state: 'loading' });
        const db = await loadScenario(server.adminUrl, scenario, rows);
        databases[i] = db;
        opts.onProgress?.({ scenario: scenario.id, state: db.loaded ? 'loaded' : 'reused' });
      }
    };
    const workers = Math.max(1, Math.min(DEMO_SCENARIOS.length, os.availableParallelism()));
    await Promise.all(Array.from({ length: workers }, worker));
    return { server, databases };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
