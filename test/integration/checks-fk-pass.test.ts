/**
 * A table's FKs to other tenant tables are checked in the table's own pass when it is large per
 * tenant (JOIN_IN_PASS_MIN_ROWS_PER_TENANT), and by a join per FK when it is small. Both ways
 * find the same planted cross-tenant rows with the same counts, and nothing on the clean twin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../main/engine/audit-sink.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { JOIN_IN_PASS_MIN_ROWS_PER_TENANT } from '../../main/engine/checks/scan.js';
import { loadModel } from '../../main/engine/model/load.js';
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
    // big_tasks: its FK answered in its one GROUP BY pass; small_tasks: a pass and a join.
    expect(sent('big_tasks').some((q) => q.includes('LEFT JOIN "public"."projects" p0') && q.includes('GROUP BY'))).toBe(true);
    expect(sent('small_tasks').some((q) => q.startsWith('SELECT count(*) AS n, min(c.ctid)'))).toBe(true);
    expect(sent('small_tasks').some((q) => q.includes('LEFT JOIN'))).toBe(false);
  });

  it('finds nothing on the clean twin, either way', async () => {
    expect((await check(clean)).cross).toEqual([]);
  });
});
