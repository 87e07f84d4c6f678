import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyContract, planContract } from '../../main/engine/contract/apply.js';
import { loadModel } from '../../main/engine/model/load.js';
import type { Session } from '../../main/engine/session.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const settings = { schemas: ['public'], tenantTable: 'public.orgs', tenantColumn: 'org_id' };

let db: TestDatabase;
let s: Session;
beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE orgs (id int PRIMARY KEY);
    INSERT INTO orgs VALUES (1), (2);
    CREATE TABLE fk_t (id int PRIMARY KEY, org_id int NOT NULL);
    CREATE INDEX ON fk_t (org_id);
    INSERT INTO fk_t SELECT g, 1 + g % 2 FROM generate_series(1, 100) g;
    INSERT INTO fk_t VALUES (101, 99);
    CREATE TABLE nn_t (id int PRIMARY KEY, org_id int REFERENCES orgs);
    CREATE INDEX ON nn_t (org_id);
    INSERT INTO nn_t SELECT g, 1 + g % 2 FROM generate_series(1, 100) g;
    CREATE TABLE half_t (id int PRIMARY KEY, org_id int REFERENCES orgs);
    CREATE INDEX ON half_t (org_id);
    INSERT INTO half_t SELECT g, 1 FROM generate_series(1, 10) g;`);
  s = await db.session();
  await s.enableWrite();
});
afterAll(async () => db?.drop());

/** Apply only the first statement of the plan: the state a run killed right after it leaves behind. */
async function killedAfterFirst(table: string, steps: ('fk' | 'not-null')[]) {
  const p = await plan(table, steps);
  expect(p.statements[1]!.sql).toContain('VALIDATE CONSTRAINT');
  return applyContract(s, { ...p, statements: p.statements.slice(0, 1) });
}
const plan = async (table: string, steps: ('fk' | 'not-null')[]) => planContract(await loadModel(s, settings), `public.${table}`, steps, { session: s });
const validated = async (name: string) => (await db.exec('SELECT convalidated AS v FROM pg_constraint WHERE conname = $1', [name])).rows[0]?.v;

describe('contract resumes from the catalog', () => {
  it('an FK left NOT VALID by a run killed before its VALIDATE is validated by the rerun, not reported done; with orphans it fails, once fixed it passes', async () => {
    expect(await killedAfterFirst('fk_t', ['fk'])).toMatchObject({ applied: 1, failed: null });
    expect(await validated('fk_t_org_id_fkey')).toBe(false);

    const rerun = await plan('fk_t', ['fk']);
    expect(rerun.statements.map((x) => x.sql)).toEqual(['ALTER TABLE "public"."fk_t" VALIDATE CONSTRAINT "fk_t_org_id_fkey"']);
    const withOrphan = await applyContract(s, rerun);
    expect(withOrphan).toMatchObject({ applied: 0, failed: { code: '23503' } });
    expect(await validated('fk_t_org_id_fkey')).toBe(false);

    await db.exec('DELETE FROM fk_t WHERE org_id = 99');
    expect(await applyContract(s, await plan('fk_t', ['fk']))).toMatchObject({ applied: 1, failed: null });
    expect(await validated('fk_t_org_id_fkey')).toBe(true);
    expect((await plan('fk_t', ['fk'])).statements).toEqual([]);
  });

  it('a NOT NULL path killed before its VALIDATE is finished by the rerun (no "constraint already exists")', async () => {
    expect(await killedAfterFirst('nn_t', ['not-null'])).toMatchObject({ applied: 1, failed: null });
    const rerun = await plan('nn_t', ['not-null']);
    expect(rerun.statements.map((x) => x.sql)).toEqual([
      'ALTER TABLE "public"."nn_t" VALIDATE CONSTRAINT "nn_t_org_id_not_null"',
      'ALTER TABLE "public"."nn_t" ALTER COLUMN "org_id" SET NOT NULL',
      'ALTER TABLE "public"."nn_t" DROP CONSTRAINT "nn_t_org_id_not_null"',
    ]);
    expect(rerun.notes).toContain('nn_t_org_id_not_null exists already (NOT VALID, left by an interrupted run): validated, not re-created');
    expect(await applyContract(s, rerun)).toMatchObject({ applied: 3, failed: null });
    expect((await db.exec("SELECT attnotnull AS n FROM pg_attribute WHERE attrelid = 'nn_t'::regclass AND attname = 'org_id'")).rows[0].n).toBe(true);
    expect(await validated('nn_t_org_id_not_null')).toBeUndefined();
  });

  it('a NOT NULL path stopped after SET NOT NULL drops the helper check on the rerun', async () => {
    await db.exec(`ALTER TABLE half_t ADD CONSTRAINT half_t_org_id_not_null CHECK (org_id IS NOT NULL) NOT VALID;
      ALTER TABLE half_t VALIDATE CONSTRAINT half_t_org_id_not_null; ALTER TABLE half_t ALTER COLUMN org_id SET NOT NULL;`);
    const rerun = await plan('half_t', ['not-null']);
    expect(rerun.statements.map((x) => x.sql)).toEqual(['ALTER TABLE "public"."half_t" DROP CONSTRAINT "half_t_org_id_not_null"']);
    expect(await applyContract(s, rerun)).toMatchObject({ applied: 1, failed: null });
    expect(await validated('half_t_org_id_not_null')).toBeUndefined();
  });

  it('a column that is NOT NULL already plans nothing (PostgreSQL 18 names its NOT NULL constraint like the helper check)', async () => {
    await db.exec('CREATE TABLE nn_done (id int PRIMARY KEY, org_id int NOT NULL REFERENCES orgs); CREATE INDEX ON nn_done (org_id);');
    expect((await plan('nn_done', ['not-null'])).statements).toEqual([]);
  });

  it('Ctrl-C says which statements committed and how to finish', async () => {
    await db.exec('CREATE TABLE cc_t (id int PRIMARY KEY, org_id int REFERENCES orgs); CREATE INDEX ON cc_t (org_id); INSERT INTO cc_t VALUES (1, 1);');
    const ctl = new AbortController();
    const p = await plan('cc_t', ['not-null']);
    await expect(applyContract(s, p, { signal: ctl.signal, onStatement: (i, _sql, state) => i === 0 && state === 'done' && ctl.abort() }))
      .rejects.toThrow('cancelled by the operator: 1 statement(s) of the plan committed before the cancel stay; statement 2 did not start; run the same contract command again to finish (it plans from the catalog)');
    expect((await plan('cc_t', ['not-null'])).statements.map((x) => x.sql)[0]).toContain('VALIDATE CONSTRAINT');
  });
});
