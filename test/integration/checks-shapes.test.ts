/**
 * The schemas people actually have: a tenant table keyed by a unique non-id column, an
 * unreferenced look-alike, two spellings of the tenant column, uuids stored as upper-case text,
 * and every uuid/text/bigint pair in evidence SQL. Each shape has a planted defect and a clean twin.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRun } from '../../shared/findings.js';
import type { ModelSettings } from '../../shared/model.js';
import { hasErrors, runChecks } from '../../main/engine/checks/run.js';
import { asKeyType } from '../../main/engine/checks/tenant-values.js';
import { computeDistribution } from '../../main/engine/distribution.js';
import { loadModel } from '../../main/engine/model/load.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const rls = (t: string) => `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${t} FORCE ROW LEVEL SECURITY;
  CREATE POLICY tenant ON ${t} USING (org_id = current_setting('app.tenant_id', true)::bigint);`;
const rowChecks = ['null-tenant-rows', 'orphan-tenant-rows', 'cross-tenant-reference', 'isolation-leak'];
const key = (f: { check: string; table: string; count?: number }) => `${f.check} ${f.table}${f.count !== undefined ? ` ${f.count}` : ''}`;

async function check(db: TestDatabase, settings: ModelSettings = {}, probe?: { role: string; tenant?: string }): Promise<CheckRun> {
  const s = await db.session();
  const model = await loadModel(s, settings);
  return runChecks(s, model, { mode: 'exact', ...(probe ? { rlsRole: probe.role, rlsSetting: 'app.tenant_id', rlsTenant: probe.tenant } : {}) });
}

/** Every row finding's evidence runs as printed and reproduces its count. */
async function evidenceReproduces(db: TestDatabase, run: CheckRun): Promise<void> {
  for (const f of run.findings.filter((x) => ['null-tenant-rows', 'orphan-tenant-rows', 'cross-tenant-reference'].includes(x.check))) {
    const res = await db.exec(f.sql);
    const n = f.check === 'orphan-tenant-rows' ? res.rows.reduce((a, r) => a + Number(r.count), 0) : Number(res.rows[0].count);
    expect(n, `${f.check} ${f.table}: ${f.sql}`).toBe(f.count);
  }
}

describe('a tenant table keyed by a unique non-id column', () => {
  const base = `
    CREATE TABLE teams (id bigint PRIMARY KEY, code text NOT NULL UNIQUE, name text);
    INSERT INTO teams VALUES (1, 'alpha', 'Alpha'), (2, 'beta', 'Beta');
    CREATE TABLE boards (id int PRIMARY KEY, team_code text NOT NULL REFERENCES teams (code), title text);
    CREATE INDEX ON boards (team_code);
    INSERT INTO boards SELECT g, CASE WHEN g % 2 = 0 THEN 'alpha' ELSE 'beta' END, 'b' FROM generate_series(1, 10) g;
    CREATE TABLE cards (id int PRIMARY KEY, team_code text NOT NULL REFERENCES teams (code), board_id int REFERENCES boards);
    CREATE INDEX ON cards (team_code);
    INSERT INTO cards SELECT g, CASE WHEN (1 + g % 10) % 2 = 0 THEN 'alpha' ELSE 'beta' END, 1 + g % 10 FROM generate_series(1, 30) g;
    CREATE TABLE labels (id int PRIMARY KEY, team_code text NOT NULL, label text);
    CREATE INDEX ON labels (team_code);`;
  let planted: TestDatabase;
  let clean: TestDatabase;
  beforeAll(async () => {
    planted = await createTestDatabase(`${base}\nINSERT INTO labels VALUES (1, 'alpha', 'x'), (2, 'gamma', 'y'), (3, 'gamma', 'z');`);
    clean = await createTestDatabase(`${base}\nINSERT INTO labels VALUES (1, 'alpha', 'x'), (2, 'beta', 'y');`);
  });
  afterAll(async () => {
    await planted?.drop();
    await clean?.drop();
  });

  it('takes the key from the referenced column and finds the planted orphans (no raw 42703)', async () => {
    const s = await planted.session();
    const model = await loadModel(s);
    expect(model.tenantTable).toMatchObject({ table: 'teams', keyColumn: 'code', keyType: 'text' });
    const run = await check(planted);
    expect(run.findings.filter((f) => rowChecks.includes(f.check)).map(key)).toEqual(['orphan-tenant-rows labels 2']);
    await evidenceReproduces(planted, run);
    const dist = await computeDistribution(s, model);
    expect(dist.missingTenant).toEqual([{ schema: 'public', table: 'labels', tenant: 'gamma', rows: 2 }]);
    expect(dist.rows.filter((r) => r.table === 'cards').map((r) => [r.tenant, r.rows]).sort()).toEqual([['alpha', 15], ['beta', 15]]);
  });

  it('the twin: no row findings', async () => {
    const run = await check(clean);
    expect(run.findings.filter((f) => rowChecks.includes(f.check)).map(key)).toEqual([]);
  });
});

