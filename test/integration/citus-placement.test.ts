/**
 * Distribution on a real Citus cluster (TENANCY_CITUS_URL): each tenant's shard and worker (checked
 * against where its rows physically are), shard sizes and skew, the tenant that dominates a shard,
 * activity from citus_stat_tenants, and the exact check's GROUP BY pushed down to the workers.
 * Skipped loudly without Citus; the single-server refusal runs everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_OUTPUT } from '../../shared/cli-output.js';
import type { TenancyModel } from '../../shared/model.js';
import type { Placement } from '../../shared/placement.js';
import { scanTableSql } from '../../main/engine/checks/scan.js';
import { loadModel } from '../../main/engine/model/load.js';
import { computePlacement } from '../../main/engine/placement.js';
import type { Session } from '../../main/engine/session.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { citusUrl, createCitusSchema, type CitusSchema } from '../support/citus.js';
import { createTestDatabase } from '../support/db.js';
import { CITUS_CLEAN } from './fixtures/citus.js';

const url = await citusUrl('Citus placement and pushdown (test/integration/citus-placement.test.ts)');

describe('placement on a single server', () => {
  it('refuses with one line: there are no shards to place tenants on', async () => {
    const db = await createTestDatabase(`CREATE TABLE orgs (id bigint PRIMARY KEY, name text); CREATE TABLE projects (id bigint PRIMARY KEY, org_id bigint NOT NULL REFERENCES orgs(id));`);
    try {
      const s = await db.session();
      const model = await loadModel(s, {});
      expect(model.cluster).toBeNull();
      expect(model.tables.every((t) => t.citus === null)).toBe(true);
      await expect(computePlacement(s, model)).rejects.toThrow(/is not a Citus cluster \(no citus extension in this database\)/);
    } finally {
      await db.drop();
    }
  });
});

describe.skipIf(!url)('Citus: placement per tenant', () => {
  let c: CitusSchema;
  let session: Session;
  let model: TenancyModel;
  let p: Placement;

  beforeAll(async () => {
    c = await createCitusSchema(url!, CITUS_CLEAN);
    // Router queries for tenant 2, which citus_stat_tenants records (citus.stat_tenants_track = all).
    for (let i = 0; i < 3; i++) await c.exec('SELECT count(*) FROM projects WHERE org_id = 2');
    session = await c.session();
    model = await loadModel(session, { schemas: [c.schema] });
    p = await computePlacement(session, model);
  });
  afterAll(async () => {
    await c?.drop();
    cleanCli();
  });

  it('tenancy distribution --placement prints the same object with --format json, and a table for humans', async () => {
    const env = { TENANCY_CONFIG_DIR: tempConfigDir() };
    const args = ['distribution', '--placement', '--url', url!, '--schema', c.schema];
    const json = await runTenancy([...args, '--format', 'json'], env);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as Placement;
    // The distribution schema is a union: a placement parses as its second member, not as rows per tenant.
    expect(CLI_OUTPUT.distribution.options[0].safeParse(out).success).toBe(false);
    expect(CLI_OUTPUT.distribution.options[1].safeParse(out).success).toBe(true);
    expect(out.tenants.map((t) => [t.tenant, t.shardId, t.node, t.rows])).toEqual(p.tenants.map((t) => [t.tenant, t.shardId, t.node, t.rows]));
    expect(out.dominant.map((d) => d.tenant)).toEqual(['1']);
    const human = await runTenancy(args, env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Placement by .*\.orgs \(co-location group \d+; rows over /);
    expect(human.stdout).toMatch(/dominant: tenant 1 \(org 1\) holds 92% of shard \d+ on 127\.0\.0\.1:\d+: SELECT isolate_tenant_to_new_shard/);
  });

  it('places every tenant on the shard and worker that physically hold its rows', async () => {
    expect(p.anchor).toBe(`${c.schema}.orgs`);
    expect(p.tables.sort()).toEqual([`${c.schema}.projects`, `${c.schema}.tasks`]);
    expect(p.tenants).toHaveLength(6);
    for (const t of p.tenants) {
      const { rows } = await c.exec(
        `SELECT nodename || ':' || nodeport AS node, result FROM run_command_on_placements('projects', $$SELECT count(*) FROM %s WHERE org_id = ${Number(t.tenant)}$$) WHERE result::int > 0`,
      );
      expect(rows).toEqual([{ node: t.node, result: String(t.tenant === '1' ? 6500 : 500) }]);
    }
    expect(p.tenants[0]).toMatchObject({ tenant: '1', name: 'org 1', rows: 6600 });
    expect(p.tenants.slice(1).every((t) => t.rows === 600)).toBe(true);
  });

  it('gives shard sizes and skew, and names the dominant tenant with isolate_tenant_to_new_shard', () => {
    expect(p.shards).toHaveLength(4);
    expect(p.shards.reduce((a, s) => a + s.rows, 0)).toBe(6600 + 5 * 600);
    expect(p.shards.every((s) => s.sizeBytes > 0)).toBe(true);
    const hot = p.shards.find((s) => s.shardId === p.tenants[0]!.shardId)!;
    expect(p.skew.largestShard).toBe(hot.shardId);
    expect(p.skew.rowsRatio).toBeCloseTo(hot.rows / (9600 / 4), 5);
    expect(p.skew.sizeRatio).toBeGreaterThan(1.5);
    // Only org 1: tenants splitting a small shard evenly, or alone on theirs, dominate nothing.
    expect(p.dominant.map((d) => d.tenant)).toEqual(['1']);
    expect(p.dominant[0]!.remedy).toContain(`isolate_tenant_to_new_shard('"${c.schema}"."orgs"', '1'::bigint, cascade_option => 'CASCADE')`);
  });

  it('reports per-tenant activity from citus_stat_tenants', () => {
    expect(p.activity).toMatchObject({ tracking: 'all', enabled: true });
    const two = p.activity.rows.filter((a) => a.tenant === '2');
    expect(two.reduce((a, r) => a + r.queriesThisPeriod + r.queriesLastPeriod, 0)).toBeGreaterThanOrEqual(3);
  });

  it("pushes the exact check's per-tenant GROUP BY down to the workers", async () => {
    const projects = model.tables.find((t) => t.table === 'projects')!;
    const { rows } = await session.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${scanTableSql(projects, 'org_id')}`);
    const plan = rows.map((r) => r['QUERY PLAN']);
    // Nothing aggregates above the Citus scan: each of the 4 tasks groups its own shard on a worker.
    expect(plan[0]).toMatch(/^Custom Scan \(Citus Adaptive\)/);
    expect(plan.join('\n')).toMatch(/Task Count: 4/);
    const task = plan.findIndex((l) => /-> {2}Task/.test(l));
    expect(plan.slice(task).join('\n')).toMatch(/Aggregate[\s\S]*Group Key: org_id/);
  });
});
