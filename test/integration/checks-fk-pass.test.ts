/**
 * A table's FKs to other tenant tables are checked in the table's own pass: with the first and
 * last mismatching ctids when it is large per tenant (JOIN_IN_PASS_MIN_ROWS_PER_TENANT), by count
 * only when it is small (COUNT_FOLD_MAX_BYTES), and then, only where the count is not zero, by a
 * join of its own for the samples. Both ways find the same planted cross-tenant rows with the
 * same counts, and nothing on the clean twin, where no second join is sent.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../main/engine/audit-sink.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { JOIN_IN_PASS_MIN_ROWS_PER_TENANT } from '../../main/engine/checks/scan.js';
import { loadModel } from '../../main/engine/model/load.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** Two tenants; `big_tasks` has enough rows per tenant for the one pass, `small_tasks` does not. */
function fixture(plant: boolean): string {
  const bigRows = 2 * JOIN_IN_PASS_MIN_ROWS_PER_TENANT + 200;
  return `
    CREATE TABLE organizations (id int PRIMARY KEY, name text);
    INSERT INTO organizations VALUES (1, 'A'), (2, 'B');
    CREATE TABLE projects (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, name text);
    INSERT INTO projects SELECT g, 1 + g % 2, 'p' FROM generate_series(1, 10) g;
    CREATE TABLE big_tasks (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, project_id int REFERENCES projects);
    INSERT INTO big_tasks SELECT g, 1 + (1 + g % 10) % 2, 1 + g % 10 FROM generate_series(1, ${bigRows}) g;
    CREATE TABLE small_tasks (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, project_id int REFERENCES projects);
    INSERT INTO small_tasks SELECT g, 1 + (1 + g % 10) % 2, 1 + g % 10 FROM generate_series(1, 20) g;
    ${plant ? `UPDATE big_tasks SET org_id = 3 - org_id WHERE id IN (7, 300, 900);
    UPDATE small_tasks SET org_id = 3 - org_id WHERE id IN (4, 11);` : ''}
    ANALYZE;`;
}

let planted: TestDatabase;
let clean: TestDatabase;
beforeAll(async () => {
  planted = await createTestDatabase(fixture(true));
  clean = await createTestDatabase(fixture(false));
});
afterAll(async () => {
  await planted?.drop();
  await clean?.drop();
});

async function check(db: TestDatabase) {
  const audit = new MemoryAuditSink();
  const s = await db.session({}, { audit });
  const run = await runChecks(s, await loadModel(s), { mode: 'exact' });
  const cross = run.findings.filter((f) => f.check === 'cross-tenant-reference').map((f) => [f.table, f.count, f.sample!.length]);
  const sent = (table: string) => audit.entries.map((e) => e.sql).filter((q) => q.includes(`FROM "public"."${table}" c`));
  return { cross, sent };
}

describe('cross-tenant FKs in the pass or by their own join', () => {
  it('finds the planted rows both ways, with counts and two samples each', async () => {
    const { cross, sent } = await check(planted);
    expect(cross).toEqual([['big_tasks', 3, 2], ['small_tasks', 2, 2]]);
    // big_tasks: its FK answered in its one GROUP BY pass, ctids included; small_tasks: counted in
    // its pass, then (a count not zero) joined again for the ctids of its samples.
    const pass = (table: string) => sent(table).filter((q) => q.includes('LEFT JOIN "public"."projects" p0') && q.includes('GROUP BY'));
    expect(pass('big_tasks')).toHaveLength(1);
    expect(pass('big_tasks')[0]).toContain('min(c.ctid) FILTER');
    expect(pass('small_tasks')).toHaveLength(1);
    expect(pass('small_tasks')[0]).not.toContain('ctid');
    expect(sent('small_tasks').filter((q) => q.startsWith('SELECT count(*) AS n, min(c.ctid)'))).toHaveLength(1);
    expect(sent('big_tasks').some((q) => q.startsWith('SELECT count(*) AS n, min(c.ctid)'))).toBe(false);
  });

  it('finds nothing on the clean twin, either way, and sends no second join', async () => {
    const { cross, sent } = await check(clean);
    expect(cross).toEqual([]);
    expect(sent('small_tasks').filter((q) => q.includes('LEFT JOIN "public"."projects" p0'))).toHaveLength(1);
    expect(sent('small_tasks').some((q) => q.startsWith('SELECT count(*) AS n, min(c.ctid)'))).toBe(false);
  });
});