describe('an unreferenced look-alike tenant table', () => {
  const base = `
    CREATE SCHEMA archive;
    CREATE TABLE archive.organizations (id bigint PRIMARY KEY, name text);
    INSERT INTO archive.organizations SELECT g, 'old ' || g FROM generate_series(100, 140) g;
    CREATE TABLE organizations (id bigint PRIMARY KEY, name text);
    INSERT INTO organizations VALUES (1, 'A'), (2, 'B');
    CREATE TABLE docs (id int PRIMARY KEY, org_id bigint NOT NULL REFERENCES organizations, body text);
    CREATE INDEX ON docs (org_id);
    INSERT INTO docs SELECT g, 1 + g % 2, 'd' FROM generate_series(1, 40) g;
    CREATE TABLE tags (id int PRIMARY KEY, org_id bigint NOT NULL REFERENCES organizations, doc_id int REFERENCES docs);
    CREATE INDEX ON tags (org_id);
    INSERT INTO tags SELECT g, 1 + (1 + g % 40) % 2, 1 + g % 40 FROM generate_series(1, 40) g;`;
  let planted: TestDatabase;
  let clean: TestDatabase;
  beforeAll(async () => {
    planted = await createTestDatabase(`${base}\nUPDATE tags SET org_id = 3 - org_id WHERE id = 7;`);
    clean = await createTestDatabase(base);
  });
  afterAll(async () => {
    await planted?.drop();
    await clean?.drop();
  });

  it('detects the referenced table, says why the look-alike lost, and finds only the planted row', async () => {
    const s = await planted.session();
    const model = await loadModel(s, { globalTables: ['archive.organizations'] });
    expect(model.tenantTable).toMatchObject({ schema: 'public', table: 'organizations' });
    expect(model.detection.candidates.map((c) => [c.table, c.referencedBy, c.chosen])).toEqual([
      ['public.organizations', 2, true], ['archive.organizations', 0, false],
    ]);
    const run = await runChecks(s, model, { mode: 'exact' });
    expect(run.findings.filter((f) => rowChecks.includes(f.check)).map(key)).toEqual(['cross-tenant-reference tags 1']);
    expect(run.findings.filter((f) => f.check === 'tenant-fk-missing')).toEqual([]);
    await evidenceReproduces(planted, run);
  });

  it('the twin: no row findings', async () => {
    const run = await check(clean, { globalTables: ['archive.organizations'] });
    expect(run.findings.filter((f) => rowChecks.includes(f.check) || f.check === 'tenant-fk-missing')).toEqual([]);
  });
});

describe('two spellings of the tenant column in one schema', () => {
  const base = `
    CREATE TABLE organization (id text PRIMARY KEY, name text);
    INSERT INTO organization VALUES ('o1', 'One'), ('o2', 'Two');
    CREATE TABLE member (id text PRIMARY KEY, "organizationId" text NOT NULL REFERENCES organization, email text);
    CREATE INDEX ON member ("organizationId");
    INSERT INTO member SELECT 'm' || g, 'o' || (1 + g % 2), 'e' FROM generate_series(1, 10) g;
    CREATE TABLE invitation (id text PRIMARY KEY, "organizationId" text NOT NULL REFERENCES organization, email text);
    CREATE INDEX ON invitation ("organizationId");
    CREATE TABLE lessons (id int PRIMARY KEY, organization_id text REFERENCES organization, title text);
    CREATE INDEX ON lessons (organization_id);`;
  let planted: TestDatabase;
  let clean: TestDatabase;
  beforeAll(async () => {
    planted = await createTestDatabase(`${base}\nINSERT INTO lessons VALUES (1, 'o1', 'a'), (2, NULL, 'b');`);
    clean = await createTestDatabase(`${base}\nALTER TABLE lessons ALTER COLUMN organization_id SET NOT NULL;\nINSERT INTO lessons VALUES (1, 'o1', 'a'), (2, 'o2', 'b');`);
  });
  afterAll(async () => {
    await planted?.drop();
    await clean?.drop();
  });

  it('scopes every table by its own spelling and finds the NULL row', async () => {
    const s = await planted.session();
    const model = await loadModel(s);
    expect(model.tenantColumns).toEqual(['organizationId', 'organization_id']);
    expect(Object.fromEntries(model.tables.map((t) => [t.table, t.tenantColumn?.name ?? t.role]))).toEqual({
      organization: 'tenant-table', member: 'organizationId', invitation: 'organizationId', lessons: 'organization_id',
    });
    const run = await runChecks(s, model, { mode: 'exact' });
    expect(run.findings.filter((f) => f.check === 'tenant-column-missing')).toEqual([]);
    expect(run.findings.filter((f) => rowChecks.includes(f.check)).map(key)).toEqual(['null-tenant-rows lessons 1']);
  });

  it('takes both as a comma list, and the snake/camel forms of a given name', async () => {
    const s = await planted.session();
    expect((await loadModel(s, { tenantColumn: 'organizationId, organization_id' })).tables.filter((t) => t.role === 'tenant').length).toBe(3);
    expect((await loadModel(s, { tenantColumn: 'organization_id' })).tables.filter((t) => t.role === 'tenant').map((t) => t.tenantColumn!.name).sort())
      .toEqual(['organizationId', 'organizationId', 'organization_id']);
  });

  it('the twin: nothing about tenant columns', async () => {
    const run = await check(clean);
    expect(run.findings.filter((f) => rowChecks.includes(f.check) || f.check.startsWith('tenant-column'))).toEqual([]);
  });
});

