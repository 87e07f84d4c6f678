/**
 * The Citus cluster the scale-out tests run on: TENANCY_CITUS_URL names its coordinator (a
 * superuser URL; the citus extension installed in that database, workers added). Citus is in no
 * package registry, so most machines (and every CI machine) have none: there the tests are skipped
 * with one loud line, under CI too. Each test file works in its own schema, dropped afterwards.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import type { ProfileInput } from '../../shared/profile.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';

/** The coordinator's URL when a cluster with the citus extension is reachable, else null (after one loud line). */
export async function citusUrl(what: string): Promise<string | null> {
  const url = process.env.TENANCY_CITUS_URL;
  const skip = (why: string) => {
    const line = '!'.repeat(78);
    process.stderr.write(`\n${line}\n!! SKIPPED: ${what}: ${why}\n${line}\n\n`);
    return null;
  };
  if (!url) return skip('no Citus cluster (set TENANCY_CITUS_URL to a coordinator whose database has the citus extension; see docs/scale-out.md)');
  const client = new pg.Client({ connectionString: url });
  // A URL that is set but does not answer is a broken setup, not an absent Citus: it fails.
  await client.connect();
  try {
    const { rows } = await client.query<{ installed: boolean }>(`SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') AS installed`);
    if (!rows[0]!.installed) return skip(`TENANCY_CITUS_URL's database has no citus extension (CREATE EXTENSION citus, and add the workers)`);
    return url;
  } finally {
    await client.end();
  }
}

/** One test file's schema on the cluster. */
export interface CitusSchema {
  schema: string;
  url: string;
  exec(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  session(extra?: Partial<ProfileInput>): Promise<Session>;
  drop(): Promise<void>;
}

/**
 * Create a fresh schema on the cluster and run the fixture statements in it, one at a time
 * (search_path set to it): Citus refuses some DDL after a write in the same transaction.
 */
export async function createCitusSchema(url: string, fixture: string[] = []): Promise<CitusSchema> {
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
  await client.query(`SET search_path = ${pg.escapeIdentifier(schema)}`);
  for (const statement of fixture) await client.query(statement);
  const sessions: Session[] = [];
  return {
    schema,
    url,
    exec: (sql, params) => client.query(sql, params),
    async session(extra = {}) {
      const { profile, urlPassword } = profileFromUrl(url, extra);
      const s = await Session.open(profile, { password: urlPassword });
      sessions.push(s);
      return s;
    },
    async drop() {
      for (const s of sessions) await s.close();
      await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await client.end();
    },
  };
}