describe('an FK folded into a pass whose child or parent the role cannot read', () => {
  let db: TestDatabase;
  const user = `fk_reader_${crypto.randomBytes(3).toString('hex')}`;
  const password = crypto.randomBytes(9).toString('hex');
  beforeAll(async () => {
    db = await createTestDatabase(`
      CREATE TABLE organizations (id int PRIMARY KEY, name text);
      INSERT INTO organizations VALUES (1, 'A'), (2, 'B');
      CREATE TABLE open_rows (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations);
      INSERT INTO open_rows VALUES (1, 1), (2, 2);
      CREATE TABLE secret_rows (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations);
      INSERT INTO secret_rows VALUES (1, 1), (2, 2);
      CREATE TABLE open_items (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, secret_id int CONSTRAINT open_items_secret REFERENCES secret_rows);
      INSERT INTO open_items VALUES (1, 1, 1), (2, 1, 2);
      CREATE TABLE secret_items (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, open_id int CONSTRAINT secret_items_open REFERENCES open_rows);
      INSERT INTO secret_items VALUES (1, 1, 1), (2, 1, 2);
      CREATE TABLE locked_items (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, open_id int CONSTRAINT locked_items_open REFERENCES open_rows);
      INSERT INTO locked_items VALUES (1, 1, 1), (2, 2, 1);
      ANALYZE;
      CREATE ROLE ${user} LOGIN PASSWORD '${password}';
      GRANT SELECT ON organizations, open_rows, open_items, locked_items TO ${user};`);
  });
  afterAll(async () => {
    await db?.drop();
    await db?.exec(`DROP ROLE IF EXISTS ${user}`).catch(() => undefined);
  });

  const runAsReader = async (lockTimeoutMs?: number) => {
    const { profile, urlPassword } = profileFromUrl(db.urlAs(user, password));
    const s = await Session.open({ ...profile, ...(lockTimeoutMs ? { lockTimeoutMs } : {}) }, { password: urlPassword });
    try {
      return await runChecks(s, await loadModel(s), { mode: 'exact' });
    } finally {
      await s.close();
    }
  };

  it('lists the FK of a readable table to an unreadable parent as not checked, and still counts the table', async () => {
    const run = await runAsReader();
    expect(run.skipped.map((x) => [x.table, x.constraint ?? null, /^permission denied/.test(x.reason)])).toEqual([
      ['secret_items', null, true], ['secret_rows', null, true], ['open_items', 'open_items_secret', true],
    ]);
    expect(run.skipped[2]!.reason).toContain('its parent public.secret_rows');
    expect(run.tables.filter((t) => t.table === 'open_items').map((t) => t.rows)).toEqual([2]);
    // locked_items (2 rows, one whose open_rows parent has the other tenant) is checked in full.
    expect(run.findings.filter((f) => f.check === 'cross-tenant-reference').map((f) => [f.table, f.count])).toEqual([['locked_items', 1]]);
  });

  it('lists the FKs of a table locked past lock_timeout as not checked with it', async () => {
    const locker = await db.holding('LOCK TABLE locked_items IN ACCESS EXCLUSIVE MODE');
    let run;
    try {
      run = await runAsReader(50);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    const locked = run.skipped.filter((x) => x.table === 'locked_items');
    expect(locked.map((x) => x.constraint ?? null)).toEqual([null, 'locked_items_open']);
    expect(locked[1]!.reason).toMatch(/^not checked with its table: .*lock_timeout/);
    expect(run.findings.some((f) => f.check === 'cross-tenant-reference')).toBe(false);
  });
});
