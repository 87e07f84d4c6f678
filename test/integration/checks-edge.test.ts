import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../main/engine/checks/run.js';
import { computeDistribution } from '../../main/engine/distribution.js';
import { CancelledError } from '../../main/engine/errors.js';
import { loadModel } from '../../main/engine/model/load.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const q = pg.escapeIdentifier;
const SCHEMA = 'Tenant "Data"; DROP';
const TENANTS = 'Orgs; --';
const COL = 'Org "Id" ü';
const CHILD = 'Zürich 🚀 items';
const PARENT = 'we\'ird; "parents"';

const hostileSql = `
CREATE SCHEMA ${q(SCHEMA)};
CREATE TABLE ${q(SCHEMA)}.${q(TENANTS)} (${q('Key')} text PRIMARY KEY, ${q('name')} text);
INSERT INTO ${q(SCHEMA)}.${q(TENANTS)} VALUES ('a''b', 'Quote Inc'), ('c;d', 'Semi Co');
CREATE TABLE ${q(SCHEMA)}.${q(PARENT)} (${q('ID')} int PRIMARY KEY, ${q(COL)} text NOT NULL REFERENCES ${q(SCHEMA)}.${q(TENANTS)});
CREATE INDEX ON ${q(SCHEMA)}.${q(PARENT)} (${q(COL)});
INSERT INTO ${q(SCHEMA)}.${q(PARENT)} VALUES (1, 'a''b'), (2, 'c;d');
CREATE TABLE ${q(SCHEMA)}.${q(CHILD)} (${q('Item Id')} int PRIMARY KEY, ${q(COL)} text DEFAULT 'a''b', ${q('parent;id')} int REFERENCES ${q(SCHEMA)}.${q(PARENT)},
  ${q('E-Mail')} text CONSTRAINT ${q('uniq "mail"; x')} UNIQUE);
INSERT INTO ${q(SCHEMA)}.${q(CHILD)} VALUES (1, 'a''b', 1, 'x'), (2, 'c;d', 1, 'y'), (3, NULL, 2, 'z'), (4, 'ghost''s', 2, 'w');
`;

describe('hostile identifiers', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(hostileSql);
  });
  afterAll(async () => db?.drop());

  it('quotes every identifier: every check runs and names tables, columns and constraints raw', async () => {
    const s = await db.session();
    const model = await loadModel(s, { schemas: [SCHEMA], tenantTable: `"${SCHEMA.replace(/"/g, '""')}"."${TENANTS}"`, tenantColumn: COL });
    expect(model.tenantTable).toMatchObject({ schema: SCHEMA, table: TENANTS, keyColumn: 'Key', nameColumn: 'name' });
    const run = await runChecks(s, model, { mode: 'exact' });
    const got = run.findings.filter((f) => f.table === CHILD).map((f) => `${f.check}:${f.count ?? ''}:${f.constraint ?? f.column ?? ''}`).sort();
    expect(got).toEqual([
      `cross-tenant-reference:2:${CHILD}_parent;id_fkey`,
      `null-tenant-rows:1:${COL}`,
      `orphan-tenant-rows:1:${COL}`,
      `rls-disabled::`,
      `tenant-column-default:::${COL}`.replace(':::', '::'),
      `tenant-column-nullable::${COL}`,
      `tenant-fk-missing::${COL}`,
      `tenant-index-missing::${COL}`,
      `unscoped-unique::uniq "mail"; x`,
    ].sort());
    const orphan = run.findings.find((f) => f.check === 'orphan-tenant-rows')!;
    expect(orphan.sample).toEqual([{ 'Item Id': '4', [COL]: "ghost's" }]);
    expect(orphan.message).toContain("ghost's");
  });

  it('runs the evidence and remedy SQL it suggests, quoted correctly', async () => {
    const s = await db.session();
    const model = await loadModel(s, { schemas: [SCHEMA], tenantTable: `"${SCHEMA.replace(/"/g, '""')}"."${TENANTS}"`, tenantColumn: COL });
    const run = await runChecks(s, model, { mode: 'exact' });
    for (const f of run.findings.filter((x) => ['null-tenant-rows', 'orphan-tenant-rows', 'cross-tenant-reference'].includes(x.check))) {
      await expect(db.exec(f.sql), f.check).resolves.toBeTruthy();
    }
    const fk = run.findings.find((f) => f.check === 'tenant-fk-missing')!;
    await db.exec(`DELETE FROM ${q(SCHEMA)}.${q(CHILD)} WHERE ${q('Item Id')} = 4`);
    await db.exec(fk.remedy!);
    const unique = run.findings.find((f) => f.check === 'unscoped-unique')!;
    for (const stmt of unique.remedy!.split('\n')) await db.exec(stmt);
    const after = await runChecks(s, await loadModel(s, { schemas: [SCHEMA], tenantTable: `"${SCHEMA.replace(/"/g, '""')}"."${TENANTS}"`, tenantColumn: COL }), { mode: 'exact' });
    expect(after.findings.map((f) => f.check)).not.toContain('tenant-fk-missing');
    expect(after.findings.map((f) => f.check)).not.toContain('unscoped-unique');
    expect(after.findings.map((f) => f.check)).not.toContain('orphan-tenant-rows');
  });
});

