/**
 * Every way around RLS: a partition read directly while RLS is on the parent only, a view that runs
 * as its owner, a materialized view, a SECURITY DEFINER function. Planted on real PostgreSQL, each
 * shown to really leak as the app role, with a clean twin where nothing is found.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRun } from '../../shared/findings.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { loadModel } from '../../main/engine/model/load.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const suffix = crypto.randomBytes(4).toString('hex');
const plantedRole = `app ${suffix}`;
const cleanRole = `app_c_${suffix}`;
const rls = (t: string) => `
  ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${t} FORCE ROW LEVEL SECURITY;
  CREATE POLICY tenant ON ${t} USING (org_id = current_setting('app.tenant_id', true)::bigint);`;
const base = (role: string) => `
CREATE ROLE ${pg.escapeIdentifier(role)} NOLOGIN;
CREATE TABLE organizations (id bigint PRIMARY KEY, name text);
INSERT INTO organizations VALUES (1, 'A'), (2, 'B');
CREATE TABLE countries (code text PRIMARY KEY, name text);
CREATE TABLE "Orders" (id int PRIMARY KEY, org_id bigint NOT NULL REFERENCES organizations, total int);
CREATE INDEX ON "Orders" (org_id);
INSERT INTO "Orders" SELECT g, 1 + g % 2, g FROM generate_series(1, 10) g;
${rls('"Orders"')}
CREATE TABLE events (id int NOT NULL, org_id bigint NOT NULL REFERENCES organizations, PRIMARY KEY (id)) PARTITION BY RANGE (id);
CREATE TABLE events_low PARTITION OF events FOR VALUES FROM (0) TO (100);
CREATE TABLE events_high PARTITION OF events FOR VALUES FROM (100) TO (200) PARTITION BY RANGE (id);
CREATE TABLE events_high_a PARTITION OF events_high FOR VALUES FROM (100) TO (200);
CREATE INDEX ON events (org_id);
INSERT INTO events SELECT g, 1 + g % 2 FROM generate_series(0, 199, 7) g;
${rls('events')}
CREATE SCHEMA reporting;
CREATE FUNCTION country_name(c text) RETURNS text LANGUAGE sql SECURITY DEFINER AS $$ SELECT name FROM countries WHERE code = c $$;
CREATE FUNCTION my_order_total() RETURNS bigint LANGUAGE sql AS $$ SELECT sum(total) FROM "Orders" $$;
`;
const PLANTED = `${base(plantedRole)}
CREATE VIEW reporting."order totals" AS SELECT org_id, sum(total) AS total FROM "Orders" GROUP BY org_id;
CREATE VIEW reporting.big_orders AS SELECT * FROM reporting."order totals" WHERE total > 0;
CREATE MATERIALIZED VIEW order_snapshot AS SELECT * FROM "Orders";
CREATE FUNCTION order_total(o bigint) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN RETURN (SELECT sum(total) FROM public."Orders" WHERE org_id = o); END $$;
-- a SQL-standard body: no text to read, but pg_depend knows its tables
CREATE FUNCTION order_count() RETURNS bigint LANGUAGE sql SECURITY DEFINER BEGIN ATOMIC SELECT count(*) FROM "Orders"; END;
GRANT USAGE ON SCHEMA reporting TO ${pg.escapeIdentifier(plantedRole)};
GRANT SELECT ON ALL TABLES IN SCHEMA public, reporting TO ${pg.escapeIdentifier(plantedRole)};
ANALYZE;
`;
const CLEAN = `${base(cleanRole)}
${rls('events_low')}
${rls('events_high')}
${rls('events_high_a')}
CREATE VIEW reporting."order totals" WITH (security_invoker = true) AS SELECT org_id, sum(total) AS total FROM "Orders" GROUP BY org_id;
CREATE MATERIALIZED VIEW order_snapshot AS SELECT * FROM "Orders";
CREATE FUNCTION order_total(o bigint) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN RETURN (SELECT sum(total) FROM public."Orders" WHERE org_id = o); END $$;
REVOKE EXECUTE ON FUNCTION order_total(bigint) FROM PUBLIC;
GRANT USAGE ON SCHEMA reporting TO ${pg.escapeIdentifier(cleanRole)};
GRANT SELECT ON ALL TABLES IN SCHEMA public, reporting TO ${pg.escapeIdentifier(cleanRole)};
REVOKE ALL ON order_snapshot FROM ${pg.escapeIdentifier(cleanRole)};
ANALYZE;
`;

const BYPASS = ['rls-partition-bypass', 'rls-view-bypass', 'rls-matview-bypass', 'rls-definer-function'];
const key = (f: { check: string; schema: string; table: string; constraint?: string }) => `${f.check} ${f.schema}.${f.table}${f.constraint ? ` ${f.constraint}` : ''}`;

let planted: TestDatabase;
let clean: TestDatabase;
beforeAll(async () => {
  planted = await createTestDatabase(PLANTED);
  clean = await createTestDatabase(CLEAN);
});
afterAll(async () => {
  await planted?.drop();
  await clean?.drop();
  for (const r of [plantedRole, cleanRole]) await planted?.exec(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(r)}`).catch(() => undefined);
});

async function check(db: TestDatabase, role?: string, mode: 'exact' | 'estimate' = 'estimate'): Promise<CheckRun> {
  const s = await db.session();
  const model = await loadModel(s, { globalTables: ['public.countries'] });
  return runChecks(s, model, { mode, ...(role ? { rlsRole: role, rlsSetting: 'app.tenant_id', rlsTenant: '1' } : {}) });
}

/** Rows of tenant 2 the app role sees, as tenant 1, through `from`. */
async function otherTenantRows(db: TestDatabase, role: string, from: string): Promise<number> {
  await db.exec('BEGIN');
  try {
    await db.exec(`SET LOCAL ROLE ${pg.escapeIdentifier(role)}`);
    await db.exec("SELECT set_config('app.tenant_id', '1', true)");
    const { rows } = await db.exec(`SELECT count(*)::int AS n FROM ${from} WHERE org_id <> 1`);
    return rows[0].n as number;
  } finally {
    await db.exec('ROLLBACK');
  }
}

