import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE orgs (id int PRIMARY KEY, name text);
    INSERT INTO orgs VALUES (1, 'Default');
    CREATE TABLE notes (id int PRIMARY KEY, org_id int REFERENCES orgs);
    INSERT INTO notes SELECT g, NULL FROM generate_series(1, 500) g;`);
});
afterAll(async () => {
  await db?.drop();
  cleanCli();
});

it('tenancy backfill takes the pacing flags and fills every row', async () => {
  const r = await runTenancy(['backfill', '--url', db.url, '--table', 'public.notes', '--tenant-column', 'org_id', '--value', '1',
    '--batch-size', '100', '--batch-ms', '50', '--duty', '0.9', '--write'], { TENANCY_CONFIG_DIR: tempConfigDir() });
  expect(r.stderr).not.toMatch(/^tenancy:/m);
  expect(r.code).toBe(0);
  expect((await db.exec('SELECT count(*)::int AS n FROM notes WHERE org_id IS NULL')).rows[0].n).toBe(0);
});

it.each([
  [['--duty', '0'], /^tenancy: --duty must be a number more than 0 and at most 1, got 0$/],
  [['--duty', 'fast'], /^tenancy: --duty must be a number more than 0 and at most 1, got fast$/],
  [['--batch-ms', '-5'], /^tenancy: --batch-ms must be a whole number, got -5$/],
  [['--batch-size', 'junk'], /^tenancy: --batch-size must be a whole number, got junk$/],
])('refuses %j in one line', async (flags, pattern) => {
  const r = await runTenancy(['backfill', '--url', db.url, '--table', 'public.notes', '--tenant-column', 'org_id', '--value', '1', ...flags, '--write']);
  expect(r.code).toBe(2);
  expect(r.stderr.trim()).toMatch(pattern);
});
