import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE orgs (id int PRIMARY KEY);
    INSERT INTO orgs VALUES (1), (2);
    CREATE TABLE "Creds; x" (id int PRIMARY KEY, org_id int NOT NULL REFERENCES orgs(id), secret text);
    INSERT INTO "Creds; x" SELECT g, 1 + g % 2, 's' || g FROM generate_series(1, 50) g;`);
  env = { TENANCY_CONFIG_DIR: tempConfigDir(), TENANCY_OPERATOR: 'cli-test' };
});
afterAll(async () => {
  cleanCli();
  await db?.drop();
});

const t = (...args: string[]) => runTenancy([...args, '--url', db.url], env);

describe('tenancy backup / restore', () => {
  it('backs up, compares, dry-runs and restores one tenant, verified', async () => {
    const created = await t('backup', 'create', '--table', 'public."Creds; x"', '--write', '--format', 'json');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const b = JSON.parse(created.stdout) as { id: number; rowCount: number; operator: string };
    expect(b).toMatchObject({ rowCount: 50, operator: 'cli-test' });

    await db.exec(`UPDATE "Creds; x" SET secret = 'lost' WHERE org_id = 2`);
    await db.exec(`DELETE FROM "Creds; x" WHERE id IN (1, 3)`);
    const cmp = await t('backup', 'compare', String(b.id), '--scope', 'tenant:2');
    expect(cmp.code).toBe(0);
    expect(cmp.stdout).toContain('only in backup: 2   only live: 0   changed: 23   same: 0');

    const list = await t('backup', 'list');
    expect(list.stdout).toContain('public.Creds; x');

    const dry = await t('restore', '--backup', String(b.id), '--scope', 'tenant:2', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('DRY RUN (rolled back, nothing changed)');
    expect(dry.stdout).toContain('deleted 0, updated 23, inserted 2');
    expect(dry.stdout).toContain('VERIFIED');
    expect((await db.exec(`SELECT count(*)::int AS n FROM "Creds; x" WHERE secret = 'lost'`)).rows[0].n).toBe(23);

    const real = await t('restore', '--backup', String(b.id), '--scope', 'tenant:2', '--write', '--format', 'json');
    expect(real.code).toBe(0);
    const r = JSON.parse(real.stdout) as { status: string; verified: boolean };
    expect(r).toMatchObject({ status: 'verified', verified: true });
    expect((await db.exec(`SELECT count(*)::int AS n FROM "Creds; x" WHERE secret = 's' || id`)).rows[0].n).toBe(50);

    const show = await t('backup', 'show', String(b.id), '--verify');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('verify: intact');
    expect(show.stdout).toContain('per-tenant checksums: by org_id, 2 tenants');
  });

  it('backup create --tenant-column records per-tenant checksums by a column of no usual name', async () => {
    await db.exec('CREATE TABLE sites (site_key int PRIMARY KEY); INSERT INTO sites VALUES (1), (2), (3)');
    await db.exec('CREATE TABLE hits (id int PRIMARY KEY, site_key int NOT NULL REFERENCES sites); INSERT INTO hits SELECT g, 1 + g % 3 FROM generate_series(1, 30) g');
    const plain = await t('backup', 'create', '--table', 'public.hits', '--write', '--format', 'json');
    expect(JSON.parse(plain.stdout)).toMatchObject({ tenantChecksums: null });
    const byColumn = await t('backup', 'create', '--table', 'public.hits', '--tenant-column', 'site_key', '--write');
    expect(byColumn.code).toBe(0);
    expect(byColumn.stdout).toContain('per-tenant checksums: by site_key, 3 tenants');
    const shown = await t('backup', 'show', String(JSON.parse(plain.stdout).id));
    expect(shown.stdout).toContain('per-tenant checksums: none (no tenant column found; give --tenant-column)');
  });

  it('answers bad input with one line and exit 2', async () => {
    const both = await t('restore', '--backup', '1', '--dry-run', '--write');
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe('tenancy: give exactly one of --dry-run or --write');
    const scope = await t('restore', '--backup', '1', '--scope', 'org:2', '--dry-run');
    expect(scope.code).toBe(2);
    expect(scope.stderr.trim()).toBe('tenancy: --scope "org:2" is not a scope; use table, tenant:ID or keys:1,2,3');
    const missing = await t('backup', 'show', '999');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^tenancy: backup 999 not found in t_\w+; list backups with `tenancy backup list`\n$/);
  });
});
