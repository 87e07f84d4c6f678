/**
 * An incomplete model is an error, never a pass: every command that needs the model exits 2 with
 * one line naming what was tried and the best candidates; the twin with a model does not.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS, CHECKS } from '../../shared/checks.js';
import { CLI_OUTPUT } from '../../shared/cli-output.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

// No tenant table at all: the most referenced table is users (a single-tenant app).
const NO_MODEL = `
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users, body text);
CREATE TABLE likes (id bigint PRIMARY KEY, user_id bigint REFERENCES users, post_id bigint REFERENCES posts);
CREATE TABLE accounts (id bigint PRIMARY KEY, provider text);
INSERT INTO users VALUES (1, 'a@x.test'); INSERT INTO posts VALUES (1, 1, 'x');
`;

// A Prisma-style schema: "Team" keyed by id, referenced through camelCase "teamId".
const TEAM = `
CREATE TABLE "Team" (id text PRIMARY KEY, name text NOT NULL);
INSERT INTO "Team" VALUES ('t1', 'One'), ('t2', 'Two');
CREATE TABLE "Project" (id int PRIMARY KEY, "teamId" text NOT NULL REFERENCES "Team", title text);
CREATE TABLE "Invoice" (id int PRIMARY KEY, "teamId" text NOT NULL REFERENCES "Team", total int);
CREATE TABLE "Member" (id int PRIMARY KEY, "teamId" text NOT NULL REFERENCES "Team", email text);
INSERT INTO "Project" VALUES (1, 't1', 'p'); INSERT INTO "Invoice" VALUES (1, 't2', 5);
`;

let none: TestDatabase;
let team: TestDatabase;
let orgsOnly: TestDatabase;
let configDir: string;
const env = () => ({ TENANCY_CONFIG_DIR: configDir });

beforeAll(async () => {
  none = await createTestDatabase(NO_MODEL);
  team = await createTestDatabase(TEAM);
  // A tenant table nothing references yet, and no tenant-like column anywhere.
  orgsOnly = await createTestDatabase(`${NO_MODEL}\nCREATE TABLE organizations (id bigint PRIMARY KEY, name text);`);
  configDir = tempConfigDir();
});
afterAll(async () => {
  await none?.drop();
  await team?.drop();
  await orgsOnly?.drop();
  cleanCli();
  fs.rmSync(configDir, { recursive: true, force: true });
});

/** stderr as lines, for "exactly one line" assertions. */
const lines = (s: string) => s.trim().split('\n').filter((l) => !/^\s*(scanning|counting)/.test(l) && l.trim() !== '');

describe('no tenant table', () => {
  it.each(['check', 'distribution'])('%s exits 2 with one line naming what was tried and the most referenced tables', async (cmd) => {
    const r = await runTenancy([cmd, '--url', none.url], env());
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('passed');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^tenancy: no tenant table found in schemas public: no table named like tenants, organizations, .*accounts.* is referenced by other tables/);
    expect(r.stderr).toContain('public.accounts: referenced by no table: a look-alike');
    expect(r.stderr).toContain('most referenced: public.users (referenced by 2 tables), public.posts (referenced by 1 table); give --tenant-table');
  });

  it('model shows the ranking, then exits 2 with the same line', async () => {
    const r = await runTenancy(['model', '--url', none.url], env());
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/Tenant table candidates/);
    expect(r.stdout).toMatch(/public\.accounts\s+0\s+0\s+id\s+referenced by no table: a look-alike/);
    expect(r.stderr).toMatch(/^tenancy: no tenant table found/);
  });

  it('with only --tenant-table given and nothing referencing it, exits 2: no tenant column', async () => {
    const r = await runTenancy(['check', '--url', orgsOnly.url, '--tenant-table', 'public.organizations'], env());
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^tenancy: no tenant column found for public\.organizations: no foreign key references public\.organizations\(id\) and no table has a column named like .*; give --tenant-column$/)]);
  });
});

describe('names that do not exist', () => {
  it('a tenant table in the wrong case: did you mean public."Team"? (referenced by 3 tables)', async () => {
    const r = await runTenancy(['check', '--url', team.url, '--tenant-table', 'public.team'], env());
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['tenancy: tenant table public.team not found in schemas public; did you mean public."Team" (referenced by 3 tables)?']);
  });

  it('a misspelt --tenant-column: did you mean, with how many tables have it', async () => {
    const r = await runTenancy(['check', '--url', team.url, '--tenant-column', 'teamid'], env());
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['tenancy: tenant column teamid is on no table in scope; did you mean teamId (on 3 tables)?']);
  });

  it('a misspelt --global-tables entry', async () => {
    const r = await runTenancy(['check', '--url', team.url, '--global-tables', 'public.Members'], env());
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['tenancy: global table public."Members" not found in schemas public; did you mean public."Member"?']);
  });

  it('the twin: detection finds public."Team" through "teamId", and check runs (no exit 2)', async () => {
    const r = await runTenancy(['model', '--url', team.url, '--format', 'json'], env());
    expect(r.code).toBe(0);
    const { model: m } = CLI_OUTPUT.model.parse(JSON.parse(r.stdout));
    expect(m.tenantTable).toMatchObject({ schema: 'public', table: 'Team', keyColumn: 'id', keyType: 'text' });
    expect(m.tenantColumns).toEqual(['teamId']);
    expect(m.detection.candidates[0]).toMatchObject({ typed: 'public."Team"', referencedBy: 3, chosen: true });
    const check = await runTenancy(['check', '--url', team.url, '--tenant-column', 'teamId'], env());
    expect(check.stderr).not.toMatch(/^tenancy:/m);
    expect([0, 1]).toContain(check.code);
    expect(check.stdout).not.toContain('tenant-column-missing');
  });
});

describe('tenancy checks', () => {
  it('lists every registered check in report order, as JSON and as a table, with no database', async () => {
    const json = await runTenancy(['checks', '--format', 'json'], env());
    expect(json.code).toBe(0);
    const { checks } = JSON.parse(json.stdout) as { checks: { id: string; severity: string; needs: string; why: string }[] };
    expect(checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    expect(checks.find((c) => c.id === 'cross-tenant-reference')).toMatchObject({ severity: 'error', needs: 'fk-scan', why: CHECKS['cross-tenant-reference'].why });
    const table = await runTenancy(['checks'], env());
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').filter((l) => /^(tenant|null|orphan|cross|unscoped|rls|isolation|citus)-/.test(l))).toHaveLength(CHECK_IDS.length);
  });
});
