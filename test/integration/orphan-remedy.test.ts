/**
 * Orphan rows of deleted tenants: the remedy offers the quarantine first and says plainly what a
 * reassignment does; one tenant's distribution keeps the missing-tenant bucket and `--tenant`
 * takes a name or slug (an ambiguous name lists the matches); the orphan rows themselves, paged.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../main/engine/checks/run.js';
import { computeDistribution } from '../../main/engine/distribution.js';
import { loadModel } from '../../main/engine/model/load.js';
import { browseOrphanRows } from '../../main/engine/orphan-rows.js';
import { DistributionSchema } from '../../shared/findings.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const fixture = (orphans: boolean) => `
CREATE TABLE orgs (id int PRIMARY KEY, name text NOT NULL, slug text NOT NULL);
INSERT INTO orgs VALUES (1, 'Acme', 'acme'), (2, 'Globex', 'globex-corp'), (3, 'Umbrella', 'umbrella-eu'), (4, 'Umbrella', 'umbrella-us');
CREATE TABLE tasks (id int PRIMARY KEY, org_id int NOT NULL);
CREATE INDEX ON tasks (org_id);
INSERT INTO tasks SELECT g, 1 + g % 4 FROM generate_series(1, 40) g;
${orphans ? 'INSERT INTO tasks VALUES (101, 7), (102, 7), (103, 8), (104, 9), (105, 9), (106, 9);' : ''}
`;

let planted: TestDatabase;
let clean: TestDatabase;
let configDir: string;
const env = () => ({ TENANCY_CONFIG_DIR: configDir });
const target = { schemas: ['public'], tenantTable: 'public.orgs', tenantColumn: 'org_id' };

beforeAll(async () => {
  [planted, clean] = await Promise.all([createTestDatabase(fixture(true)), createTestDatabase(fixture(false))]);
  configDir = tempConfigDir();
});
afterAll(async () => {
  await planted?.drop();
  await clean?.drop();
  cleanCli();
  fs.rmSync(configDir, { recursive: true, force: true });
});

async function orphanFinding(db: TestDatabase) {
  const s = await db.session();
  try {
    const run = await runChecks(s, await loadModel(s, target), { mode: 'exact' });
    return run.findings.find((f) => f.check === 'orphan-tenant-rows');
  } finally {
    await s.close();
  }
}

describe('the orphan remedy', () => {
  it('offers the quarantine first and warns that reassigning gives every deleted tenant\'s rows to one live tenant', async () => {
    const f = (await orphanFinding(planted))!;
    expect(f.count).toBe(6);
    const remedy = f.remedy!;
    expect(remedy.split('\n')[0]).toBe('-- 1. Quarantine (recommended): move the 6 rows of 3 deleted tenant ids (9, 7, 8) into the holding table "tenancy_quarantine"."public.tasks"; no tenant gets them.');
    expect(remedy).toContain('WARNING: this moves the 6 rows of 3 deleted tenant ids (9, 7, 8) into ONE live tenant: all 6 will belong to tenant :\'tenant_id\'');
    expect(remedy.indexOf('Quarantine')).toBeLessThan(remedy.indexOf('UPDATE'));
  });

  it('the quarantine statements move the orphan rows into the holding table, and the rerun finds none', async () => {
    const f = (await orphanFinding(planted))!;
    const quarantine = f.remedy!.split('\n-- 2.')[0]!;
    await planted.exec(quarantine);
    expect((await planted.exec('SELECT id, org_id FROM tenancy_quarantine."public.tasks" ORDER BY id')).rows.map((r) => r.org_id)).toEqual([7, 7, 8, 9, 9, 9]);
    expect((await planted.exec('SELECT count(*)::int AS n FROM tasks')).rows[0].n).toBe(40);
    expect(await orphanFinding(planted)).toBeUndefined();
    // Put them back for the distribution tests below.
    await planted.exec('INSERT INTO tasks SELECT * FROM tenancy_quarantine."public.tasks"; DROP SCHEMA tenancy_quarantine CASCADE');
  });

  it('a clean twin has no orphan finding and so no remedy', async () => {
    expect(await orphanFinding(clean)).toBeUndefined();
  });
});

describe("one tenant's distribution", () => {
  it('keeps the missing-tenant bucket whole while orphans exist (and empty on the clean twin)', async () => {
    for (const [db, expected] of [[planted, [['7', 2], ['8', 1], ['9', 3]]], [clean, []]] as const) {
      const s = await db.session();
      try {
        const d = await computeDistribution(s, await loadModel(s, target), { tenant: '2' });
        expect(d.rows.every((r) => r.tenant === '2')).toBe(true);
        expect(d.missingTenant.map((m) => [m.tenant, m.rows]).sort()).toEqual(expected);
      } finally {
        await s.close();
      }
    }
  });

  const cli = (db: TestDatabase, tenant: string, json = false) =>
    runTenancy(['distribution', '--url', db.url, '--tenant-column', 'org_id', '--tenant', tenant, ...(json ? ['--format', 'json'] : [])], env());

  it('`--tenant` prints the missing-tenant bucket, and takes the tenant\'s name or slug', async () => {
    const byId = await cli(planted, '2');
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/^Tenant 2 \(Globex\): 10 rows in 1 tables/);
    expect(byId.stdout).toContain('Missing-tenant bucket (id not in the tenant table):\n  public.tasks: tenant ');
    expect(byId.stdout).not.toContain('Missing-tenant bucket: empty');
    for (const named of ['Globex', 'globex', 'globex-corp']) {
      const r = await cli(planted, named);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Tenant 2 \(Globex\): 10 rows in 1 tables/);
    }
    const json = DistributionSchema.parse(JSON.parse((await cli(planted, 'Acme', true)).stdout));
    expect(json.tenants).toEqual([{ id: '1', name: 'Acme' }]);
    expect(json.missingTenant.reduce((a, m) => a + m.rows, 0)).toBe(6);
  });

  it('an ambiguous name is an error listing the matches; an unknown one says what to give', async () => {
    const r = await cli(planted, 'umbrella');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('tenant "umbrella" is ambiguous: 2 tenants in public.orgs are named so: 3 (Umbrella, umbrella-eu); 4 (Umbrella, umbrella-us); give its id');
    const unknown = await cli(planted, 'Initech');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('tenant "Initech" is not in public.orgs');
    // A slug names one of them exactly.
    expect((await cli(planted, 'umbrella-us')).stdout).toMatch(/^Tenant 4 \(Umbrella\)/);
  });
});

describe('the orphan rows themselves', () => {
  it('pages through every orphan row (key and tenant value) in key order; the clean twin has none', async () => {
    const s = await planted.session();
    try {
      const model = await loadModel(s, target);
      const first = await browseOrphanRows(s, model, { schema: 'public', table: 'tasks', limit: 4 });
      expect(first).toMatchObject({ tenantColumn: 'org_id', key: ['id'], next: ['104'] });
      expect(first.rows).toEqual([{ id: '101', org_id: '7' }, { id: '102', org_id: '7' }, { id: '103', org_id: '8' }, { id: '104', org_id: '9' }]);
      const second = await browseOrphanRows(s, model, { schema: 'public', table: 'tasks', limit: 4, after: first.next! });
      expect(second.rows).toEqual([{ id: '105', org_id: '9' }, { id: '106', org_id: '9' }]);
      expect(second.next).toBeNull();
      await expect(browseOrphanRows(s, model, { schema: 'public', table: 'orgs' })).rejects.toThrow('public.orgs is not a tenant table with its own tenant column');
    } finally {
      await s.close();
    }
    const c = await clean.session();
    try {
      expect((await browseOrphanRows(c, await loadModel(c, target), { schema: 'public', table: 'tasks' })).rows).toEqual([]);
    } finally {
      await c.close();
    }
  });
});
