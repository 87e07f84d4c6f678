/**
 * On a real Citus cluster (TENANCY_CITUS_URL): the model's roles, placements, sizes and estimates
 * from the shards, and each Citus check planted once, with a clean twin (the same application
 * properly distributed and co-located) that yields none. Skipped loudly without Citus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRun } from '../../shared/findings.js';
import type { TenancyModel } from '../../shared/model.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { loadModel } from '../../main/engine/model/load.js';
import { citusUrl, createCitusSchema, type CitusSchema } from '../support/citus.js';
import { CITUS_CHECKS, CITUS_CLEAN, CITUS_DEFECTS, CITUS_DEFECT_GLOBALS } from './fixtures/citus.js';

const url = await citusUrl('Citus model and checks (test/integration/citus-checks.test.ts)');

describe.skipIf(!url)('Citus: model and checks', () => {
  let defects: CitusSchema;
  let clean: CitusSchema;
  let model: TenancyModel;
  let run: CheckRun;
  let cleanRun: CheckRun;

  beforeAll(async () => {
    defects = await createCitusSchema(url!, CITUS_DEFECTS);
    clean = await createCitusSchema(url!, CITUS_CLEAN);
    const s = await defects.session();
    model = await loadModel(s, { schemas: [defects.schema], globalTables: CITUS_DEFECT_GLOBALS.map((t) => `${defects.schema}.${t}`) });
    run = await runChecks(s, model, { mode: 'exact' });
    const c = await clean.session();
    cleanRun = await runChecks(c, await loadModel(c, { schemas: [clean.schema] }), { mode: 'exact' });
  });
  afterAll(async () => {
    await defects?.drop();
    await clean?.drop();
  });

  const table = (name: string) => model.tables.find((t) => t.table === name)!;

  it('knows each table local, distributed (column, group, shards) or reference; reference tables are global', () => {
    expect(model.cluster).toMatchObject({ workers: 2 });
    expect(table('orgs')).toMatchObject({ role: 'tenant-table', citus: { kind: 'distributed', distributionColumn: 'id', shardCount: 4 } });
    expect(table('projects').citus).toMatchObject({ kind: 'distributed', distributionColumn: 'org_id', colocationId: table('orgs').citus!.colocationId });
    expect(table('notes').citus!.colocationId).not.toBe(table('orgs').citus!.colocationId);
    expect(table('plans')).toMatchObject({ role: 'global', roleReason: expect.stringContaining('reference table'), citus: { kind: 'reference', shardCount: 1 } });
    expect(table('tasks').citus).toMatchObject({ kind: 'local', distributionColumn: null, shardCount: 0 });
  });

  it('reads sizes and row estimates from the shards, not the empty shell tables', async () => {
    expect(table('projects').estimatedRows).toBe(9000);
    expect(table('plans').estimatedRows).toBe(2);
    const { rows } = await defects.exec(`SELECT citus_relation_size('projects') AS low, citus_total_relation_size('projects') AS high`);
    expect(table('projects').sizeBytes).toBeGreaterThanOrEqual(Number(rows[0].low));
    expect(table('projects').sizeBytes).toBeLessThanOrEqual(Number(rows[0].high));
    // The coordinator's shell of projects holds nothing: its own statistics would say 0 rows.
    const shell = await defects.exec(`SELECT reltuples FROM pg_class WHERE oid = 'projects'::regclass`);
    expect(Number(shell.rows[0].reltuples)).toBeLessThan(1);
  });

  it("leaves Citus's own schemas out of the default scope", async () => {
    const s = await defects.session();
    const whole = await loadModel(s, {});
    expect(whole.schemas).not.toContain('citus');
    expect(whole.schemas).not.toContain('citus_internal');
    expect(whole.schemas).not.toContain('columnar');
    expect(whole.detection.notes.join('\n')).toMatch(/platform schemas left out of scope: .*citus/);
  });

  it('finds each planted Citus defect once, with evidence and a remedy', async () => {
    const citus = run.findings.filter((f) => CITUS_CHECKS.includes(f.check)).map((f) => `${f.check} ${f.table}`).sort();
    expect(citus).toEqual([
      'citus-distributed-by-other-column events',
      'citus-global-not-reference countries',
      'citus-global-not-reference currencies',
      'citus-local-tenant-table tasks',
      'citus-not-colocated notes',
    ]);
    const local = run.findings.find((f) => f.check === 'citus-local-tenant-table')!;
    expect(local.remedy).toContain(`create_distributed_table('"${defects.schema}"."tasks"', 'org_id', colocate_with => '"${defects.schema}"."orgs"')`);
    const evidence = await defects.exec(run.findings.find((f) => f.check === 'citus-distributed-by-other-column')!.sql);
    expect(evidence.rows[0]).toMatchObject({ partmethod: 'h', distribution_column: 'id' });
    expect(run.findings.find((f) => f.check === 'citus-global-not-reference' && f.table === 'currencies')!.remedy).toContain('create_reference_table');
    // plans is a reference table: global by definition, not tenant-column-missing.
    expect(run.findings.filter((f) => f.table === 'plans')).toEqual([]);
  });

  it('the clean twin (reference tables, tenant table, co-located tenant tables) yields none', () => {
    expect(cleanRun.findings.filter((f) => CITUS_CHECKS.includes(f.check))).toEqual([]);
    expect(cleanRun.findings.filter((f) => f.check === 'tenant-column-missing')).toEqual([]);
  });

  it('counts rows exactly through the coordinator (the exact checks ran on every table)', () => {
    expect(cleanRun.tables.find((t) => t.table === 'projects')).toMatchObject({ rows: 9000, nullTenant: 0, estimate: false });
    expect(cleanRun.tables.find((t) => t.table === 'tasks')).toMatchObject({ rows: 600, estimate: false });
    expect(cleanRun.skipped).toEqual([]);
  });
});