describe('uuids stored as upper-case text against a uuid key', () => {
  const role = `app_${crypto.randomBytes(4).toString('hex')}`;
  const A = '6f1c2a9e-0b7d-4c1e-9a3b-2d4e5f6a7b8c';
  const B = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
  const base = (role: string) => `
    CREATE ROLE ${role} NOLOGIN;
    CREATE TABLE orgs (id uuid PRIMARY KEY, name text);
    INSERT INTO orgs VALUES ('${A}', 'A'), ('${B}', 'B');
    CREATE TABLE folders (id int PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs, name text);
    CREATE INDEX ON folders (org_id);
    INSERT INTO folders VALUES (1, '${A}', 'a'), (2, '${B}', 'b');
    ALTER TABLE folders ENABLE ROW LEVEL SECURITY; ALTER TABLE folders FORCE ROW LEVEL SECURITY;
    CREATE POLICY by_org ON folders USING (org_id = current_setting('app.tenant_id', true)::uuid);
    CREATE TABLE files (id int PRIMARY KEY, org_id text NOT NULL, folder_id int REFERENCES folders, name text);
    CREATE INDEX ON files (org_id);
    INSERT INTO files SELECT g, CASE WHEN g % 2 = 0 THEN upper('${A}') ELSE '{' || '${B}' || '}' END, CASE WHEN g % 2 = 0 THEN 1 ELSE 2 END, 'f' FROM generate_series(1, 20) g;
    ALTER TABLE files ENABLE ROW LEVEL SECURITY; ALTER TABLE files FORCE ROW LEVEL SECURITY;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role};`;
  let planted: TestDatabase;
  let clean: TestDatabase;
  beforeAll(async () => {
    planted = await createTestDatabase(`${base(role)}
      INSERT INTO files VALUES (21, 'not-a-uuid', 1, 'x'), (22, upper('${crypto.randomUUID()}'), 1, 'y'), (23, upper('${B}'), 1, 'z');
      CREATE POLICY everyone ON files USING (org_id IS NOT NULL);`);
    clean = await createTestDatabase(`${base(`${role}_c`)}
      CREATE POLICY by_org ON files USING (lower(org_id) = current_setting('app.tenant_id', true));`);
  });
  afterAll(async () => {
    await planted?.drop();
    await clean?.drop();
    await planted?.exec(`DROP ROLE IF EXISTS ${role}; DROP ROLE IF EXISTS ${role}_c`).catch(() => undefined);
  });

  it('compares as uuid: the invalid and the missing value are orphans, leaks are only other tenants\' rows', async () => {
    const run = await check(planted, {}, { role, tenant: A.toUpperCase() });
    const got = run.findings.filter((f) => rowChecks.includes(f.check));
    // Cross-tenant: the upper-case B row in A's folder, and the missing tenant's row in A's folder.
    expect(got.map(key).sort()).toEqual(['cross-tenant-reference files 2', 'isolation-leak files 13', 'orphan-tenant-rows files 2']);
    expect(got.find((f) => f.check === 'orphan-tenant-rows')!.message).toMatch(/1 rows point at 1 tenant id\(s\) missing from orgs .*; 1 rows hold 1 invalid tenant value\(s\), not a valid uuid \("not-a-uuid"\)/);
    await evidenceReproduces(planted, run);
    const leak = got.find((f) => f.check === 'isolation-leak')!;
    const probe = leak.sql.split('\n').find((l) => l.startsWith('SELECT count(*)'))!;
    await planted.exec('BEGIN');
    try {
      await planted.exec(`SET LOCAL ROLE ${role}`);
      expect(Number((await planted.exec(probe)).rows[0].count)).toBe(13);
    } finally {
      await planted.exec('ROLLBACK');
    }
  });

  it('the twin: no orphan, cross-tenant or leak, though every value is upper-case or braced', async () => {
    const run = await check(clean, {}, { role: `${role}_c` });
    expect(run.findings.filter((f) => rowChecks.includes(f.check)).map(key)).toEqual([]);
    const s = await clean.session();
    const dist = await computeDistribution(s, await loadModel(s));
    expect(dist.missingTenant).toEqual([]);
    expect(dist.rows.filter((r) => r.table === 'files').map((r) => [r.tenant, r.rows]).sort()).toEqual([[A, 10], [B, 10]]);
  });
});

