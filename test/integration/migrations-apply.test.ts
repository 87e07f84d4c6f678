import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyEvent, MigrationKind } from '../../shared/migrations.js';
import { applyMigrations } from '../../main/engine/migrations/apply.js';
import { readSource } from '../../main/engine/migrations/sources.js';
import { migrationStatus } from '../../main/engine/migrations/status.js';
import { planMigration } from '../../main/engine/migrations/plan.js';
import type { Session } from '../../main/engine/session.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { writeFolder, type FixtureFolder } from '../support/migration-folders.js';

// Hostile names: quotes, a semicolon, spaces, mixed case and unicode.
const SCHEMA = '"We""ird; Schema"';
const TABLE = `${SCHEMA}."Tab;le ""x"" ü"`;
const BP = '\n--> statement-breakpoint\n';

const first = {
  name: 'create',
  sql: `CREATE SCHEMA ${SCHEMA};${BP}CREATE TABLE ${TABLE} (id int PRIMARY KEY, "Org Id" int);${BP}CREATE TABLE orgs (id int PRIMARY KEY);\n`,
};
const second = {
  name: 'seed',
  sql: `INSERT INTO orgs VALUES (1);${BP}INSERT INTO ${TABLE} VALUES (1, 1);${BP}DO $$ BEGIN RAISE NOTICE 'seeded % row', 1; END $$;\n`,
};
// Fails on its second statement: the first must not survive.
const failing = {
  name: 'half',
  sql: `CREATE TABLE half_done (id int);${BP}\n-- the mistake:\nINSERT INTO no_such_table VALUES (1);\n`,
};

const ledgerRows: Record<MigrationKind, string> = {
  plain: 'SELECT id AS key, checksum FROM tenancy_console.schema_migrations ORDER BY id',
  drizzle: 'SELECT created_at::text AS key, hash AS checksum FROM drizzle.__drizzle_migrations ORDER BY created_at',
  prisma: 'SELECT migration_name AS key, checksum, finished_at IS NOT NULL AS finished, applied_steps_count, logs, rolled_back_at FROM public._prisma_migrations ORDER BY started_at',
  supabase: 'SELECT version AS key, name, statements FROM supabase_migrations.schema_migrations ORDER BY version',
};