describe('a role that cannot read some tables', () => {
  let db: TestDatabase;
  const user = `reader_${crypto.randomBytes(3).toString('hex')}`;
  const password = crypto.randomBytes(9).toString('hex');
  beforeAll(async () => {
    db = await createTestDatabase(`
      CREATE TABLE organizations (id int PRIMARY KEY, name text);
      INSERT INTO organizations VALUES (1, 'A');
      CREATE TABLE open_rows (id int PRIMARY KEY, org_id int REFERENCES organizations, note text);
      INSERT INTO open_rows VALUES (1, NULL, 'x');
      CREATE TABLE secret_rows (id int PRIMARY KEY, org_id int REFERENCES organizations, note text);
      INSERT INTO secret_rows VALUES (1, NULL, 'x');
      CREATE ROLE ${user} LOGIN PASSWORD '${password}';
      GRANT SELECT ON organizations, open_rows TO ${user};`);
  });
  afterAll(async () => {
    await db?.drop();
    await db?.exec(`DROP ROLE IF EXISTS ${user}`).catch(() => undefined);
  });

  it('reports the unreadable table as not checked and still checks the rest', async () => {
    const { profile, urlPassword } = profileFromUrl(db.urlAs(user, password));
    const s = await Session.open(profile, { password: urlPassword });
    try {
      const run = await runChecks(s, await loadModel(s), { mode: 'exact' });
      expect(run.findings.filter((f) => f.check === 'null-tenant-rows').map((f) => f.table)).toEqual(['open_rows']);
      expect(run.skipped).toEqual([{ schema: 'public', table: 'secret_rows', reason: expect.stringMatching(/permission denied.*GRANT SELECT/) }]);
      expect(run.findings.some((f) => f.check === 'tenant-column-nullable' && f.table === 'secret_rows')).toBe(true);
      const dist = await computeDistribution(s, await loadModel(s));
      expect(dist.skipped.map((x) => x.table)).toEqual(['secret_rows']);
    } finally {
      await s.close();
    }
  });

  it('explains a probe role it cannot assume, in one line', async () => {
    const { profile, urlPassword } = profileFromUrl(db.urlAs(user, password));
    const s = await Session.open(profile, { password: urlPassword });
    try {
      await expect(runChecks(s, await loadModel(s), { mode: 'estimate', rlsRole: 'pg_monitor_nope', rlsSetting: 'app.tenant' }))
        .rejects.toThrow(/^cannot SET ROLE pg_monitor_nope for the isolation probe: .*check --rls-role/);
    } finally {
      await s.close();
    }
  });
});

describe('cancelling an exact run', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(`
      CREATE TABLE organizations (id int PRIMARY KEY, name text);
      CREATE TABLE a (id int PRIMARY KEY, org_id int REFERENCES organizations);
      CREATE TABLE b (id int PRIMARY KEY, org_id int REFERENCES organizations);`);
  });
  afterAll(async () => db?.drop());

  it('cancels the running server query, rejects with CancelledError, and leaves the session usable', async () => {
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE b IN ACCESS EXCLUSIVE MODE');
    const s = await db.session({ lockTimeoutMs: 0 });
    const controller = new AbortController();
    const progress: string[] = [];
    // The model loads while a migration-style lock is held (catalogs only, nothing waits).
    const model = await loadModel(s);
    expect(model.detection.notes).toContainEqual(expect.stringMatching(/^public\.b is locked ACCESS EXCLUSIVE by pid \d+/));
    const running = runChecks(s, model, { mode: 'exact', signal: controller.signal, onProgress: (e) => progress.push(`${e.phase}:${e.table ?? ''}`) });
    await expect.poll(async () => (await db.exec('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = $2', [s.pid, 'Lock'])).rows[0].n).toBe(1);
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(progress).toEqual(['table:a', 'table:b']);
    await locker.query('ROLLBACK');
    await locker.end();
    // The session's own cleanup after the cancel may still be on the wire: wait (bounded) for it to go idle.
    await db.until("SELECT count(*) = 0 AS ok FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [s.pid]);
    expect((await s.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  });

  it('reports a table locked longer than lock_timeout as not checked', async () => {
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE a IN ACCESS EXCLUSIVE MODE');
    const s = await db.session({ lockTimeoutMs: 50 });
    const run = await runChecks(s, await loadModel(s), { mode: 'exact' });
    const dist = await computeDistribution(s, await loadModel(s));
    await locker.query('ROLLBACK');
    await locker.end();
    expect(run.skipped).toEqual([{ schema: 'public', table: 'a', reason: expect.stringMatching(/lock_timeout/) }]);
    expect(run.tables.map((t) => t.table)).toEqual(['b']);
    expect(dist.skipped).toEqual([{ schema: 'public', table: 'a', reason: expect.stringMatching(/lock_timeout/) }]);
  });
});
