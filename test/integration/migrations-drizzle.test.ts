import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../main/engine/migrations/apply.js';
import { preflight } from '../../main/engine/migrations/preflight.js';
import { readSource } from '../../main/engine/migrations/sources.js';
import { migrationStatus } from '../../main/engine/migrations/status.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { writeFolder } from '../support/migration-folders.js';

const BP = '\n--> statement-breakpoint\n';
const MIGRATIONS = [
  { name: 'tenant_organizations', sql: `CREATE TABLE organizations (id int PRIMARY KEY);${BP}CREATE TABLE "Students" (id int PRIMARY KEY, organization_id int DEFAULT 1);\n` },
  { name: 'remove_bootstrap_org_defaults', sql: `ALTER TABLE "Students" ALTER COLUMN organization_id DROP DEFAULT;\n` },
];

async function drizzleMigrate(url: string, migrationsFolder: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    await client.end();
  }
}

describe('Drizzle: the console and drizzle-orm agree', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it("drizzle-orm's migrator finds nothing to do after the console applied the folder", async () => {
    const folder = writeFolder('drizzle', MIGRATIONS);
    const session = await db.session();
    await session.enableWrite();
    const result = await applyMigrations(session, readSource(folder.dir), { ack: 'all' });
    expect(result.applied).toHaveLength(2);
    const before = (await db.exec('SELECT id, hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id')).rows;
    // Were it to re-run 0000, CREATE TABLE organizations would fail: it must neither fail nor add rows.
    await drizzleMigrate(db.url, path.join(folder.dir, 'drizzle'));
    expect((await db.exec('SELECT id, hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id')).rows).toEqual(before);
  });

  it('the console sees a folder applied by drizzle-orm as applied', async () => {
    const other = await createTestDatabase();
    try {
      const folder = writeFolder('drizzle', MIGRATIONS);
      await drizzleMigrate(other.url, path.join(folder.dir, 'drizzle'));
      const status = await migrationStatus(await other.session(), readSource(folder.dir));
      expect(status.migrations.map((m) => [m.id, m.state])).toEqual([['0000_tenant_organizations', 'applied'], ['0001_remove_bootstrap_org_defaults', 'applied']]);
    } finally {
      await other.drop();
    }
  });
});

describe("preflight catches runbook 000's trap before anything runs", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('flags a file missing from the journal, a journal entry without a file, and ledger rows the folder does not know', async () => {
    const applied = writeFolder('drizzle', MIGRATIONS);
    const session = await db.session();
    await session.enableWrite();
    await applyMigrations(session, readSource(applied.dir), { ack: 'all' });

    // The "wrong worktree": an older checkout with only the first migration, plus a stray file the journal lacks.
    const wrong = writeFolder('drizzle', [MIGRATIONS[0]!]);
    fs.writeFileSync(path.join(wrong.dir, 'drizzle', '0001_remove_bootstrap_org_defaults.sql'), MIGRATIONS[1]!.sql);
    const journalPath = path.join(wrong.dir, 'drizzle', 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8'));
    journal.entries.push({ idx: 2, version: '7', when: 1700000009000, tag: '0002_lost', breakpoints: true });
    fs.writeFileSync(journalPath, JSON.stringify(journal));

    const report = await preflight(await db.session(), readSource(wrong.dir));
    const codes = report.issues.map((i) => [i.code, i.severity]);
    expect(codes).toContainEqual(['file-not-in-journal', 'error']);
    expect(codes).toContainEqual(['journal-entry-without-file', 'error']);
    expect(codes).toContainEqual(['ledger-unknown', 'error']);
    expect(report.issues.find((i) => i.code === 'ledger-unknown')!.message).toMatch(/wrong DATABASE_URL or wrong worktree/);
    expect(report.database.database).toBe(db.name);
    expect(report.pending).toBe(0);
  });

  it('reports the git commit, dirtiness, pending count and write permission', async () => {
    const folder = writeFolder('plain', [{ name: 'a', sql: 'CREATE TABLE a (id int);' }]);
    const git = (...args: string[]) => execFileSync('git', ['-C', folder.dir, ...args], { encoding: 'utf8' }).trim();
    git('init', '-q');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'empty');
    const session = await db.session();
    let report = await preflight(session, readSource(folder.dir));
    expect(report.git).toMatchObject({ commit: git('rev-parse', 'HEAD'), worktree: fs.realpathSync(folder.dir), dirty: true });
    expect(report.pending).toBe(1);
    expect(report.canWrite).toBe(true);

    await db.exec("CREATE ROLE mig_reader LOGIN PASSWORD 'pw'; GRANT CONNECT ON DATABASE " + `"${db.name}"` + ' TO mig_reader;');
    const reader = await (await import('../../main/engine/session.js')).Session.open(
      (await import('../../main/engine/target.js')).profileFromUrl(db.urlAs('mig_reader', 'pw')).profile, { password: 'pw' },
    );
    try {
      report = await preflight(reader, readSource(folder.dir));
      expect(report.canWrite).toBe(false);
      expect(report.issues.find((i) => i.code === 'no-write-permission')!.message).toMatch(/mig_reader may not create schema tenancy_console/);
    } finally {
      await reader.close();
      await db.exec('DROP OWNED BY mig_reader; DROP ROLE mig_reader;');
    }
  });
});
