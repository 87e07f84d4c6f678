import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../shared/checks.js';
import type { CheckRun } from '../../shared/findings.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { loadModel } from '../../main/engine/model/load.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { INVALID_INDEX_SQL, cleanSql, defectsSql } from './fixtures/tenancy.js';

const role = `app_${crypto.randomBytes(4).toString('hex')}`;
let defects: TestDatabase;
let clean: TestDatabase;

beforeAll(async () => {
  defects = await createTestDatabase(defectsSql(role));
  await defects.exec(INVALID_INDEX_SQL).catch(() => undefined);
  clean = await createTestDatabase(cleanSql(`${role}_c`));
});
afterAll(async () => {
  await defects?.drop();
  await clean?.drop();
  await defects?.exec(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
});

async function run(db: TestDatabase, mode: 'exact' | 'estimate', probeRole?: string): Promise<CheckRun> {
  const s = await db.session();
  const model = await loadModel(s, { globalTables: ['public.countries'] });
  return runChecks(s, model, { mode, ...(probeRole ? { rlsRole: probeRole, rlsSetting: 'app.tenant_id', rlsTenant: '1' } : {}) });
}

const key = (f: { check: string; table: string; constraint?: string }) => `${f.check} ${f.table}${f.constraint ? ` ${f.constraint}` : ''}`;

describe('checks on the defects fixture', () => {
  let result: CheckRun;
  beforeAll(async () => {
    result = await run(defects, 'exact', role);
  });

  it('finds exactly the planted defects, one finding each', () => {
    expect(result.findings.map(key).sort()).toEqual([
      'cross-tenant-reference comments comments_project_id_fkey',
      'isolation-leak logs',
      'isolation-leak measurements_1',
      'isolation-leak measurements_2',
      'isolation-leak open_tasks',
      'isolation-leak users',
      'null-tenant-rows measurements',
      'null-tenant-rows tasks',
      'orphan-tenant-rows invoices',
      'rls-disabled logs',
      'rls-no-policy events',
      'rls-not-forced invoices',
      'rls-partition-bypass measurements_1',
      'rls-partition-bypass measurements_2',
      'rls-policy-unscoped users everyone',
      'rls-view-bypass open_tasks',
      'tenant-column-default tasks',
      'tenant-column-missing notes',
      'tenant-column-nullable measurements',
      'tenant-column-nullable tasks',
      'tenant-fk-missing invoices',
      'tenant-fk-not-validated audit_entries audit_entries_org_id_fkey',
      'tenant-index-missing events',
      'tenant-index-missing logs',
      'unscoped-unique users users_email_key',
      'unscoped-unique users users_lower_email_idx',
      'unscoped-unique users users_username_incl_idx',
    ]);
    // Materialized views and SECURITY DEFINER functions are planted in checks-rls-bypass.test.ts;
    // the Citus checks in citus-checks.test.ts (on a cluster: a single server has nothing to distribute).
    const elsewhere = new Set(['rls-matview-bypass', 'rls-definer-function', 'citus-local-tenant-table', 'citus-distributed-by-other-column', 'citus-not-colocated', 'citus-global-not-reference']);
    expect(new Set(result.findings.map((f) => f.check))).toEqual(new Set(CHECK_IDS.filter((id) => !elsewhere.has(id))));
  });

  it('counts rows exactly, partitions folded into their parent', () => {
    const count = (check: string, table: string) => result.findings.find((f) => f.check === check && f.table === table)?.count;
    expect(count('null-tenant-rows', 'tasks')).toBe(10);
    expect(count('null-tenant-rows', 'measurements')).toBe(3);
    expect(count('orphan-tenant-rows', 'invoices')).toBe(7);
    expect(count('cross-tenant-reference', 'comments')).toBe(4);
    expect(result.tables.find((t) => t.table === 'measurements')).toMatchObject({ rows: 200, nullTenant: 3 });
    expect(result.tables.map((t) => t.table)).not.toContain('measurements_1');
    expect(result.tables.map((t) => t.table)).not.toContain('open_tasks');
  });

  it('probes the partitions and views of tenant tables too, with counts its evidence reproduces', async () => {
    // Tenant 1 is probed; what the app role sees directly in each relation, counted as the superuser.
    const others = async (rel: string) => Number((await defects.exec(`SELECT count(*) FROM ${rel} WHERE org_id IS DISTINCT FROM 1`)).rows[0].count);
    for (const [rel, kind] of [['measurements_1', 'partition'], ['measurements_2', 'partition'], ['open_tasks', 'view']] as const) {
      const f = result.findings.find((x) => x.check === 'isolation-leak' && x.table === rel)!;
      expect(f.count).toBe(await others(rel));
      expect(f.message).toContain(`(${kind} of public.${kind === 'view' ? 'tasks' : 'measurements'})`);
      expect(Object.keys(f.sample![0]!)).toEqual(['id', 'org_id']);
      const steps = (await defects.exec(f.sql)) as unknown as { rows: { count?: string }[] }[];
      expect(Number(steps.find((r) => r.rows[0]?.count !== undefined)!.rows[0]!.count)).toBe(f.count);
    }
    expect(result.findings.find((x) => x.check === 'isolation-leak' && x.table === 'open_tasks')!.remedy).toContain('SET (security_invoker = true)');
    // Through the parent the policy applies: no leak on measurements itself.
    expect(result.findings.filter((x) => x.check === 'isolation-leak' && x.table === 'measurements')).toEqual([]);
  });

  it('gives samples with primary keys, evidence SQL that reproduces the count, and a remedy', async () => {
    const nulls = result.findings.find((f) => f.check === 'null-tenant-rows' && f.table === 'tasks')!;
    expect(nulls.sample).toHaveLength(5);
    expect(Object.keys(nulls.sample![0]!)).toEqual(['id']);
    const evidence = await defects.exec(nulls.sql);
    expect(Number(evidence.rows[0].count)).toBe(10);
    expect(nulls.remedy).toContain('UPDATE "public"."tasks"');

    const cross = result.findings.find((f) => f.check === 'cross-tenant-reference')!;
    expect(cross.sample).toHaveLength(2);
    for (const row of cross.sample!) expect(row.org_id).not.toBe(row['parent.org_id']);
    expect(Number((await defects.exec(cross.sql)).rows[0].count)).toBe(4);

    const orphan = result.findings.find((f) => f.check === 'orphan-tenant-rows')!;
    expect(orphan.sample!.every((r) => r.org_id === '99')).toBe(true);
    expect((await defects.exec(orphan.sql)).rows).toEqual([{ org_id: '99', count: '7' }]);
  });

  it('validates a NOT VALID tenant FK with the remedy it prints', async () => {
    const f = result.findings.find((x) => x.check === 'tenant-fk-not-validated')!;
    expect(f.remedy).toMatch(/^ALTER TABLE "public"\."audit_entries" VALIDATE CONSTRAINT "audit_entries_org_id_fkey";/);
    const evidence = await defects.exec(f.sql);
    expect(evidence.rows.map((r) => r.conname)).toContain('audit_entries_org_id_fkey');
    await defects.exec(f.remedy!);
    const after = await run(defects, 'estimate');
    expect(after.findings.filter((x) => x.check === 'tenant-fk-not-validated')).toEqual([]);
  });

  it('suggests remedies that actually fix the catalog findings', async () => {
    const nullable = result.findings.find((f) => f.check === 'tenant-column-nullable' && f.table === 'tasks')!;
    const dflt = result.findings.find((f) => f.check === 'tenant-column-default' && f.table === 'tasks')!;
    await defects.exec('UPDATE tasks SET org_id = 1 WHERE org_id IS NULL');
    await defects.exec(nullable.remedy!);
    await defects.exec(dflt.remedy!);
    const after = await run(defects, 'exact');
    expect(after.findings.filter((f) => f.table === 'tasks').map((f) => f.check)).toEqual([]);
  });

  it('estimate mode uses statistics only and labels its counts as estimates', async () => {
    const est = await run(defects, 'estimate');
    const nulls = est.findings.filter((f) => f.check === 'null-tenant-rows');
    expect(nulls.map((f) => f.table).sort()).toEqual(['measurements']);
    expect(nulls[0]).toMatchObject({ estimate: true, count: 3 });
    expect(est.findings.some((f) => f.check === 'orphan-tenant-rows' || f.check === 'cross-tenant-reference')).toBe(false);
    expect(est.tables.every((t) => t.estimate)).toBe(true);
  });
});

describe('checks on the clean twin', () => {
  it('finds nothing, probe included', async () => {
    const result = await run(clean, 'exact', `${role}_c`);
    expect(result.findings.map(key)).toEqual([]);
    expect(result.skipped).toEqual([]);
    await clean.exec(`DROP OWNED BY ${role}_c; DROP ROLE ${role}_c`);
  });
});