describe('uuid/text/bigint pairs in evidence SQL', () => {
  // [key type, tenant column type, a valid key, another valid key, a value of the column type with no tenant, an invalid value]
  const pairs: [string, string, string, string, string, string | null][] = [
    ['bigint', 'text', '1', '2', '99', 'x1'],
    ['bigint', 'integer', '1', '2', '99', null],
    ['integer', 'bigint', '1', '2', '99', '99999999999'],
    ['uuid', 'text', crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID(), 'nope'],
    ['text', 'uuid', crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID(), null],
    ['text', 'bigint', '1', '2', '99', null],
  ];
  const lit = pg.escapeLiteral;
  const schemaSql = (i: number, [kt, ct, a, b, missing, invalid]: (typeof pairs)[number], planted: boolean) => `
    CREATE SCHEMA s${i};
    CREATE TABLE s${i}.tenants (id ${kt} PRIMARY KEY, name text);
    INSERT INTO s${i}.tenants VALUES (${lit(a)}, 'a'), (${lit(b)}, 'b');
    CREATE TABLE s${i}.items (id int PRIMARY KEY, tenant_id ${ct} NOT NULL);
    INSERT INTO s${i}.items VALUES (1, ${lit(a)}), (2, ${lit(b)})${planted ? `, (3, ${lit(missing)})` : ''};
    CREATE TABLE s${i}.lines (id int PRIMARY KEY, tenant_id ${kt} NOT NULL, item_id int REFERENCES s${i}.items);
    INSERT INTO s${i}.lines VALUES (1, ${lit(a)}, 1), (2, ${lit(b)}, 2)${planted ? `, (3, ${lit(b)}, 1)` : ''};
    ${planted && invalid !== null && ct !== 'integer' ? `ALTER TABLE s${i}.items ALTER COLUMN tenant_id TYPE text; INSERT INTO s${i}.items VALUES (4, ${lit(invalid)});` : ''}`;
  let planted: TestDatabase;
  let clean: TestDatabase;
  beforeAll(async () => {
    planted = await createTestDatabase(pairs.map((p, i) => schemaSql(i, p, true)).join('\n'));
    clean = await createTestDatabase(pairs.map((p, i) => schemaSql(i, p, false)).join('\n'));
  });
  afterAll(async () => {
    await planted?.drop();
    await clean?.drop();
  });

  it.each(pairs.map((p, i) => [i, ...p] as const))('s%i: %s key, %s column: planted rows found, evidence runs as printed', async (i, _kt, ct, _a, _b, _m, invalid) => {
    const run = await check(planted, { schemas: [`s${i}`] });
    const invalidPlanted = invalid !== null && ct !== 'integer';
    expect(run.findings.filter((f) => rowChecks.includes(f.check)).map(key).sort()).toEqual([
      'cross-tenant-reference lines 1', `orphan-tenant-rows items ${invalidPlanted ? 2 : 1}`,
    ]);
    await evidenceReproduces(planted, run);
    for (const f of run.findings) await expect(planted.exec(f.sql), `${f.check}: ${f.sql}`).resolves.toBeTruthy();
  });

  it.each(pairs.map((p, i) => [i, ...p] as const))('s%i: %s key, %s column: the twin has no row findings', async (i) => {
    const run = await check(clean, { schemas: [`s${i}`] });
    expect(run.findings.filter((f) => rowChecks.includes(f.check)).map(key)).toEqual([]);
  });

  it('the PostgreSQL 15 form of the safe cast (patterns, no pg_input_is_valid) gives the same answers', async () => {
    const values = ['6F1C2A9E-0B7D-4C1E-9A3B-2D4E5F6A7B8C', '{6f1c2a9e0b7d4c1e9a3b2d4e5f6a7b8c}', 'nope', '12', ' 7 ', 'x1', '99999999999'];
    const probe = async (type: string, v: number) => (await planted.exec(
      `SELECT ${asKeyType('v', 'text', type, v)}::text AS out FROM unnest($1::text[]) WITH ORDINALITY u(v, n) ORDER BY n`, [values])).rows.map((r) => r.out);
    // What pg_input_is_valid answers (PostgreSQL 16+), written out so PostgreSQL 15 checks its own form too.
    const expected: Record<string, (string | null)[]> = {
      uuid: ['6f1c2a9e-0b7d-4c1e-9a3b-2d4e5f6a7b8c', '6f1c2a9e-0b7d-4c1e-9a3b-2d4e5f6a7b8c', null, null, null, null, null],
      bigint: [null, null, null, '12', '7', null, '99999999999'],
      integer: [null, null, null, '12', '7', null, null],
    };
    const server = Number((await planted.exec('SHOW server_version_num')).rows[0].server_version_num);
    for (const type of ['uuid', 'bigint', 'integer']) {
      expect(await probe(type, 150000)).toEqual(expected[type]);
      if (server >= 160000) expect(await probe(type, 180000)).toEqual(expected[type]);
    }
  });
});