describe('ways around RLS', () => {
  let run: CheckRun;
  beforeAll(async () => {
    run = await check(planted, plantedRole);
  });

  it('finds each planted bypass once, from the catalogs (estimate mode)', () => {
    expect(run.findings.filter((f) => BYPASS.includes(f.check)).map(key).sort()).toEqual([
      'rls-definer-function public.order_count order_count()',
      'rls-definer-function public.order_total order_total(o bigint)',
      'rls-matview-bypass public.order_snapshot',
      'rls-partition-bypass public.events_high',
      'rls-partition-bypass public.events_high_a',
      'rls-partition-bypass public.events_low',
      'rls-view-bypass reporting.big_orders',
      'rls-view-bypass reporting.order totals',
    ]);
    for (const fn of run.findings.filter((f) => f.check === 'rls-definer-function')) {
      expect(fn.severity).toBe('warning');
      expect(fn.message).toContain('its body names public.Orders');
    }
  });

  it('each one really leaks another tenant\'s rows to the app role, and its evidence SQL shows why', async () => {
    expect(await otherTenantRows(planted, plantedRole, 'events')).toBe(0);
    expect(await otherTenantRows(planted, plantedRole, 'events_low')).toBeGreaterThan(0);
    expect(await otherTenantRows(planted, plantedRole, 'events_high_a')).toBeGreaterThan(0);
    expect(await otherTenantRows(planted, plantedRole, '"Orders"')).toBe(0);
    expect(await otherTenantRows(planted, plantedRole, 'reporting."order totals"')).toBe(1);
    expect(await otherTenantRows(planted, plantedRole, 'order_snapshot')).toBe(5);
    const part = run.findings.find((f) => f.check === 'rls-partition-bypass' && f.table === 'events_low')!;
    expect((await planted.exec(part.sql)).rows).toEqual([expect.objectContaining({ relation: 'events_low', relrowsecurity: false, readable_by_app: true })]);
    const fn = run.findings.find((f) => f.check === 'rls-definer-function' && f.table === 'order_total')!;
    expect((await planted.exec(fn.sql)).rows).toEqual([expect.objectContaining({ prosecdef: true, executable_by_app: true })]);
  });

  it('remedies as printed remove every finding', async () => {
    for (const f of run.findings.filter((x) => BYPASS.includes(x.check))) await planted.exec(f.remedy!);
    const after = await check(planted, plantedRole);
    expect(after.findings.filter((f) => BYPASS.includes(f.check)).map(key)).toEqual([]);
    expect(await otherTenantRows(planted, plantedRole, 'reporting."order totals"')).toBe(0);
  });

  it('the clean twin yields nothing, probe included, and nothing is listed as not checked', async () => {
    const res = await check(clean, cleanRole, 'exact');
    expect(res.findings.map(key)).toEqual([]);
    expect(res.skipped).toEqual([]);
  });

  it('without an app role the objects are listed as not checked, never passed', async () => {
    const db = await createTestDatabase(PLANTED.replace(`CREATE ROLE ${pg.escapeIdentifier(plantedRole)} NOLOGIN;`, '').replaceAll(pg.escapeIdentifier(plantedRole), 'PUBLIC'));
    try {
      const res = await check(db);
      expect(res.findings.filter((f) => BYPASS.includes(f.check))).toEqual([]);
      expect(res.skipped.map((s) => `${s.schema}.${s.table}`).sort()).toEqual([
        'public.events_high', 'public.events_high_a', 'public.events_low', 'public.order_count()', 'public.order_snapshot', 'public.order_total(o bigint)',
        'reporting.big_orders', 'reporting.order totals',
      ]);
      expect(res.skipped[0]!.reason).toContain('needs --rls-role');
    } finally {
      await db.drop();
    }
  });
});
