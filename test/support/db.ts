/**
 * Test databases: each test file creates its own database on the run's server, loads fixtures,
 * and drops it afterwards. Never a mock: the real server, real catalogs.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { ProfileInput } from '../../shared/profile.js';
import { Session, type SessionOptions } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';

/** A database made for one test file. */
export interface TestDatabase {
  name: string;
  url: string;
  /** Run SQL as the superuser in this database (fixtures, assertions). */
  exec(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** Open a console session on this database. */
  session(extra?: Partial<ProfileInput>, opts?: SessionOptions): Promise<Session>;
  /** The URL for another role on this database. */
  urlAs(user: string, password: string): string;
  /**
   * Resolve once `sql` (returning one row with a boolean `ok`) is true: waits on real readiness
   * (a lock taken, a backend gone), never on time; after 30 s it fails and says what every other
   * session of this database was waiting on.
   */
  until(sql: string, params?: unknown[]): Promise<void>;
  /** A new connection inside an open transaction that has run `sql` (to hold its locks); end it with COMMIT. */
  holding(sql: string): Promise<pg.Client>;
  drop(): Promise<void>;
}

/** The superuser URL of the run's server. */
export function adminUrl(): string {
  return inject('adminUrl');
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(db)}`;
  return u.toString();
}

/** Create a fresh database (optionally loading `fixtureSql`) and return handles to it. */
export async function createTestDatabase(fixtureSql?: string): Promise<TestDatabase> {
  const admin = adminUrl();
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const root = new pg.Client({ connectionString: admin });
  await root.connect();
  await root.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await root.end();
  const url = withDatabase(admin, name);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  if (fixtureSql) await client.query(fixtureSql);
  const sessions: Session[] = [];
  return {
    name,
    url,
    exec: (sql, params) => client.query(sql, params),
    async session(extra = {}, opts = {}) {
      const { profile, urlPassword } = profileFromUrl(url, extra);
      const s = await Session.open(profile, { password: urlPassword, ...opts });
      sessions.push(s);
      return s;
    },
    async until(sql, params = []) {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if ((await client.query(sql, params)).rows[0]?.ok) return;
        await new Promise((r) => setImmediate(r));
      }
      const { rows } = await client.query(`SELECT pid, state, wait_event_type, wait_event, left(query, 100) AS query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      throw new Error(`never true within 30 s: ${sql}\n${JSON.stringify(rows)}`);
    },
    async holding(sql) {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => undefined);
      await c.connect();
      await c.query('BEGIN');
      await c.query(sql);
      return c;
    },
    urlAs(user, password) {
      const u = new URL(url);
      u.username = encodeURIComponent(user);
      u.password = encodeURIComponent(password);
      return u.toString();
    },
    async drop() {
      for (const s of sessions) await s.close();
      await client.end();
      const r = new pg.Client({ connectionString: admin });
      await r.connect();
      await r.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await r.end();
    },
  };
}
