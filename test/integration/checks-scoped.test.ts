/**
 * Tables scoped through a parent: invoice_lines belong to their invoice's tenant (one level),
 * line_taxes to their line's (two levels). Rows whose path is NULL have no tenant; another FK
 * leading to another tenant's row is a cross-tenant reference. Planted defects and a clean twin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRun } from '../../shared/findings.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { computeDistribution } from '../../main/engine/distribution.js';
import { loadModel } from '../../main/engine/model/load.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const rls = (t: string, using: string) => `
  ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${t} FORCE ROW LEVEL SECURITY;
  CREATE POLICY p ON ${t} USING (${using});`;
const BASE = `
CREATE TABLE organizations (id bigint PRIMARY KEY, name text);
INSERT INTO organizations VALUES (1, 'A'), (2, 'B');
CREATE TABLE products (id int PRIMARY KEY, org_id bigint NOT NULL REFERENCES organizations, name text);
CREATE INDEX ON products (org_id);
INSERT INTO products SELECT g, 1 + g % 2, 'p' FROM generate_series(1, 4) g;
${rls('products', "org_id = current_setting('app.tenant_id', true)::bigint")}
CREATE TABLE invoices (id int PRIMARY KEY, org_id bigint NOT NULL REFERENCES organizations);
CREATE INDEX ON invoices (org_id);
INSERT INTO invoices SELECT g, 1 + g % 2 FROM generate_series(1, 4) g;
${rls('invoices', "org_id = current_setting('app.tenant_id', true)::bigint")}
-- one level: a line belongs to its invoice (invoice_id nullable: a line can lose it)
CREATE TABLE invoice_lines (id int PRIMARY KEY, invoice_id int REFERENCES invoices, product_id int REFERENCES products, qty int);
INSERT INTO invoice_lines SELECT g, 1 + g % 4,
  (SELECT min(p.id) FROM products p JOIN invoices i ON i.org_id = p.org_id WHERE i.id = 1 + g % 4), 1 FROM generate_series(1, 8) g;
${rls('invoice_lines', 'EXISTS (SELECT FROM invoices i WHERE i.id = invoice_id)')}
-- two levels: a tax belongs to its line (NOT NULL line_id wins over the nullable, closer product_id)
CREATE TABLE line_taxes (id int PRIMARY KEY, line_id int NOT NULL REFERENCES invoice_lines, product_id int REFERENCES products, rate int);
INSERT INTO line_taxes SELECT g, g,
  (SELECT min(p.id) FROM products p JOIN invoices i ON i.org_id = p.org_id JOIN invoice_lines l ON l.invoice_id = i.id WHERE l.id = g), 5 FROM generate_series(1, 8) g;
${rls('line_taxes', 'EXISTS (SELECT FROM invoice_lines l WHERE l.id = line_id)')}
-- owned 1:1: an invoice's settings row, through the invoice's UNIQUE settings_id (the FK points the other way)
CREATE TABLE invoice_settings (id int PRIMARY KEY, footer text);
INSERT INTO invoice_settings SELECT g, 'f' FROM generate_series(1, 4) g;
ALTER TABLE invoices ADD COLUMN settings_id int UNIQUE REFERENCES invoice_settings;
UPDATE invoices SET settings_id = id;
${rls('invoice_settings', 'EXISTS (SELECT FROM invoices i WHERE i.settings_id = invoice_settings.id)')}
ANALYZE;
`;
const PLANTED = `${BASE}
INSERT INTO invoice_settings VALUES (5, 'left over');
UPDATE invoice_lines l SET product_id = (SELECT min(p.id) FROM products p JOIN invoices i ON i.org_id <> p.org_id WHERE i.id = l.invoice_id) WHERE id = 3;
INSERT INTO invoice_lines VALUES (9, NULL, 1, 1);
UPDATE line_taxes t SET product_id = (SELECT min(p.id) FROM products p JOIN invoices i ON i.org_id <> p.org_id JOIN invoice_lines l ON l.invoice_id = i.id WHERE l.id = t.line_id) WHERE id = 5;
INSERT INTO line_taxes VALUES (9, 9, 1, 5);
`;

const rowChecks = ['null-tenant-rows', 'orphan-tenant-rows', 'cross-tenant-reference'];
const key = (f: { check: string; table: string; constraint?: string; count?: number }) => `${f.check} ${f.table}${f.constraint ? ` ${f.constraint}` : ''} ${f.count ?? ''}`.trim();

let planted: TestDatabase;
let clean: TestDatabase;
beforeAll(async () => {
  planted = await createTestDatabase(PLANTED);
  clean = await createTestDatabase(BASE);
});
afterAll(async () => {
  await planted?.drop();
  await clean?.drop();
});

async function check(db: TestDatabase): Promise<CheckRun> {
  const s = await db.session();
  return runChecks(s, await loadModel(s), { mode: 'exact' });
}

describe('tables scoped through a parent', () => {
  it('are scoped, with the path in the model, and not tenant-column-missing', async () => {
    const s = await planted.session();
    const model = await loadModel(s);
    const lines = model.tables.find((t) => t.table === 'invoice_lines')!;
    const taxes = model.tables.find((t) => t.table === 'line_taxes')!;
    expect(lines).toMatchObject({ role: 'scoped', roleReason: 'scoped through invoice_lines_invoice_id_fkey to public.invoices' });
    expect(lines.tenantPath!.map((p) => `${p.constraint}:${p.refTable}`)).toEqual(['invoice_lines_invoice_id_fkey:invoices']);
    expect(lines.roleReason).toBe('scoped through invoice_lines_invoice_id_fkey to public.invoices');
    expect(taxes.tenantPath!.map((p) => `${p.constraint}:${p.refTable}`)).toEqual(['line_taxes_line_id_fkey:invoice_lines', 'invoice_lines_invoice_id_fkey:invoices']);
    const run = await runChecks(s, model, { mode: 'exact' });
    expect(run.findings.filter((f) => f.check === 'tenant-column-missing')).toEqual([]);
    expect(run.model.scopedTables).toBe(3);
    const settings = model.tables.find((t) => t.table === 'invoice_settings')!;
    expect(settings.tenantPath).toEqual([{ constraint: 'invoices_settings_id_fkey', columns: ['id'], refSchema: 'public', refTable: 'invoices', refColumns: ['settings_id'], reverse: true }]);
    // The owner's UNIQUE settings_id is the 1:1 ownership, not an unscoped unique key.
    expect(run.findings.filter((f) => f.check === 'unscoped-unique')).toEqual([]);
  });

  it('finds the NULL path and the cross-tenant rows planted along one and two levels, and the evidence reproduces each count', async () => {
    const run = await check(planted);
    const got = run.findings.filter((f) => rowChecks.includes(f.check));
    expect(got.map(key).sort()).toEqual([
      'cross-tenant-reference invoice_lines invoice_lines_product_id_fkey 1',
      'cross-tenant-reference line_taxes line_taxes_product_id_fkey 1',
      'null-tenant-rows invoice_lines 1',
      'null-tenant-rows invoice_settings 1',
      'null-tenant-rows line_taxes 1',
    ]);
    for (const f of got) expect(Number((await planted.exec(f.sql)).rows[0].count), f.sql).toBe(f.count);
    const cross = got.find((f) => f.table === 'line_taxes' && f.check === 'cross-tenant-reference')!;
    expect(cross.sample).toEqual([{ id: '5', product_id: expect.any(String), tenant: expect.any(String), 'parent.tenant': expect.any(String) }]);
    expect(cross.sample![0]!.tenant).not.toBe(cross.sample![0]!['parent.tenant']);
    expect(got.find((f) => f.table === 'line_taxes' && f.check === 'null-tenant-rows')!.sample).toEqual([{ id: '9', line_id: '9' }]);
  });

  it('counts them per tenant through the path in the distribution', async () => {
    const s = await planted.session();
    const d = await computeDistribution(s, await loadModel(s));
    const of = (table: string) => d.rows.filter((r) => r.table === table).map((r) => `${r.bucket}:${r.tenant}:${r.rows}`).sort();
    expect(of('invoice_lines')).toEqual(['no-tenant:null:1', 'tenant:1:4', 'tenant:2:4']);
    expect(of('line_taxes')).toEqual(['no-tenant:null:1', 'tenant:1:4', 'tenant:2:4']);
  });

  it('reports RLS on them, where a policy through the parent is fine', async () => {
    const s = await planted.session();
    await planted.exec('ALTER TABLE line_taxes NO FORCE ROW LEVEL SECURITY');
    try {
      const run = await runChecks(s, await loadModel(s), { mode: 'estimate' });
      expect(run.findings.filter((f) => f.check.startsWith('rls-')).map(key)).toEqual(['rls-not-forced line_taxes']);
    } finally {
      await planted.exec('ALTER TABLE line_taxes FORCE ROW LEVEL SECURITY');
    }
  });

  it('are listed as not probed when the isolation probe runs, never silently passed', async () => {
    const s = await clean.session();
    const role = `app_${clean.name}`;
    await clean.exec(`CREATE ROLE ${role} NOLOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    try {
      const run = await runChecks(s, await loadModel(s), { mode: 'estimate', rlsRole: role, rlsSetting: 'app.tenant_id' });
      expect(run.findings.filter((f) => f.check === 'isolation-leak')).toEqual([]);
      expect(run.skipped.map((x) => x.table).sort()).toEqual(['invoice_lines', 'invoice_settings', 'line_taxes']);
      expect(run.skipped[0]!.reason).toMatch(/^isolation probe: scoped through a parent; not probed/);
    } finally {
      await clean.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });

  it('yield to --global-tables', async () => {
    const s = await planted.session();
    const model = await loadModel(s, { globalTables: ['public.invoice_lines'] });
    expect(model.tables.find((t) => t.table === 'invoice_lines')!.role).toBe('global');
    // line_taxes then reaches a tenant through its nullable product_id instead.
    expect(model.tables.find((t) => t.table === 'line_taxes')!.tenantPath!.map((p) => p.refTable)).toEqual(['products']);
  });

  it('the twin: no findings at all', async () => {
    const run = await check(clean);
    expect(run.findings.map(key)).toEqual([]);
    expect(run.skipped).toEqual([]);
  });
});
