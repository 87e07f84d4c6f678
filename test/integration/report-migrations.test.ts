import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadScenario, type DemoDatabase } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { projectRoot } from '../../main/engine/paths.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { adminUrl } from '../support/db.js';

let demo: DemoDatabase;
let configDir: string;

beforeAll(async () => {
  demo = await loadScenario(adminUrl(), demoScenario('drizzle')!, 200, { database: `demo_repmig_${crypto.randomBytes(4).toString('hex')}` });
  configDir = tempConfigDir();
});
afterAll(async () => {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(demo.database)} WITH (FORCE)`);
  await c.end();
  cleanCli();
  fs.rmSync(configDir, { recursive: true, force: true });
});

it('report export --migrations records the ledger state: what is applied and what is pending', async () => {
  const out = path.join(configDir, 'report.json');
  const r = await runTenancy(['report', 'export', '--url', demo.url, '--estimate', '--out', out,
    '--dir', path.join(projectRoot(), 'sql/demo/drizzle'), '--global-tables', 'public.user,public.session'],
  { TENANCY_CONFIG_DIR: configDir });
  expect(r.stderr).not.toMatch(/^tenancy:/m);
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { migrations: { kind: string; migrations: { name: string; state: string }[]; counts: Record<string, number> } };
  expect(report.migrations.kind).toBe('drizzle');
  expect(report.migrations.counts).toMatchObject({ applied: 8, pending: 1 });
  expect(report.migrations.migrations.find((m) => m.state === 'pending')?.name).toMatch(/^0008_remove_bootstrap_org_defaults/);
  const verify = await runTenancy(['report', 'verify', out], { TENANCY_CONFIG_DIR: configDir });
  expect(verify.code).toBe(0);

  const bad = await runTenancy(['report', 'export', '--url', demo.url, '--estimate', '--out', out, '--dir', '/nonexistent/folder'], { TENANCY_CONFIG_DIR: configDir });
  expect(bad.code).toBe(2);
  expect(bad.stderr.trim().split('\n')).toHaveLength(1);
});
