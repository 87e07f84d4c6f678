/** The e2e fixture database: the half-migrated app, a login role with a password, an app role for the probe. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

/** The fixture with its roles. */
export interface ConsoleFixture {
  db: TestDatabase;
  /** URL of the login role (carries the password). */
  url: string;
  password: string;
  appRole: string;
  drop(): Promise<void>;
}

/** Create the fixture database and its roles (names unique per run: roles are cluster-wide). */
export async function createConsoleFixture(): Promise<ConsoleFixture> {
  const sql = fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'console.sql'), 'utf8');
  const db = await createTestDatabase(sql);
  const suffix = crypto.randomBytes(4).toString('hex');
  const reader = `e2e reader ${suffix}`;
  const appRole = `e2e_app_${suffix}`;
  const password = `pw-Секрет;"x ${suffix}`;
  const id = pg.escapeIdentifier;
  await db.exec(`CREATE ROLE ${id(appRole)} NOLOGIN`);
  await db.exec(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${id(appRole)}`);
  await db.exec(`CREATE ROLE ${id(reader)} LOGIN PASSWORD ${pg.escapeLiteral(password)} IN ROLE ${id(appRole)}`);
  await db.exec(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${id(reader)}`);
  return {
    db,
    url: db.urlAs(reader, password),
    password,
    appRole,
    async drop() {
      await db.drop();
      const root = new pg.Client({ connectionString: new URL('/postgres', db.url).toString() });
      await root.connect();
      await root.query(`DROP ROLE IF EXISTS ${id(reader)}`);
      await root.query(`DROP ROLE IF EXISTS ${id(appRole)}`);
      await root.end();
    },
  };
}
