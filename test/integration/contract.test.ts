import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyContract, parseSteps, planContract } from '../../main/engine/contract/apply.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { loadModel } from '../../main/engine/model/load.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const FIXTURE = `
  CREATE SCHEMA "App; x";
  SET search_path = "App; x";
  CREATE TABLE orgs (id int PRIMARY KEY, name text);
  INSERT INTO orgs SELECT g, 'Org ' || g FROM generate_series(1, 3) g;
  CREATE TABLE "Parent ""P""" (id int PRIMARY KEY, org_id int NOT NULL REFERENCES orgs, code text);
  CREATE INDEX ON "Parent ""P""" (org_id);
  INSERT INTO "Parent ""P""" SELECT g, 1 + g % 3, 'c' || g FROM generate_series(1, 30) g;
  CREATE TABLE "Child ü" (id int PRIMARY KEY, "parent Id" int REFERENCES "Parent ""P""", org_id int DEFAULT 1, "Code" text CONSTRAINT "Child ü_Code_key" UNIQUE, slug text);
  CREATE UNIQUE INDEX "child slug; idx" ON "Child ü" (slug);
  CREATE INDEX ON "Child ü" (org_id);
  ALTER TABLE "Child ü" ADD FOREIGN KEY (org_id) REFERENCES orgs;
  INSERT INTO "Child ü" SELECT g, 1 + g % 30, 1 + (1 + g % 30) % 3, 'code' || g, 's' || g FROM generate_series(1, 200) g;
  CREATE POLICY own_rows ON "Child ü" USING (true);
`;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
});
afterAll(async () => {
  cleanCli();
  await db?.drop();
});

const settings = { schemas: ['App; x'], tenantTable: '"App; x".orgs', tenantColumn: 'org_id' };