describe('declared global uniques and RLS without policy on tables without the tenant column', () => {
  const base = `
    CREATE TABLE organizations (id bigint PRIMARY KEY, name text);
    INSERT INTO organizations VALUES (1, 'A');
    CREATE TABLE invitations (id int PRIMARY KEY, org_id bigint NOT NULL REFERENCES organizations, token text NOT NULL, email text NOT NULL);
    CREATE INDEX ON invitations (org_id);
    CREATE UNIQUE INDEX "invitations_token_key" ON invitations (token);
    CREATE UNIQUE INDEX invitations_email_key ON invitations (email);
    ${rls('invitations')}
    CREATE TABLE countries (code text PRIMARY KEY, name text);
    ALTER TABLE countries ENABLE ROW LEVEL SECURITY;`;
  let planted: TestDatabase;
  let clean: TestDatabase;
  beforeAll(async () => {
    planted = await createTestDatabase(base);
    clean = await createTestDatabase(`${base}\nCREATE POLICY read_all ON countries USING (true);\nDROP INDEX invitations_email_key;`);
  });
  afterAll(async () => {
    await planted?.drop();
    await clean?.drop();
  });

  it('undeclared: both uniques are errors with a remedy that names the ORM and the declaration; RLS with no policy on a global table is found', async () => {
    const run = await check(planted, { globalTables: ['public.countries'] });
    expect(run.findings.map((f) => `${f.check} ${f.table} ${f.constraint ?? ''}`.trim()).sort()).toEqual([
      'rls-no-policy countries', 'unscoped-unique invitations invitations_email_key', 'unscoped-unique invitations invitations_token_key',
    ]);
    expect(hasErrors(run)).toBe(true);
    const token = run.findings.find((f) => f.constraint === 'invitations_token_key')!;
    expect(token.remedy).toContain('looks ORM-managed');
    expect(token.remedy).toContain('--global-uniques public.invitations.token');
  });

  it('declared: the token key is reported as accepted, without a remedy, and is not an error', async () => {
    const run = await check(planted, { globalTables: ['public.countries'], globalUniques: ['public.invitations.token'] });
    const token = run.findings.find((f) => f.constraint === 'invitations_token_key')!;
    expect(token).toMatchObject({ accepted: 'declared globally unique: --global-uniques public.invitations.token', remedy: null });
    expect(run.findings.find((f) => f.constraint === 'invitations_email_key')!.accepted).toBeUndefined();
  });

  it('the twin: with the declaration and a policy, only the accepted finding remains and nothing is an error', async () => {
    const run = await check(clean, { globalTables: ['public.countries'], globalUniques: ['invitations.token'] });
    expect(run.findings.map((f) => `${f.check} ${f.constraint ?? f.table} ${f.accepted ? 'accepted' : ''}`.trim())).toEqual(['unscoped-unique invitations_token_key accepted']);
    expect(hasErrors(run)).toBe(false);
  });

  it('a declared column that does not exist is one line with the closest names', async () => {
    const s = await planted.session();
    await expect(loadModel(s, { globalUniques: ['public.invitations.tokn'] })).rejects.toThrow('--global-uniques public.invitations.tokn: public.invitations has no column tokn; did you mean token?');
  });
});
