import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PauseController } from '../../main/engine/backfill/pause.js';
import { resumeBackfill, startBackfill } from '../../main/engine/backfill/run.js';
import { ensureBackfillTable, getBackfillState } from '../../main/engine/backfill/state.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  const s = await db.session();
  await s.enableWrite();
  await ensureBackfillTable(s);
  await s.close();
});
afterAll(async () => db?.drop());

const table = async (name: string, rows: number) =>
  db.exec(`CREATE TABLE "${name}" (id int PRIMARY KEY, org int); INSERT INTO "${name}" SELECT g, NULL FROM generate_series(1, ${rows}) g;`);
const count = async (sql: string) => (await db.exec(sql)).rows[0].n as number;

describe('one writer per backfilled column', () => {
  it('two starts of one column lined up behind a lock: one runs, the other is refused naming it', async () => {
    await table('race', 3000);
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    // Lets both pass the "is one unfinished?" read and holds both at their INSERT.
    await blocker.query('LOCK TABLE tenancy_console.backfills IN SHARE MODE');
    const pauses = [new PauseController(), new PauseController()];
    const [a, b] = [await db.session(), await db.session()];
    await a.enableWrite();
    await b.enableWrite();
    const run = (s: typeof a, value: string, pause: PauseController) => startBackfill(s, { table: 'public.race', column: 'org', source: { kind: 'constant', value } }, {
      batchSize: 100, pause, onProgress: (e) => e.phase === 'batch' && e.batch === 1 && pause.pause(),
    }).then((r) => ({ ok: true as const, r }), (err: Error) => ({ ok: false as const, err }));
    const runs = [run(a, '3', pauses[0]!), run(b, '4', pauses[1]!)];
    await db.until("SELECT count(*) = 2 AS ok FROM pg_locks WHERE relation = 'tenancy_console.backfills'::regclass AND NOT granted");
    await blocker.query('COMMIT');
    await blocker.end();
    const loser = await Promise.race(runs.map((p, i) => p.then((x) => ({ ...x, i }))));
    expect(loser.ok).toBe(false);
    const winner = 1 - loser.i;
    const winnerPid = [a, b][winner]!.pid;
    expect(!loser.ok && loser.err.message).toMatch(new RegExp(`^backfill bf_[0-9a-f]+ of public\\.race\\.org is running now in pid ${winnerPid} .*wait for it`));
    // The winner pauses after its first batch (which may commit after the loser was refused).
    await expect.poll(() => pauses[winner]!.paused, { timeout: 30_000 }).toBe(true);
    pauses[winner]!.resume();
    const won = await runs[winner]!;
    expect(won.ok && won.r).toMatchObject({ status: 'done', rowsDone: 3000 });
    expect(await count(`SELECT count(DISTINCT org)::int AS n FROM race`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM tenancy_console.backfills WHERE table_name = 'race'`)).toBe(1);
  });

  it('a backfill whose connection died is "interrupted", not "running", and its lost-connection message names target and id', async () => {
    await table('dies', 2000);
    const s = await db.session();
    await s.enableWrite();
    const pause = new PauseController();
    let id = '';
    const run = startBackfill(s, { table: 'public.dies', column: 'org', source: { kind: 'constant', value: '7' } }, {
      batchSize: 100, targetBatchMs: 0, pause, onProgress: (e) => { id = e.id; if (e.phase === 'batch' && e.batch === 2) pause.pause(); },
    });
    await expect.poll(() => pause.paused).toBe(true);
    const other = await db.session();
    expect((await getBackfillState(other, id)).status).toBe('running');
    await expect(resumeBackfill(await writable(), id)).rejects.toThrow(new RegExp(`backfill ${id} is running now in pid ${s.pid} `));
    await db.exec('SELECT pg_terminate_backend($1)', [s.pid]);
    await db.until('SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1) AS ok', [s.pid]);
    pause.resume();
    await expect(run).rejects.toThrow(new RegExp(`^lost the connection to [^ ]+@[^ ]+:\\d+/${db.name} .*200 rows filled in 2 batches committed this run .*resume with tenancy backfill --resume ${id} --write`));
    const state = await getBackfillState(other, id);
    expect(state).toMatchObject({ status: 'interrupted', rowsDone: 200 });
    await expect(startBackfill(await writable(), { table: 'public.dies', column: 'org', source: { kind: 'constant', value: '7' } }))
      .rejects.toThrow(`backfill ${id} of public.dies.org was interrupted (its process or connection ended) after 200 rows; resume it with --resume ${id}`);
    expect(await resumeBackfill(await writable(), id)).toMatchObject({ status: 'done', rowsDone: 2000 });
  });

  it('a mistyped --value is refused before anything is recorded, so the corrected command runs', async () => {
    await table('typo', 500);
    const s = await writable();
    await expect(startBackfill(s, { table: 'public.typo', column: 'org', source: { kind: 'constant', value: 'seven' } }))
      .rejects.toThrow(/^--value "seven" is not a valid integer for public\.typo\.org: invalid input syntax/);
    expect(await count(`SELECT count(*)::int AS n FROM tenancy_console.backfills WHERE table_name = 'typo'`)).toBe(0);
    expect(await startBackfill(s, { table: 'public.typo', column: 'org', source: { kind: 'constant', value: '7' } })).toMatchObject({ status: 'done', rowsDone: 500 });
  });

  it('Ctrl-C says what was committed and how to continue', async () => {
    await table('ctrlc', 1000);
    const s = await writable();
    const ctl = new AbortController();
    const run = startBackfill(s, { table: 'public.ctrlc', column: 'org', source: { kind: 'constant', value: '1' } }, {
      batchSize: 100, targetBatchMs: 0, signal: ctl.signal, onProgress: (e) => e.phase === 'batch' && e.batch === 3 && ctl.abort(),
    });
    await expect(run).rejects.toThrow(/^cancelled by the operator: backfill (bf_\w+) stopped; 300 rows filled in 3 batches committed this run \(300 in all\) stay; .*--resume bf_\w+ --write$/);
    expect(await count('SELECT count(*)::int AS n FROM ctrlc WHERE org IS NOT NULL')).toBe(300);
  });

  it('statement_timeout names the statement and the profile setting', async () => {
    await table('slow', 300);
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM slow WHERE id = 150 FOR UPDATE');
    const s = await db.session({ statementTimeoutMs: 300 });
    await s.enableWrite();
    await expect(startBackfill(s, { table: 'public.slow', column: 'org', source: { kind: 'constant', value: '1' } }, { batchSize: 1000, lockTimeoutMs: 60_000 }))
      .rejects.toThrow(/^the fill \(UPDATE public\.slow SET org = \.\.\. for up to 1000 keys after the start\) in batch 1 of backfill bf_\w+ exceeded statement_timeout \(300 ms, the profile's statementTimeoutMs\)/);
    await blocker.query('ROLLBACK');
    await blocker.end();
    // Nothing committed: the failed start left nothing that blocks the next one.
    expect(await count(`SELECT count(*)::int AS n FROM tenancy_console.backfills WHERE table_name = 'slow'`)).toBe(0);
  });
});

describe('a constant backfill and rows written behind its cursor', () => {
  it('fills rows inserted with NULL behind the cursor while it ran, with one more pass, saying so', async () => {
    await db.exec('CREATE TABLE behind (id int PRIMARY KEY, org int); INSERT INTO behind SELECT g, NULL FROM generate_series(10, 1000) g;');
    const s = await writable();
    const pause = new PauseController();
    const messages: string[] = [];
    const run = startBackfill(s, { table: 'public.behind', column: 'org', source: { kind: 'constant', value: '5' } }, {
      batchSize: 100, pause, onProgress: (e) => { if (e.message) messages.push(e.message); if (e.phase === 'batch' && e.batch === 3) pause.pause(); },
    });
    await expect.poll(() => pause.paused).toBe(true);
    await db.exec('INSERT INTO behind VALUES (1, NULL), (5, NULL)'); // below the cursor: keys start at 10
    pause.resume();
    expect(await run).toMatchObject({ status: 'done', nullsLeft: 0 });
    expect(messages).toContain('2 rows were written with NULL behind the cursor while it ran: one more pass from the first key fills them');
    expect(await count('SELECT count(*)::int AS n FROM behind WHERE org = 5')).toBe(993);
  });
});

describe('maps without ambiguity', () => {
  it('a --map whose source keys repeat is refused naming some of them and their count; the deduplicated map fills', async () => {
    await db.exec(`CREATE TABLE accounts (id int PRIMARY KEY, legacy text, org int);
      INSERT INTO accounts SELECT g, 'L' || g, NULL FROM generate_series(1, 50) g;
      CREATE TABLE "legacy map" (legacy text, org int);
      INSERT INTO "legacy map" SELECT 'L' || g, 1 + g % 3 FROM generate_series(1, 50) g;
      INSERT INTO "legacy map" VALUES ('L7', 9), ('L7', 8), ('L3', 9);`);
    const s = await writable();
    const map = { kind: 'map' as const, table: 'public."legacy map"', fromColumn: 'legacy', toColumn: 'org' };
    await expect(startBackfill(s, { table: 'public.accounts', column: 'org', source: map }))
      .rejects.toThrow('--map: 2 keys of public.legacy map.legacy appear on more than one row, e.g. "L7" (3 rows), "L3" (2 rows); a key must map to one value');
    expect(await count('SELECT count(*)::int AS n FROM accounts WHERE org IS NOT NULL')).toBe(0);
    expect(await count("SELECT count(*)::int AS n FROM tenancy_console.backfills WHERE table_name = 'accounts'")).toBe(0);
    await db.exec(`DELETE FROM "legacy map" WHERE org IN (8, 9)`);
    expect(await startBackfill(s, { table: 'public.accounts', column: 'org', source: map })).toMatchObject({ status: 'done', rowsDone: 50, nullsLeft: 0 });
  });
});

async function writable() {
  const s = await db.session();
  await s.enableWrite();
  return s;
}