describe('contract helpers', () => {
  it('plans every step from the model, lint-clean, and applying it clears the findings', async () => {
    const s = await db.session();
    const model = await loadModel(s, settings);
    const plan = await planContract(model, '"App; x"."Child ü"', parseSteps('all'), { rlsSetting: 'app.org' });
    const sql = plan.statements.map((x) => x.sql);
    expect(sql).toEqual([
      'ALTER TABLE "App; x"."Child ü" ALTER COLUMN "org_id" DROP DEFAULT',
      'ALTER TABLE "App; x"."Child ü" ADD CONSTRAINT "Child ü_org_id_not_null" CHECK ("org_id" IS NOT NULL) NOT VALID',
      'ALTER TABLE "App; x"."Child ü" VALIDATE CONSTRAINT "Child ü_org_id_not_null"',
      'ALTER TABLE "App; x"."Child ü" ALTER COLUMN "org_id" SET NOT NULL',
      'ALTER TABLE "App; x"."Child ü" DROP CONSTRAINT "Child ü_org_id_not_null"',
      'CREATE UNIQUE INDEX CONCURRENTLY "Child ü_Code_tenant_key" ON "App; x"."Child ü" ("org_id", "Code")',
      'ALTER TABLE "App; x"."Child ü" DROP CONSTRAINT "Child ü_Code_key", ADD CONSTRAINT "Child ü_Code_tenant_key" UNIQUE USING INDEX "Child ü_Code_tenant_key"',
      'CREATE UNIQUE INDEX CONCURRENTLY "child slug; idx_tenant_key" ON "App; x"."Child ü" ("org_id", "slug")',
      'DROP INDEX CONCURRENTLY "App; x"."child slug; idx"',
      'CREATE UNIQUE INDEX CONCURRENTLY "Parent ""P""_org_id_id_key" ON "App; x"."Parent ""P""" ("org_id", "id")',
      'ALTER TABLE "App; x"."Parent ""P""" ADD CONSTRAINT "Parent ""P""_org_id_id_key" UNIQUE USING INDEX "Parent ""P""_org_id_id_key"',
      'ALTER TABLE "App; x"."Child ü" ADD CONSTRAINT "Child ü_parent Id_fkey_tenant" FOREIGN KEY ("org_id", "parent Id") REFERENCES "App; x"."Parent ""P""" ("org_id", "id") NOT VALID',
      'ALTER TABLE "App; x"."Child ü" VALIDATE CONSTRAINT "Child ü_parent Id_fkey_tenant"',
      'ALTER TABLE "App; x"."Child ü" ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE "App; x"."Child ü" FORCE ROW LEVEL SECURITY',
      `CREATE POLICY "Child ü_tenant_isolation" ON "App; x"."Child ü" AS RESTRICTIVE FOR ALL TO PUBLIC USING ("org_id" = nullif(current_setting('app.org', true), '')::integer) WITH CHECK ("org_id" = nullif(current_setting('app.org', true), '')::integer)`,
    ]);
    expect(plan.statements.filter((x) => x.outsideTransaction)).toHaveLength(4);
    expect(plan.lint.filter((f) => f.severity === 'error')).toEqual([]);

    await s.enableWrite();
    const r = await applyContract(s, plan);
    expect(r.failed).toBeNull();
    expect(r.applied).toBe(16);
    const after = await loadModel(s, settings);
    const run = await runChecks(s, after, { mode: 'exact' });
    const left = run.findings.filter((f) => f.table === 'Child ü').map((f) => f.check);
    expect(left).toEqual(['rls-policy-unscoped']); // own_rows USING (true) stays; the RESTRICTIVE policy scopes it
    // The tenant rules hold: no insert without a tenant, no child pointing at another tenant's parent.
    await expect(db.exec(`INSERT INTO "App; x"."Child ü" (id, "parent Id") VALUES (999, 1)`)).rejects.toThrow(/null value in column "org_id"/);
    await expect(db.exec(`INSERT INTO "App; x"."Child ü" (id, "parent Id", org_id) VALUES (999, 1, 3)`)).rejects.toThrow(/Child ü_parent Id_fkey_tenant/);
    await db.exec(`INSERT INTO "App; x"."Child ü" (id, "parent Id", org_id, "Code") VALUES (999, 1, 2, 'code1')`);
    // Planning again finds nothing left to do.
    expect((await planContract(after, '"App; x"."Child ü"', parseSteps('all'))).statements.map((x) => x.sql)).toEqual([]);
    await s.close();
  });

  it('a failed VALIDATE stops the plan, names the statement, and leaves the NOT VALID check for a retry', async () => {
    await db.exec(`CREATE TABLE "App; x".loose (id int PRIMARY KEY, org_id int REFERENCES "App; x".orgs); INSERT INTO "App; x".loose VALUES (1, 1), (2, NULL);`);
    const s = await db.session();
    await s.enableWrite();
    const plan = await planContract(await loadModel(s, settings), '"App; x".loose', ['not-null']);
    const r = await applyContract(s, plan);
    expect(r).toMatchObject({ applied: 1, failed: { index: 1, code: '23514' } });
    expect(r.failed!.sql).toContain('VALIDATE CONSTRAINT');
    await s.close();
  });

  it('tenancy contract --plan shows, --write runs; bad steps are one line', async () => {
    const env = { TENANCY_CONFIG_DIR: tempConfigDir() };
    await db.exec(`CREATE TABLE "App; x".d (id int PRIMARY KEY, org_id int DEFAULT 1 REFERENCES "App; x".orgs); CREATE INDEX ON "App; x".d (org_id);`);
    const args = ['--url', db.url, '--schema', 'App; x', '--tenant-table', '"App; x".orgs', '--tenant-column', 'org_id', '--table', '"App; x".d', '--step', 'defaults'];
    const plan = await runTenancy(['contract', ...args, '--plan'], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('1. [defaults] -- drop the bootstrap default 1');
    expect(plan.stdout).toContain('ALTER TABLE "App; x"."d" ALTER COLUMN "org_id" DROP DEFAULT;');
    const run = await runTenancy(['contract', ...args, '--write'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('applied 1 statement(s)');
    expect((await db.exec(`SELECT column_default FROM information_schema.columns WHERE table_name = 'd' AND column_name = 'org_id'`)).rows[0].column_default).toBeNull();
    const bad = await runTenancy(['contract', ...args.slice(0, -2), '--step', 'nulls'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--step "nulls": use defaults, not-null, unique, fk, rls or all');
  });
});
