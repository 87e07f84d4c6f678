import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyEvent, MigrationKind } from '../../shared/migrations.js';
import { applyMigrations } from '../../main/engine/migrations/apply.js';
import { readSource } from '../../main/engine/migrations/sources.js';
import { migrationStatus } from '../../main/engine/migrations/status.js';
import { cleanCli, runTenancy, spawnTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { writeFolder } from '../support/migration-folders.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('CREATE TABLE log (what text);');
});
afterAll(async () => {
  cleanCli();
  await db?.drop();
});

const nonTx = (table: string) => ({
  name: `index_${table}`,
  sql: `INSERT INTO log VALUES ('before ${table}');\nCREATE INDEX CONCURRENTLY ${table}_org ON ${table} (org_id);\nINSERT INTO log VALUES ('after ${table}');\n`,
});
const logOf = async (table: string) => (await db.exec("SELECT what, count(*)::int AS n FROM log WHERE what LIKE '% ' || $1 GROUP BY what ORDER BY what", [table])).rows;
const indexState = async (name: string) => (await db.exec('SELECT indisvalid AS v FROM pg_index WHERE indexrelid = to_regclass($1)', [name])).rows[0]?.v;
const writable = async () => {
  const s = await db.session();
  await s.enableWrite();
  return s;
};

describe.each(['plain', 'drizzle', 'prisma', 'supabase'] as MigrationKind[])('a non-transactional %s migration resumes, never repeats', (kind) => {
  it('fails at CREATE INDEX CONCURRENTLY on a lock, says what was kept, and the rerun continues after the completed INSERT', async () => {
    const table = `items_${kind}`;
    await db.exec(`CREATE TABLE ${table} (id int PRIMARY KEY, org_id int)`);
    const folder = writeFolder(kind, [nonTx(table)]);
    const blocker = await db.holding(`LOCK TABLE ${table} IN SHARE UPDATE EXCLUSIVE MODE`);
    const first = await applyMigrations(await writable(), readSource(folder.dir), { lockTimeoutMs: 100, retries: 0, ack: 'all' });
    await blocker.query('ROLLBACK');
    await blocker.end();
    expect(first.failed).toMatchObject({ statementIndex: 1, code: '55P03', rolledBack: false });
    expect(first.failed!.kept).toBe(`statements 1 of ${folder.idOf(0)} completed and are recorded in tenancy_console.migration_steps: a rerun continues after them and never runs them again; the failed build left no index`);
    expect(await logOf(table)).toEqual([{ what: `before ${table}`, n: 1 }]);

    const events: ApplyEvent[] = [];
    const second = await applyMigrations(await writable(), readSource(folder.dir), { ack: 'all', onEvent: (e) => events.push(e) });
    expect(second.failed).toBeNull();
    expect(events).toContainEqual({ type: 'notice', id: folder.idOf(0), severity: 'INFO', message: `resuming ${folder.idOf(0)}: statements 1 completed in an earlier attempt and are not run again` });
    expect(await logOf(table)).toEqual([{ what: `after ${table}`, n: 1 }, { what: `before ${table}`, n: 1 }]);
    expect(await indexState(`${table}_org`)).toBe(true);
    const status = await migrationStatus(await db.session(), readSource(folder.dir));
    expect(status.migrations.map((m) => m.state)).toEqual(['applied']);
    expect((await db.exec('SELECT count(*)::int AS n FROM tenancy_console.migration_steps WHERE migration = $1', [folder.idOf(0)])).rows[0].n).toBe(0);
  });
});

