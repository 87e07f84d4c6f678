/**
 * distribution/summary and distribution/tenantRows against real PostgreSQL, through dispatch as the
 * UI calls them: the summary's tenant totals and buckets equal the sums of distribution/get, a
 * tenant's rows equal its rows in the full answer, both answer from one kept count (a row deleted
 * afterwards shows only after `recount`), and more than two tenants is refused before counting.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DistributionSummary, TenantRows } from '../../shared/distribution-summary.js';
import type { Distribution } from '../../shared/findings.js';
import { loadScenario, type DemoDatabase } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { MemorySecretStore } from '../../main/engine/host/secret-store.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { createHostContext, type HostContext } from '../../main/handlers/context.js';
import { dispatch } from '../../main/handlers/dispatch.js';
import { HANDLERS } from '../../main/handlers/index.js';
import { tempConfigDir } from '../support/cli.js';
import { adminUrl } from '../support/db.js';
import fs from 'node:fs';

let db: DemoDatabase;
let ctx: HostContext;
let connectionId: string;

async function call<T>(name: string, payload: unknown): Promise<T> {
  const r = await dispatch(HANDLERS, ctx, name, payload);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

async function exec(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const sum = (rows: { rows: number }[]) => rows.reduce((a, r) => a + r.rows, 0);
const byTable = (rows: { schema: string; table: string; rows: number }[]) => rows.map((r) => `${r.schema}.${r.table}=${r.rows}`).sort();

beforeAll(async () => {
  db = await loadScenario(adminUrl(), demoScenario('drizzle')!, 800, { database: `dist_summary_${process.pid}`, reuse: false });
  ctx = createHostContext({
    mode: 'browser', version: 'test', configDir: tempConfigDir(), audit: () => undefined,
    secrets: new MemorySecretStore({ persistent: false, backend: 'memory', note: 'test' }),
    emit: () => undefined,
  });
  const { profile, urlPassword } = profileFromUrl(db.url, { name: 'drizzle' });
  connectionId = (await ctx.connections.connect(profile, urlPassword)).id;
});

afterAll(async () => {
  await ctx?.connections.closeAll();
  const root = new pg.Client({ connectionString: adminUrl() });
  await root.connect();
  await root.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db.database)} WITH (FORCE)`);
  await root.end();
  if (ctx) fs.rmSync(ctx.configDir, { recursive: true, force: true });
});

describe('distribution summary and tenant rows', () => {
  it('sums to the full distribution: every tenant\'s total, both buckets, the tables counted', async () => {
    const [full, summary] = await Promise.all([
      call<Distribution>('distribution/get', { connectionId }),
      call<DistributionSummary>('distribution/summary', { connectionId }),
    ]);
    expect(summary.tenants.length).toBe(full.tenants.length);
    expect(summary.tenants.length).toBeGreaterThan(1);
    for (const t of summary.tenants) {
      expect(t.rows, t.id).toBe(sum(full.rows.filter((r) => r.bucket === 'tenant' && r.tenant === t.id)));
      expect(t.name).toBe(full.tenants.find((f) => f.id === t.id)?.name);
    }
    expect(summary.tenants.map((t) => t.rows)).toEqual([...summary.tenants.map((t) => t.rows)].sort((a, b) => b - a));
    expect(sum(summary.tenants)).toBe(sum(full.rows.filter((r) => r.bucket === 'tenant')));
    expect(summary.noTenant).toEqual(full.noTenant);
    expect(sum(summary.noTenant)).toBeGreaterThan(0); // the demo plants NULL-organization lessons
    expect(summary.missingTenant).toEqual(full.missingTenant);
    expect(summary.tables).toBe(new Set(full.rows.map((r) => `${r.schema}.${r.table}`)).size);
  });

  it('answers one tenant\'s rows, and two compared, as the full distribution holds them', async () => {
    const full = await call<Distribution>('distribution/get', { connectionId });
    const summary = await call<DistributionSummary>('distribution/summary', { connectionId });
    const [big, second] = summary.tenants;
    const answer = await call<TenantRows>('distribution/tenantRows', { connectionId, tenants: [second!.id, big!.id] });
    expect(answer.countedAt).toBe(summary.countedAt);
    expect(answer.tenants.map((t) => t.id)).toEqual([second!.id, big!.id]);
    for (const t of answer.tenants) {
      const own = full.rows.filter((r) => r.bucket === 'tenant' && r.tenant === t.id);
      expect(own.length).toBeGreaterThan(0);
      expect(byTable(t.rows)).toEqual(byTable(own));
      expect(t.name).toBe(own[0]!.tenantName);
    }
    const unknown = await call<TenantRows>('distribution/tenantRows', { connectionId, tenants: ['no-such-tenant'] });
    expect(unknown.tenants).toEqual([{ id: 'no-such-tenant', name: null, rows: [] }]);
  });

  it('answers from the kept count until recount, which sees a row deleted since', async () => {
    const before = await call<DistributionSummary>('distribution/summary', { connectionId });
    const table = before.noTenant[0]!;
    const tenant = before.tenants[0]!;
    const rowsBefore = (await call<TenantRows>('distribution/tenantRows', { connectionId, tenants: [tenant.id] })).tenants[0]!.rows;
    // One no-tenant row deleted behind the console's back (the demo's tenant column is organization_id).
    const name = `${pg.escapeIdentifier(table.schema)}.${pg.escapeIdentifier(table.table)}`;
    await exec(`DELETE FROM ${name} WHERE ctid IN (SELECT ctid FROM ${name} WHERE organization_id IS NULL LIMIT 1)`);
    const kept = await call<DistributionSummary>('distribution/summary', { connectionId });
    expect(kept.countedAt).toBe(before.countedAt);
    expect(kept.noTenant).toEqual(before.noTenant);
    const recounted = await call<DistributionSummary>('distribution/summary', { connectionId, recount: true });
    expect(recounted.countedAt).not.toBe(before.countedAt);
    expect(sum(recounted.noTenant)).toBe(sum(before.noTenant) - 1);
    const after = await call<TenantRows>('distribution/tenantRows', { connectionId, tenants: [tenant.id] });
    expect(after.countedAt).toBe(recounted.countedAt);
    expect(byTable(after.tenants[0]!.rows)).toEqual(byTable(rowsBefore));
  });

  it('refuses no tenant or more than two before counting', async () => {
    await expect(call('distribution/tenantRows', { connectionId, tenants: [] })).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(call('distribution/tenantRows', { connectionId, tenants: ['1', '2', '3'] })).rejects.toMatchObject({ code: 'invalid-request' });
  });
});
