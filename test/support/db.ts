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
