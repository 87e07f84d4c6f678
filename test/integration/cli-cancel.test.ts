import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanCli, spawnTenancy } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE organizations (id int PRIMARY KEY, name text);
    CREATE TABLE a (id int PRIMARY KEY, org_id int REFERENCES organizations);
    CREATE TABLE b (id int PRIMARY KEY, org_id int REFERENCES organizations);`);
});
afterAll(async () => {
  await db?.drop();
  cleanCli();
});

it('Ctrl-C cancels the running server query and exits cleanly with 130', async () => {
  const locker = new pg.Client({ connectionString: db.url });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE b IN ACCESS EXCLUSIVE MODE');
  const child = await spawnTenancy(['check', '--url', db.url]);
  let stderr = '';
  const sawScanOfB = new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('scanning public.b')) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await sawScanOfB;
  // The scan of b is sent; wait until the server shows it waiting on the lock.
  await expect.poll(async () => (await db.exec(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'tenancy-console' AND wait_event_type = 'Lock'")).rows[0].n).toBe(1);
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  expect(stderr).toMatch(/^tenancy: cancelled; the running query was stopped and nothing was changed$/m);
  await expect.poll(async () => (await db.exec(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'tenancy-console'")).rows[0].n).toBe(0);
  await locker.query('ROLLBACK');
  await locker.end();
});
