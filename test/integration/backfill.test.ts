import { spawn } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchPacer, cpuWaitLimit, PACE_DEFAULTS, type PaceSettings } from '../../main/engine/backfill/pace.js';
import { lowerServerPriority, niceOf, reniceFailure, titleNamesConnection } from '../../main/engine/backfill/nice.js';
import { PauseController } from '../../main/engine/backfill/pause.js';
import { resumeBackfill, startBackfill, startOrResumeBackfill } from '../../main/engine/backfill/run.js';
import { getBackfillState } from '../../main/engine/backfill/state.js';
import type { BackfillProgress } from '../../shared/backfill.js';
import { buildCli, cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

// Hostile names everywhere: quotes, semicolons, spaces, mixed case, unicode.
const FIXTURE = `
  CREATE SCHEMA "Tenant ""App""";
  SET search_path = "Tenant ""App""";
  CREATE TABLE "Org; s" (id int PRIMARY KEY);
  INSERT INTO "Org; s" SELECT g FROM generate_series(1, 5) g;
  CREATE TABLE "Parent ü" (id int PRIMARY KEY, "Tenant Id" int REFERENCES "Org; s");
  INSERT INTO "Parent ü" SELECT g, 1 + g % 5 FROM generate_series(1, 100) g;
  CREATE TABLE "Legacy Map" ("legacy Key" text PRIMARY KEY, org int);
  INSERT INTO "Legacy Map" SELECT 'k' || g, 1 + g % 4 FROM generate_series(1, 3000) g WHERE g % 10 <> 0;
  CREATE TABLE upd_log (tbl text, id bigint);
  CREATE FUNCTION log_upd() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO "Tenant ""App""".upd_log VALUES (TG_TABLE_NAME, NEW.id); RETURN NEW; END $$;
`;

function childTable(name: string, rows: number, preset = 0): string {
  return `
    SET search_path = "Tenant ""App""";
    CREATE TABLE "${name}" (id bigint PRIMARY KEY, parent_id int CONSTRAINT "fk; parent" REFERENCES "Parent ü", "legacy Key" text, "Tenant Id" int);
    INSERT INTO "${name}" SELECT g, 1 + g % 100, 'k' || g, CASE WHEN g <= ${preset} THEN 5 END FROM generate_series(1, ${rows}) g;
    CREATE TRIGGER upd AFTER UPDATE OF "Tenant Id" ON "${name}" FOR EACH ROW EXECUTE FUNCTION log_upd();`;
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
});
afterAll(async () => {
  cleanCli();
  await db?.drop();
});

const T = (name: string) => `"Tenant ""App"""."${name}"`;
const q = async (sql: string) => (await db.exec(`SET search_path = "Tenant ""App"""; ${sql}`) as unknown as { rows: Record<string, number>[] }[])[1]!.rows;

async function updatesOf(table: string): Promise<{ rows: number; twice: number }> {
  const r = await q(`SELECT count(*)::int AS rows, (SELECT count(*)::int FROM (SELECT id FROM upd_log WHERE tbl = '${table}' GROUP BY id HAVING count(*) > 1) x) AS twice FROM upd_log WHERE tbl = '${table}'`);
  return { rows: r[0]!.rows!, twice: r[0]!.twice! };
}