describe.each(['plain', 'drizzle', 'prisma', 'supabase'] as const)('migrations, %s folder', (kind) => {
  let db: TestDatabase;
  let session: Session;
  let folder: FixtureFolder;

  beforeAll(async () => {
    db = await createTestDatabase();
    session = await db.session();
    await session.enableWrite();
    folder = writeFolder(kind, [first, second]);
  });
  afterAll(async () => db?.drop());

  it('detects the kind and shows everything pending before the ledger exists', async () => {
    const source = readSource(folder.dir);
    expect(source.kind).toBe(kind);
    const status = await migrationStatus(session, source);
    expect(status.ledgerExists).toBe(false);
    expect(status.migrations.map((m) => [m.id, m.state])).toEqual([[folder.idOf(0), 'pending'], [folder.idOf(1), 'pending']]);
  });

  it('applies pending migrations in order, streams NOTICEs and writes the ledger the tool\'s way', async () => {
    const events: ApplyEvent[] = [];
    const result = await applyMigrations(session, readSource(folder.dir), { onEvent: (e) => events.push(e) });
    expect(result.failed).toBeNull();
    expect(result.applied.map((a) => a.id)).toEqual([folder.idOf(0), folder.idOf(1)]);
    expect((await db.exec(`SELECT "Org Id" AS org FROM ${TABLE}`)).rows).toEqual([{ org: 1 }]);
    expect(events.some((e) => e.type === 'notice' && e.message === 'seeded 1 row' && e.id === folder.idOf(1))).toBe(true);

    const rows = (await db.exec(ledgerRows[kind])).rows;
    expect(rows).toHaveLength(2);
    const sql0 = fs.readFileSync(folder.fileOf(0), 'utf8');
    const sha0 = (await import('node:crypto')).createHash('sha256').update(sql0).digest('hex');
    if (kind === 'plain') expect(rows[0]).toMatchObject({ key: folder.idOf(0), checksum: sha0 });
    if (kind === 'drizzle') expect(rows[0]).toMatchObject({ key: '1700000000000', checksum: sha0 });
    if (kind === 'prisma') expect(rows[0]).toMatchObject({ key: folder.idOf(0), checksum: sha0, finished: true, applied_steps_count: 1, logs: null, rolled_back_at: null });
    if (kind === 'supabase') {
      expect(rows[0]).toMatchObject({ key: folder.idOf(0), name: 'create' });
      expect(rows[0].statements).toEqual([`CREATE SCHEMA ${SCHEMA}`, `--> statement-breakpoint\nCREATE TABLE ${TABLE} (id int PRIMARY KEY, "Org Id" int)`, '--> statement-breakpoint\nCREATE TABLE orgs (id int PRIMARY KEY)']);
    }
    const status = await migrationStatus(session, readSource(folder.dir));
    expect(status.migrations.map((m) => m.state)).toEqual(['applied', 'applied']);
  });

  it('re-applying is a no-op', async () => {
    const before = (await db.exec(ledgerRows[kind])).rows;
    const result = await applyMigrations(session, readSource(folder.dir));
    expect(result.applied).toEqual([]);
    expect((await db.exec(ledgerRows[kind])).rows).toEqual(before);
  });

  it('shows an applied file edited afterwards as changed', async () => {
    const file = folder.fileOf(1);
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace('VALUES (1, 1)', 'VALUES (1, 2)'));
    try {
      const status = await migrationStatus(session, readSource(folder.dir));
      expect(status.migrations.map((m) => m.state)).toEqual(['applied', 'changed']);
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('a migration failing half-way leaves schema and ledger as they were and names the failing statement', async () => {
    folder.add(failing);
    const before = (await db.exec(ledgerRows[kind])).rows;
    const result = await applyMigrations(session, readSource(folder.dir));
    expect(result.applied).toEqual([]);
    expect(result.failed).toMatchObject({ id: folder.idOf(2), statementIndex: 1, line: 5, statement: 'INSERT INTO no_such_table VALUES (1)', code: '42P01', rolledBack: true });
    expect(result.failed!.error).toMatch(/no_such_table/);
    expect((await db.exec("SELECT to_regclass('half_done') AS t")).rows[0].t).toBeNull();
    expect((await db.exec(ledgerRows[kind])).rows).toEqual(before);
    const status = await migrationStatus(session, readSource(folder.dir));
    expect(status.migrations.map((m) => m.state)).toEqual(['applied', 'applied', 'pending']);
  });
});

describe('statements that cannot run in a transaction', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('CREATE TABLE items (id int PRIMARY KEY, org_id int);');
  });
  afterAll(async () => db?.drop());

  it('says so first, runs them outside a transaction and still records the ledger row', async () => {
    const folder = writeFolder('plain', [{ name: 'index', sql: 'CREATE INDEX CONCURRENTLY items_org ON items (org_id);\n' }]);
    const source = readSource(folder.dir);
    const plan = await planMigration(source.migrations[0]!);
    expect(plan.outsideTransaction).toBe('line 1: CREATE INDEX CONCURRENTLY cannot run inside a transaction');
    const session = await db.session();
    await session.enableWrite();
    const events: ApplyEvent[] = [];
    const result = await applyMigrations(session, source, { onEvent: (e) => events.push(e) });
    expect(result.failed).toBeNull();
    expect(events[0]).toMatchObject({ type: 'migration-start', transactional: false });
    expect((await db.exec("SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_org'::regclass")).rows[0].indisvalid).toBe(true);
    expect((await migrationStatus(session, source)).migrations[0]!.state).toBe('applied');
  });

  it('refuses to write from a read-only session', async () => {
    const folder = writeFolder('plain', [{ name: 'x', sql: 'CREATE TABLE x (id int);' }]);
    const session = await db.session();
    await expect(applyMigrations(session, readSource(folder.dir))).rejects.toThrow(/write mode/);
  });

  it('lint errors block apply unless acknowledged', async () => {
    const folder = writeFolder('plain', [{ name: 'drop', sql: "SET lock_timeout = '1s';\nALTER TABLE items DROP COLUMN org_id;" }]);
    const session = await db.session();
    await session.enableWrite();
    await expect(applyMigrations(session, readSource(folder.dir))).rejects.toThrow(/lint errors block apply \(1\): 001_drop\.sql:2 destructive-statement/);
    expect((await db.exec("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'org_id'")).rows[0].n).toBe(1);
    const result = await applyMigrations(session, readSource(folder.dir), { ack: ['destructive-statement'] });
    expect(result.applied).toHaveLength(1);
  });
});

describe('Prisma failed attempts', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('shows a migration whose recorded attempt never finished as failed, refuses to apply past it, and treats a rolled-back one as pending', async () => {
    const folder = writeFolder('prisma', [{ name: 'init', sql: 'CREATE TABLE a (id int);' }]);
    const session = await db.session();
    await session.enableWrite();
    const source = readSource(folder.dir);
    await db.exec(`CREATE TABLE _prisma_migrations ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    await db.exec(`INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES ('00000000-0000-4000-8000-000000000001', 'x', $1, 'Database error code: 42P07')`, [folder.idOf(0)]);
    const status = await migrationStatus(session, source);
    expect(status.migrations[0]).toMatchObject({ state: 'failed', note: expect.stringContaining('Database error code: 42P07') });
    await expect(applyMigrations(session, source)).rejects.toThrow(/failed attempt recorded.*prisma migrate resolve --rolled-back/);
    await db.exec('UPDATE _prisma_migrations SET rolled_back_at = now()');
    expect((await migrationStatus(session, source)).migrations[0]).toMatchObject({ state: 'pending', note: 'an earlier attempt was marked rolled back' });
    const result = await applyMigrations(session, source);
    expect(result.applied).toHaveLength(1);
    expect((await migrationStatus(session, source)).migrations[0]!.state).toBe('applied');
  });
});
