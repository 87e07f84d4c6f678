import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyEvent, MigrationKind } from '../../shared/migrations.js';
import { applyMigrations } from '../../main/engine/migrations/apply.js';
import { readSource } from '../../main/engine/migrations/sources.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { writeFolder } from '../support/migration-folders.js';

const KINDS: MigrationKind[] = ['plain', 'drizzle', 'prisma', 'supabase'];
const ledgerCount: Record<MigrationKind, string> = {
  plain: 'SELECT count(*)::int AS n FROM tenancy_console.schema_migrations',
  drizzle: 'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
  prisma: 'SELECT count(*)::int AS n FROM public._prisma_migrations',
  supabase: 'SELECT count(*)::int AS n FROM supabase_migrations.schema_migrations',
};

/** Poll the catalogs (not the clock) until `sql` returns a row with ok = true. */
const waitingOnRow = "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted AND locktype <> 'advisory') AS ok";
const waitingOnAdvisory = "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted AND locktype = 'advisory') AS ok";

describe('two migrate apply at once: one writer per ledger', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(`CREATE TABLE balances (kind text PRIMARY KEY, amount int NOT NULL);
      INSERT INTO balances VALUES ('plain', 0), ('drizzle', 0), ('prisma', 0), ('supabase', 0);`);
  });
  afterAll(async () => db?.drop());

  for (const kind of KINDS) {
    it(`${kind}: the second apply waits for the first, re-reads the ledger and applies nothing again`, async () => {
      const folder = writeFolder(kind, [
        { name: 'credit', sql: `UPDATE balances SET amount = amount + 10 WHERE kind = '${kind}';\n` },
        { name: 'bonus', sql: `UPDATE balances SET amount = amount + 1 WHERE kind = '${kind}';\n` },
      ]);
      // A row lock holds the first apply inside its first migration.
      const blocker = new pg.Client({ connectionString: db.url });
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM balances WHERE kind = $1 FOR UPDATE', [kind]);
      const a = await db.session();
      const b = await db.session();
      await a.enableWrite();
      await b.enableWrite();
      const bEvents: ApplyEvent[] = [];
      const first = applyMigrations(a, readSource(folder.dir), { lockTimeoutMs: 60_000, ack: 'all' });
      await db.until(waitingOnRow, [a.pid]);
      const second = applyMigrations(b, readSource(folder.dir), { lockTimeoutMs: 60_000, ack: 'all', onEvent: (e) => bEvents.push(e) });
      await db.until(waitingOnAdvisory, [b.pid]);
      await blocker.query('COMMIT');
      await blocker.end();
      const [ra, rb] = await Promise.all([first, second]);
      expect(ra.applied.map((x) => x.id)).toEqual([folder.idOf(0), folder.idOf(1)]);
      expect(rb.applied).toEqual([]);
      expect(rb.failed).toBeNull();
      const wait = bEvents.find((e) => e.type === 'ledger-wait');
      expect(wait?.type === 'ledger-wait' && wait.holders[0]).toMatch(new RegExp(`^pid ${a.pid} `));
      expect((await db.exec('SELECT amount FROM balances WHERE kind = $1', [kind])).rows[0].amount).toBe(11);
      expect((await db.exec(ledgerCount[kind])).rows[0].n).toBe(2);
    });
  }

  it('a second apply that waits longer than lock_timeout is refused, naming the holder', async () => {
    const folder = writeFolder('plain', [{ name: 'later', sql: "UPDATE balances SET amount = amount + 100 WHERE kind = 'plain';\n" }]);
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query("SELECT 1 FROM balances WHERE kind = 'plain' FOR UPDATE");
    const a = await db.session();
    const b = await db.session();
    await a.enableWrite();
    await b.enableWrite();
    const first = applyMigrations(a, readSource(folder.dir), { lockTimeoutMs: 60_000, ack: 'all' });
    await db.until(waitingOnRow, [a.pid]);
    const refused = applyMigrations(b, readSource(folder.dir), { lockTimeoutMs: 60_000, ledgerLockTimeoutMs: 200, ack: 'all' });
    await expect(refused).rejects.toThrow(new RegExp(`ledger tenancy_console.schema_migrations is held by pid ${a.pid} .*waited 200 ms \\(lock_timeout\\)`));
    await blocker.query('COMMIT');
    await blocker.end();
    expect((await first).applied).toHaveLength(1);
    expect((await db.exec("SELECT amount FROM balances WHERE kind = 'plain'")).rows[0].amount).toBe(111);
  });
});