describe('backfill engine', () => {
  it('fills from a constant in batches, leaves filled rows alone, and reports progress', async () => {
    await db.exec(childTable('const; t', 2500, 100));
    const s = await db.session();
    await s.enableWrite();
    const events: BackfillProgress[] = [];
    const r = await startBackfill(s, { table: T('const; t'), column: 'Tenant Id', source: { kind: 'constant', value: '3' } },
      { batchSize: 1000, targetBatchMs: 0, onProgress: (e) => events.push(e) });
    expect(r).toMatchObject({ status: 'done', rowsDone: 2400, batches: 3, nullsLeft: 0 });
    expect(events.filter((e) => e.phase === 'batch').map((e) => [e.done, e.remaining])).toEqual([[900, 1500], [1900, 500], [2400, 0]]);
    expect(events[0]).toMatchObject({ phase: 'counting', remaining: 2400 });
    expect(await q(`SELECT count(*)::int AS n FROM "const; t" WHERE "Tenant Id" = 5`)).toEqual([{ n: 100 }]);
    expect(await updatesOf('const; t')).toEqual({ rows: 2400, twice: 0 });
    await s.close();
  });

  it('fills from a mapping table with a default for unmapped rows, and from the parent through an FK', async () => {
    await db.exec(childTable('map; t', 3000));
    await db.exec(childTable('par; t', 3000));
    const s = await db.session();
    await s.enableWrite();
    const m = await startBackfill(s, { table: T('map; t'), column: 'Tenant Id', source: { kind: 'map', table: T('Legacy Map'), fromColumn: 'legacy Key', toColumn: 'org', default: '5' } }, { batchSize: 700 });
    expect(m).toMatchObject({ status: 'done', rowsDone: 3000, nullsLeft: 0 });
    expect(await q(`SELECT count(*)::int AS n FROM "map; t" t JOIN "Legacy Map" m ON m."legacy Key" = t."legacy Key" WHERE m.org = t."Tenant Id"`)).toEqual([{ n: 2700 }]);
    expect(await q(`SELECT count(*)::int AS n FROM "map; t" WHERE "Tenant Id" = 5`)).toEqual([{ n: 300 }]);

    const p = await startBackfill(s, { table: T('par; t'), column: 'Tenant Id', source: { kind: 'parent', foreignKey: 'fk; parent' } }, { batchSize: 1000 });
    expect(p).toMatchObject({ status: 'done', rowsDone: 3000, nullsLeft: 0 });
    expect(await q(`SELECT count(*)::int AS n FROM "par; t" c JOIN "Parent ü" p ON p.id = c.parent_id WHERE p."Tenant Id" IS DISTINCT FROM c."Tenant Id"`)).toEqual([{ n: 0 }]);
    await s.close();
  });

  it('refuses bad input with one line naming the fix, and needs write mode', async () => {
    const s = await db.session();
    await expect(startBackfill(s, { table: T('const; t'), column: 'Tenant Id', source: { kind: 'constant', value: '1' } })).rejects.toThrow(/write mode/);
    await s.enableWrite();
    await expect(startBackfill(s, { table: T('nope'), column: 'x', source: { kind: 'constant', value: '1' } })).rejects.toThrow(/not found; check --table/);
    await expect(startBackfill(s, { table: T('const; t'), column: 'nope', source: { kind: 'constant', value: '1' } })).rejects.toThrow(/column nope not found/);
    await expect(startBackfill(s, { table: T('const; t'), column: 'Tenant Id', source: { kind: 'parent', foreignKey: 'nope' } })).rejects.toThrow(/foreign key nope not found/);
    await s.close();
  });

  it('pauses between batches, and cancel stops it with the state saying so', async () => {
    await db.exec(childTable('pause; t', 2000));
    const s = await db.session();
    await s.enableWrite();
    const pause = new PauseController();
    const ctl = new AbortController();
    let pausedAt: number | null = null;
    const run = startBackfill(s, { table: T('pause; t'), column: 'Tenant Id', source: { kind: 'constant', value: '2' } }, {
      batchSize: 100, targetBatchMs: 0, pause, signal: ctl.signal,
      onProgress: (e) => {
        if (e.phase === 'batch' && e.batch === 2) pause.pause();
        if (e.phase === 'paused') pausedAt = e.done;
        if (e.phase === 'batch' && e.batch === 4) ctl.abort();
      },
    });
    await expect.poll(() => pausedAt).toBe(200);
    expect(await q(`SELECT count(*)::int AS n FROM "pause; t" WHERE "Tenant Id" IS NOT NULL`)).toEqual([{ n: 200 }]);
    pause.resume();
    await expect(run).rejects.toThrow(/cancelled/);
    const id = (await q(`SELECT id FROM tenancy_console.backfills WHERE table_name = 'pause; t'`))[0]!.id as unknown as string;
    const state = await getBackfillState(s, id);
    expect(state).toMatchObject({ status: 'cancelled', rowsDone: 400, batches: 4, lastKey: ['400'] });
    await expect(startBackfill(s, { table: T('pause; t'), column: 'Tenant Id', source: { kind: 'constant', value: '2' } })).rejects.toThrow(`resume it with --resume ${id}`);
    const r = await startOrResumeBackfill(s, { table: T('pause; t'), column: 'Tenant Id', source: { kind: 'constant', value: '2' } }, { batchSize: 500 });
    expect(r).toMatchObject({ id, status: 'done', rowsDone: 2000, nullsLeft: 0 });
    expect(await updatesOf('pause; t')).toEqual({ rows: 2000, twice: 0 });
    await s.close();
  });

  it('resumes after its server connection is terminated mid-run, every row filled exactly once', async () => {
    await db.exec(childTable('term; t', 3000));
    const s = await db.session();
    await s.enableWrite();
    const pause = new PauseController();
    let id = '';
    const run = startBackfill(s, { table: T('term; t'), column: 'Tenant Id', source: { kind: 'parent', foreignKey: 'fk; parent' } }, {
      batchSize: 250, targetBatchMs: 0, pause,
      onProgress: (e) => {
        id = e.id;
        if (e.phase === 'batch' && e.batch === 3) pause.pause();
      },
    });
    const pid = s.pid;
    await expect.poll(() => pause.paused).toBe(true);
    await db.exec('SELECT pg_terminate_backend($1)', [pid]);
    await expect.poll(async () => (await db.exec('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0].n).toBe(0);
    pause.resume();
    await expect(run).rejects.toThrow();
    expect(await q(`SELECT count(*)::int AS n FROM "term; t" WHERE "Tenant Id" IS NOT NULL`)).toEqual([{ n: 750 }]);

    const s2 = await db.session();
    await s2.enableWrite();
    expect(await getBackfillState(s2, id)).toMatchObject({ rowsDone: 750, lastKey: ['750'] });
    const r = await resumeBackfill(s2, id, { batchSize: 1000 });
    expect(r).toMatchObject({ status: 'done', rowsDone: 3000, nullsLeft: 0 });
    expect(await updatesOf('term; t')).toEqual({ rows: 3000, twice: 0 });
    await s2.close();
  });
});

describe('tenancy backfill (CLI)', () => {
  it('resumes after the process is killed with SIGKILL mid-run, every row filled exactly once', async () => {
    await db.exec(childTable('kill; t', 6000));
    const env = { TENANCY_CONFIG_DIR: tempConfigDir(), TENANCY_OPERATOR: 'kill-test', TENANCY_ENV: 'development' };
    const cli = await buildCli();
    const child = spawn(process.execPath, [cli, 'backfill', '--url', db.url, '--table', T('kill; t'), '--tenant-column', 'Tenant Id',
      '--map', `${T('Legacy Map')}:legacy Key:org`, '--default', '1', '--batch-size', '100', '--throttle-ms', '25', '--write'], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, sig) => resolve(sig)));
    await expect.poll(() => /batch 3 committed/.test(stderr), { timeout: 20_000 }).toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const id = /backfill (bf_[0-9a-f]+)/.exec(stderr)![1]!;

    // The state row and the data agree: what it says is done is exactly what was updated.
    const state = (await q(`SELECT rows_done::int AS n, last_key[1]::int AS k FROM tenancy_console.backfills WHERE id = '${id}'`))[0]!;
    expect(state.n).toBeGreaterThanOrEqual(300);
    expect(state.n).toBeLessThan(6000);
    expect(await updatesOf('kill; t')).toEqual({ rows: state.n!, twice: 0 });
    expect(await q(`SELECT count(*)::int AS n FROM "kill; t" WHERE "Tenant Id" IS NOT NULL`)).toEqual([{ n: state.n }]);
    expect(state.k).toBe(state.n);

    const again = await runTenancy(['backfill', '--url', db.url, '--table', T('kill; t'), '--tenant-column', 'Tenant Id', '--value', '1', '--write'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`resume it with --resume ${id}`);

    const resumed = await runTenancy(['backfill', '--url', db.url, '--resume', id, '--batch-size', '1000', '--write', '--format', 'json'], env);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ id, status: 'done', rowsDone: 6000, nullsLeft: 0 });
    expect(resumed.stderr).toContain(`${(6000 - state.n!).toLocaleString('en-US')} NULL rows to visit after key ${state.k}`);
    expect(await updatesOf('kill; t')).toEqual({ rows: 6000, twice: 0 });
    expect(await q(`SELECT count(*)::int AS n FROM "kill; t" t JOIN "Legacy Map" m ON m."legacy Key" = t."legacy Key" WHERE m.org = t."Tenant Id"`)).toEqual([{ n: 2700 }]); // the map covers k1..k3000 but every tenth

    const list = await runTenancy(['backfill', '--url', db.url, '--list'], env);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+Tenant "App".kill; t\\s+Tenant Id\\s+done\\s+6000`));
  });

  it('says what is missing in one line', async () => {
    const env = { TENANCY_CONFIG_DIR: tempConfigDir() };
    const r = await runTenancy(['backfill', '--url', db.url, '--table', 'x', '--tenant-column', 'y', '--value', '1', '--from-parent', 'f', '--write'], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('give exactly one source');
  });
});

describe('backfill pacing', () => {
  it('walks a composite primary key by key range, every row filled exactly once', async () => {
    await db.exec(`
      SET search_path = "Tenant ""App""";
      CREATE TABLE "comp; t" ("Région ü" text, "n""o" int, "Tenant Id" int, PRIMARY KEY ("Région ü", "n""o"));
      INSERT INTO "comp; t" SELECT r, g, CASE WHEN g % 7 = 0 THEN 4 END FROM unnest(ARRAY['b; x', 'A "q"', 'é']) r, generate_series(1, 500) g;
      CREATE FUNCTION log_comp() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO "Tenant ""App""".upd_log VALUES (TG_TABLE_NAME, array_position(ARRAY['b; x', 'A "q"', 'é'], NEW."Région ü") * 1000 + NEW."n""o"); RETURN NEW; END $$;
      CREATE TRIGGER upd AFTER UPDATE OF "Tenant Id" ON "comp; t" FOR EACH ROW EXECUTE FUNCTION log_comp();`);
    const s = await db.session();
    await s.enableWrite();
    const r = await startBackfill(s, { table: T('comp; t'), column: 'Tenant Id', source: { kind: 'constant', value: '9' } }, { batchSize: 170, targetBatchMs: 0 });
    const filled = 1500 - 3 * 71;
    expect(r).toMatchObject({ status: 'done', rowsDone: filled, batches: Math.ceil(1500 / 170), nullsLeft: 0 });
    expect(await updatesOf('comp; t')).toEqual({ rows: filled, twice: 0 });
    expect(await q(`SELECT count(*)::int AS n FROM "comp; t" WHERE "Tenant Id" = 4`)).toEqual([{ n: 3 * 71 }]);
    await s.close();
  });

  it('walks a uuid primary key (a type with no max aggregate), every row filled', async () => {
    await db.exec(`
      SET search_path = "Tenant ""App""";
      CREATE TABLE "uuid; t" (id uuid PRIMARY KEY, "Tenant Id" int);
      INSERT INTO "uuid; t" SELECT md5(g::text)::uuid, CASE WHEN g % 5 = 0 THEN 4 END FROM generate_series(1, 900) g;`);
    const s = await db.session();
    await s.enableWrite();
    const r = await startBackfill(s, { table: T('uuid; t'), column: 'Tenant Id', source: { kind: 'constant', value: '9' } }, { batchSize: 200, targetBatchMs: 0 });
    expect(r).toMatchObject({ status: 'done', rowsDone: 720, batches: 5, nullsLeft: 0 });
    expect(await q(`SELECT count(*)::int AS n FROM "uuid; t" WHERE "Tenant Id" = 9`)).toEqual([{ n: 720 }]);
    await s.close();
  });

  it('retries a batch that waited out lock_timeout on an application row with fewer keys, and fills every row once', async () => {
    await db.exec(childTable('lock; t', 1000));
    const app = new pg.Client({ connectionString: db.url });
    await app.connect();
    await app.query('BEGIN');
    await app.query(`SELECT 1 FROM "Tenant ""App"""."lock; t" WHERE id = 150 FOR UPDATE`);
    const s = await db.session();
    await s.enableWrite();
    const retries: string[] = [];
    const sizes: number[] = [];
    const r = await startBackfill(s, { table: T('lock; t'), column: 'Tenant Id', source: { kind: 'constant', value: '1' } }, {
      batchSize: 200, lockTimeoutMs: 50,
      onProgress: (e) => {
        if (e.phase !== 'retry') return;
        retries.push(e.message!);
        if (retries.length === 1) void app.query('COMMIT');
      },
      onBatch: (t) => sizes.push(t.size),
    });
    await app.end();
    expect(retries[0]).toMatch(/^batch 1: lock_timeout \(50 ms\) expired \(retry 1 of 5, 100 keys\)$/);
    expect(sizes[0]).toBeLessThanOrEqual(100);
    expect(r).toMatchObject({ status: 'done', rowsDone: 1000, nullsLeft: 0 });
    expect(await updatesOf('lock; t')).toEqual({ rows: 1000, twice: 0 });
  });

  it('refuses bad pacing with one line naming the option', async () => {
    const s = await db.session();
    await s.enableWrite();
    const spec = { table: T('const; t'), column: 'Tenant Id', source: { kind: 'constant' as const, value: '1' } };
    await expect(startOrResumeBackfill(s, spec, { dutyCycle: 0 })).rejects.toThrow(/^--duty must be more than 0 and at most 1, got 0$/);
    await expect(startOrResumeBackfill(s, spec, { targetBatchMs: -1 })).rejects.toThrow(/^--batch-ms must be 0 \(off\) or a positive number of ms/);
    await expect(startOrResumeBackfill(s, spec, { batchSize: 0 })).rejects.toThrow(/^--batch-size must be a positive whole number/);
    await s.close();
  });
});

describe('backfill --nice', () => {
  const autogroupNice = (pid: number) => {
    try {
      return Number(/nice (-?\d+)/.exec(fs.readFileSync(`/proc/${pid}/autogroup`, 'utf8'))?.[1]);
    } catch {
      return null;
    }
  };

  it('runs the backfill\'s server process at the nice asked for while it runs, gives the old one back, and says so', async () => {
    await db.exec(childTable('nice; t', 3000));
    const s = await db.session();
    await s.enableWrite();
    const before = niceOf(s.pid);
    const owner = fs.statSync(`/proc/${s.pid}`).uid;
    const mayRenice = process.getuid?.() === 0 || owner === process.getuid?.();
    const during: [number | null, number | null][] = [];
    const events: BackfillProgress[] = [];
    const r = await startBackfill(s, { table: T('nice; t'), column: 'Tenant Id', source: { kind: 'constant', value: '2' } },
      { batchSize: 1000, targetBatchMs: 0, nice: 19, onProgress: (e) => events.push(e), onBatch: () => during.push([niceOf(s.pid), autogroupNice(s.pid)]) });
    expect(r).toMatchObject({ status: 'done', rowsDone: 3000, nullsLeft: 0 });
    if (mayRenice) {
      expect(r.serverNice).toEqual({ pid: s.pid, nice: 19, applied: true, previous: before });
      expect(during).toHaveLength(3);
      for (const [nice, group] of during) {
        expect(nice).toBe(19);
        if (group !== null) expect(group).toBe(19);
      }
      expect(events[0]!.message).toContain(`server process ${s.pid} runs at nice 19`);
      expect(niceOf(s.pid)).toBe(before);
      if (autogroupNice(s.pid) !== null) expect(autogroupNice(s.pid)).toBe(0);
    } else {
      expect(r.serverNice).toMatchObject({ applied: false, reason: expect.stringMatching(/may not renice/) });
      expect(during.every(([nice]) => nice === before)).toBe(true);
    }
    await s.close();
  });

  it('leaves alone a process it cannot prove is this connection\'s backend', async () => {
    const s = await db.session();
    const before = niceOf(s.pid);
    // A client port that is not this connection's: the title does not name it.
    const wrongPort = (s.clientPort ?? 1) + 1;
    const n = await lowerServerPriority(s, 19, wrongPort);
    expect(n).toMatchObject({ pid: s.pid, applied: false, reason: expect.stringMatching(/is not this connection's backend/) });
    expect(niceOf(s.pid)).toBe(before);
    await s.close();
    expect(titleNamesConnection('postgres: app shop 127.0.0.1(54321) idle', 54321)).toBe(true);
    expect(titleNamesConnection('postgres: main: app shop 10.0.0.9(54321) UPDATE', 54321)).toBe(true);
    expect(titleNamesConnection('postgres: app shop 127.0.0.1(154321) idle', 54321)).toBe(false);
    expect(titleNamesConnection('postgres: app shop [local] idle', null)).toBe(true);
    expect(titleNamesConnection('postgres: app shop 127.0.0.1(54321) idle', null)).toBe(false);
    expect(titleNamesConnection('node server.js (54321)', 54321)).toBe(false);
    // A user that may not renice the server's process (os.setPriority's error, and /proc's) is told what to do.
    const eperm = Object.assign(new Error('A system error occurred: uv_os_setpriority returned EPERM'), { code: 'ERR_SYSTEM_ERROR', info: { code: 'EPERM' } });
    expect(reniceFailure(eperm, 42, 19)).toMatch(/^this OS user may not renice the server's process 42: .*renice -n 19 -p 42/);
    expect(reniceFailure(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }), 42, 19)).toMatch(/^this OS user may not renice/);
    expect(reniceFailure(new Error('ESRCH'), 42, 19)).toBe('could not renice process 42: ESRCH');
  });

  it('refuses a nice outside 0 to 19 in one line', async () => {
    const s = await db.session();
    await s.enableWrite();
    await expect(startBackfill(s, { table: T('nice; t'), column: 'Tenant Id', source: { kind: 'constant', value: '2' } }, { nice: 20 }))
      .rejects.toThrow(/^--nice must be a whole number from 0 to 19, got 20$/);
    await s.close();
  });
});

describe('BatchPacer', () => {
  const pacer = (o: Partial<PaceSettings> = {}) => new BatchPacer({ ...PACE_DEFAULTS, batchSize: 4000, ...o });

  it.each([
    // [keys, ms of the batch, next size]: aims at the 100 ms target, at most 2x either way
    [4000, 400, 2000],
    [4000, 150, 2667],
    [4000, 90, 4444],
    [4000, 10, 8000],
    [4000, 5000, 2000],
  ])('after a batch of %i keys in %i ms the next takes %i keys', (keys, ms, next) => {
    const p = pacer();
    p.batchDone(keys, ms);
    expect(p.size).toBe(next);
  });

  it('grows past the first batch size up to the target duration, caps only at --max-batch, and never goes below 10 keys', () => {
    const p = pacer();
    p.batchDone(4000, 1000);
    p.batchDone(2000, 1000);
    expect(p.size).toBe(1000);
    p.batchDone(1000, 10);
    expect(p.size).toBe(2000);
    for (let i = 0; i < 4; i += 1) p.batchDone(p.size, 10);
    expect(p.size).toBe(32000);
    p.batchDone(32000, 50);
    expect(p.size).toBe(64000);
    const capped = pacer({ maxBatchSize: 5000 });
    capped.batchDone(4000, 10);
    expect(capped.size).toBe(5000);
    for (let i = 0; i < 20; i += 1) p.lockedOut();
    expect(p.size).toBe(10);
  });

  it.each([
    // [duty, throttle, ms of the batch, rest]
    [0.5, 0, 80, 80],
    [0.25, 0, 80, 240],
    [1, 0, 80, 0],
    [1, 30, 80, 30],
    [0.5, 30, 80, 110],
  ])('a fixed duty %f and throttle %i ms rest after an %i ms batch for %i ms', (dutyCycle, throttleMs, ms, rest) => {
    expect(pacer({ dutyCycle, throttleMs }).batchDone(1000, ms, { duringMs: [50], idleMs: [1] })).toBe(rest);
  });

  it('runs without rest while the probe sees reads during batches about as fast as at rest, and rests more as soon as batches slow most of them past the ratio', () => {
    const p = pacer();
    const fast = { duringMs: Array(8).fill(1.1), idleMs: [1.0] };
    const slow = { duringMs: Array(8).fill(9.0), idleMs: [1.0] };
    expect(p.duty).toBe(0.5);
    // A decision takes 24 reads during batches (three batches of 8 here): none before.
    p.batchDone(4000, 100, fast);
    p.batchDone(4000, 100, fast);
    expect(p.duty).toBe(0.5);
    expect(p.latencyRatio).toBeNull();
    // Stalled reads among fast ones do not count (the median does): no rest.
    expect(p.batchDone(4000, 100, { duringMs: [1.0, 1.1, 30, 30, 30, 1.0, 1.1, 1.2], idleMs: [1.0] })).toBe(0);
    expect(p.duty).toBe(1);
    expect(p.latencyRatio).toBeCloseTo(1.1);
    // The tail is reported (the 90th percentile of the 24 reads is a stalled one) but does not steer.
    expect(p.tailRatio).toBe(30);
    // Nor does one slow batch among fast ones.
    p.batchDone(4000, 100, slow);
    p.batchDone(4000, 100, fast);
    p.batchDone(4000, 100, fast);
    expect(p.duty).toBe(1);
    // Batches that slow most reads nine times: one cut by a fifth per decision (every three batches), down to the floor.
    for (let i = 0; i < 3; i += 1) p.batchDone(4000, 100, slow);
    expect(p.latencyRatio).toBe(9);
    expect(p.duty).toBe(0.8);
    for (let i = 0; i < 3; i += 1) p.batchDone(4000, 100, slow);
    expect(p.duty).toBeCloseTo(0.64);
    for (let i = 0; i < 90; i += 1) p.batchDone(4000, 100, slow);
    expect(p.duty).toBe(0.1);
    expect(p.batchDone(4000, 100, { duringMs: [], idleMs: [1.0] })).toBe(900);
    // Fast again: at the next decision, no rest at once.
    for (let i = 0; i < 3; i += 1) p.batchDone(4000, 100, fast);
    expect(p.duty).toBe(1);
    expect(p.batchDone(4000, 100, fast)).toBe(0);
  });

  it('keeps its starting duty when no probe reading came, and a fixed duty whatever the probe says', () => {
    const p = pacer();
    expect(p.batchDone(4000, 100)).toBe(100);
    expect(p.duty).toBe(0.5);
    const fixed = pacer({ dutyCycle: 0.33 });
    fixed.batchDone(4000, 100, { duringMs: [9.0], idleMs: [1.0] });
    expect(fixed.duty).toBe(0.33);
  });

  it('rests when the application\'s backends wait for the CPU during batches, even while the probe sees its reads as fast as at rest', () => {
    const p = pacer();
    const fast = { duringMs: Array(8).fill(1.0), idleMs: [1.0] };
    // At rest they waited 5 ms per 100 ms they ran; during batches 60 per 100: stretch 1.6 / 1.05.
    for (let i = 0; i < 4; i += 1) p.restMeasured({ runMs: 10, waitMs: 0.5 });
    for (let i = 0; i < 3; i += 1) p.batchDone(4000, 100, fast, { runMs: 40, waitMs: 24 });
    expect(p.latencyRatio).toBe(1);
    expect(p.cpuWaitRatio).toBeCloseTo(1.6 / 1.05);
    expect(p.duty).toBe(0.4);
    expect(p.cutByCpuWait).toBe(true);
    // Waiting as at rest: no rest at the next decision.
    for (let i = 0; i < 3; i += 1) p.batchDone(4000, 100, fast, { runMs: 40, waitMs: 2 });
    expect(p.cpuWaitRatio).toBeCloseTo(1);
    expect(p.duty).toBe(1);
    expect(p.cutByCpuWait).toBe(false);
    // The stretch is a mean, so its limit is a third of the probe's margin: 1.2x (under 1.3) cuts.
    expect(cpuWaitLimit(1.3)).toBeCloseTo(1.1);
    for (let i = 0; i < 3; i += 1) p.batchDone(4000, 100, fast, { runMs: 40, waitMs: 10.4 });
    expect(p.cpuWaitRatio).toBeCloseTo(1.2);
    expect(p.duty).toBe(0.8);
  });

  it('leaves the CPU wait out of a decision until enough of the application\'s CPU was seen, and starts at the duty it is given', () => {
    const p = pacer();
    const fast = { duringMs: Array(8).fill(1.0), idleMs: [1.0] };
    // 5 ms at rest (under 10) and huge waits during batches: not enough to compare, the probe decides.
    p.restMeasured({ runMs: 5, waitMs: 0 });
    for (let i = 0; i < 3; i += 1) p.batchDone(4000, 100, fast, { runMs: 40, waitMs: 400 });
    expect(p.cpuWaitRatio).toBeNull();
    expect(p.duty).toBe(1);
    const niced = new BatchPacer({ ...PACE_DEFAULTS }, 1);
    expect(niced.duty).toBe(1);
    expect(niced.batchDone(1000, 100)).toBe(0);
  });

  it('keeps the operator\'s batch size when adaptive sizing is off', () => {
    const p = pacer({ targetBatchMs: 0 });
    p.batchDone(4000, 5000);
    expect(p.size).toBe(4000);
  });
});