describe('CREATE INDEX CONCURRENTLY after a fault', () => {
  it('terminated mid-build: the INVALID index is named, and the rerun drops it and builds it again, saying so', async () => {
    await db.exec('CREATE TABLE t_term (id int PRIMARY KEY, org_id int); INSERT INTO t_term SELECT g, g FROM generate_series(1, 100) g;');
    const folder = writeFolder('plain', [nonTx('t_term')]);
    // A writer's open transaction: CREATE INDEX CONCURRENTLY records the (INVALID) index, then waits for it.
    const writer = await db.holding('UPDATE t_term SET org_id = org_id WHERE id = 1');
    const s = await writable();
    const run = applyMigrations(s, readSource(folder.dir), { lockTimeoutMs: 60_000, ack: 'all' });
    await db.until("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND locktype IN ('virtualxid', 'transactionid') AND NOT granted) AS ok", [s.pid]);
    expect(await indexState('t_term_org')).toBe(false);
    await db.exec('SELECT pg_terminate_backend($1)', [s.pid]);
    const first = await run;
    await writer.query('COMMIT');
    await writer.end();
    expect(first.failed!.error).toMatch(new RegExp(`^lost the connection to [^ ]+:\\d+/${db.name} .*run migrate apply again to continue`));
    expect(first.failed!.kept).toMatch(/^statements 1 of 001_index_t_term\.sql completed .*; the index build may go on on the server: a rerun records it when it finished VALID and matches the file, or drops and rebuilds it when INVALID$/);
    expect(await indexState('t_term_org')).toBe(false);

    const events: ApplyEvent[] = [];
    const second = await applyMigrations(await writable(), readSource(folder.dir), { ack: 'all', onEvent: (e) => events.push(e) });
    expect(second.failed).toBeNull();
    expect(events.filter((e) => e.type === 'notice').map((e) => e.type === 'notice' && e.message)).toEqual([
      'resuming 001_index_t_term.sql: statements 1 completed in an earlier attempt and are not run again',
      'found the INVALID index t_term_org an interrupted build left: dropping it (DROP INDEX CONCURRENTLY) and building it again',
    ]);
    expect(await indexState('t_term_org')).toBe(true);
    expect(await logOf('t_term')).toEqual([{ what: 'after t_term', n: 1 }, { what: 'before t_term', n: 1 }]);
  });

  it('client killed mid-build: the server finishes a VALID index; the rerun records it (it matches the file) and goes on', async () => {
    await db.exec('CREATE TABLE t_kill (id int PRIMARY KEY, org_id int); INSERT INTO t_kill SELECT g, g FROM generate_series(1, 100) g;');
    const folder = writeFolder('plain', [nonTx('t_kill')]);
    const env = { TENANCY_CONFIG_DIR: tempConfigDir() };
    const writer = await db.holding('UPDATE t_kill SET org_id = org_id WHERE id = 1');
    const child = await spawnTenancy(['migrate', 'apply', '--dir', folder.dir, '--url', db.url, '--write', '--ack-all', '--lock-timeout-ms', '60000'], env);
    const exited = new Promise((resolve) => child.on('exit', (_c, sig) => resolve(sig)));
    await db.until(`SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype IN ('virtualxid', 'transactionid') AND NOT l.granted AND a.query LIKE 'CREATE INDEX CONCURRENTLY t_kill_org%') AS ok`);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await writer.query('COMMIT');
    await writer.end();
    await db.until("SELECT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('t_kill_org') AND indisvalid) AS ok");
    await db.until("SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY t_kill_org%') AS ok");
    expect((await migrationStatus(await db.session(), readSource(folder.dir))).migrations[0]!.state).toBe('pending');

    const rerun = await runTenancy(['migrate', 'apply', '--dir', folder.dir, '--url', db.url, '--write', '--ack-all'], env);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain('INFO: index t_kill_org exists and is VALID (an earlier attempt\'s build finished on the server after its client was gone) and matches the file\'s definition: recorded as done, not built again');
    expect(await logOf('t_kill')).toEqual([{ what: 'after t_kill', n: 1 }, { what: 'before t_kill', n: 1 }]);
    expect((await migrationStatus(await db.session(), readSource(folder.dir))).migrations[0]!.state).toBe('applied');
  });

  it('a VALID index of the same name but another definition is refused, naming it', async () => {
    await db.exec('CREATE TABLE t_other (id int PRIMARY KEY, org_id int, sku text); CREATE INDEX t_other_org ON t_other (sku);');
    const folder = writeFolder('plain', [nonTx('t_other')]);
    const r = await applyMigrations(await writable(), readSource(folder.dir), { ack: 'all' });
    expect(r.failed!.error).toBe('index t_other_org exists (VALID) but is not the one the file defines (CREATE INDEX t_other_org ON public.t_other USING btree (sku)); drop or rename it, or fix the migration');
    expect(await logOf('t_other')).toEqual([{ what: 'before t_other', n: 1 }]);
  });
});
