/**
 * The support engineer's tenant page, engine side, against real PostgreSQL: find a tenant by id,
 * name or slug (LIKE wildcards literal); its footprint including a table scoped through a parent;
 * the stray rows (no tenant, missing tenant) hanging off its rows; keyset pages with filters; and
 * the impersonation that says which rows the app role sees and which policy hides the rest.
 * Tenant 3 is the clean twin: no rows, nothing stray.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenancyModel } from '../../shared/model.js';
import { loadModel } from '../../main/engine/model/load.js';
import type { Session } from '../../main/engine/session.js';
import { findTenants } from '../../main/engine/tenant/find.js';
import { tenantFootprint } from '../../main/engine/tenant/footprint.js';
import { browseTenantRows } from '../../main/engine/tenant/rows.js';
import { explainVisibility } from '../../main/engine/tenant/visibility.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const ROLE = `tp_app_${process.pid}`;
const FIXTURE = `
CREATE TABLE orgs (id bigint PRIMARY KEY, name text NOT NULL, slug text NOT NULL);
INSERT INTO orgs VALUES (1, 'Acme Corp', 'acme'), (2, 'Globex', 'globex'), (3, 'Initech 100%', 'init_tech'), (4, 'InitXtech', 'initxtech');
CREATE TABLE projects (id bigint PRIMARY KEY, org_id bigint REFERENCES orgs (id), name text);
INSERT INTO projects SELECT i, CASE WHEN i <= 6 THEN 1 ELSE 2 END, 'project ' || i FROM generate_series(1, 10) i;
-- No FK to orgs: task 6 names a tenant that does not exist.
CREATE TABLE tasks (id bigint PRIMARY KEY, org_id bigint, project_id bigint REFERENCES projects (id), title text);
CREATE INDEX ON tasks (org_id);
INSERT INTO tasks SELECT i, p.org_id, p.id, 'task ' || i FROM generate_series(1, 30) i JOIN projects p ON p.id = ((i - 1) % 10) + 1;
UPDATE tasks SET org_id = NULL WHERE id IN (5, 7);
UPDATE tasks SET org_id = 99 WHERE id = 6;
-- A second way to the tenant: task 5 hangs off project 5 twice, and is one stray row, not two.
ALTER TABLE tasks ADD COLUMN review_project_id bigint REFERENCES projects (id);
UPDATE tasks SET review_project_id = 5 WHERE id = 5;
-- Scoped through tasks: no tenant column of its own; composite primary key.
CREATE TABLE task_comments (task_id bigint NOT NULL REFERENCES tasks (id), n int NOT NULL, body text, PRIMARY KEY (task_id, n));
INSERT INTO task_comments SELECT t.id, k, 'comment ' || k || ' on ' || t.id FROM tasks t, generate_series(1, 2) k;
ANALYZE;
CREATE ROLE ${ROLE} NOLOGIN;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ROLE};
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON projects USING (org_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
-- A policy that fails on an unset setting: the app gets an error, not rows.
CREATE TABLE invoices (id bigint PRIMARY KEY, org_id bigint REFERENCES orgs (id));
INSERT INTO invoices SELECT i, 1 + i % 2 FROM generate_series(1, 4) i;
GRANT SELECT ON invoices TO ${ROLE};
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoices FORCE ROW LEVEL SECURITY;
CREATE POLICY strict_cast ON invoices USING (org_id = current_setting('app.strict_tenant')::bigint);
-- Supabase-style: a member sees their own notes of their tenant (auth.uid() reads request.jwt.claim.sub).
CREATE TABLE notes (id bigint PRIMARY KEY, org_id bigint REFERENCES orgs (id), owner text NOT NULL);
INSERT INTO notes VALUES (1, 1, 'u1'), (2, 1, 'u1'), (3, 1, 'u1'), (4, 1, 'u2'), (5, 1, 'u2');
GRANT SELECT ON notes TO ${ROLE};
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY own_notes ON notes USING (owner = current_setting('request.jwt.claim.sub', true) AND org_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint);
-- RLS on and no policy: the app role sees nothing (the "customer sees nothing" defect).
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;
`;

let db: TestDatabase;
let session: Session;
let model: TenancyModel;

beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
  session = await db.session();
  model = await loadModel(session, {});
});

afterAll(async () => {
  await db?.drop();
  await db?.exec(`DROP ROLE IF EXISTS ${ROLE}`).catch(() => undefined);
});

describe('findTenants', () => {
  it.each([
    ['1', ['1', '3'], 'id'], // the id first, then names containing it
    ['acme', ['1'], 'name'],
    ['GLOBEX', ['2'], 'name'],
    ['100%', ['3'], 'name'],
    ['it_t', ['3'], 'slug'],
    ['nobody', [], undefined],
  ])('"%s" finds %j', async (query, ids, by) => {
    const found = await findTenants(session, model, query);
    expect(found.matches.map((m) => m.id)).toEqual(ids);
    if (by) expect(found.matches[0]!.matchedBy).toBe(by);
  });

  it('names the tenant, its slug, and refuses an empty query in words', async () => {
    const found = await findTenants(session, model, 'acme');
    expect(found.matches[0]).toMatchObject({ name: 'Acme Corp', slug: 'acme' });
    await expect(findTenants(session, model, '  ')).rejects.toThrow(/type a tenant id/);
  });
});

describe('tenantFootprint', () => {
  it('counts the tenant\'s rows in its own tables and the one scoped through tasks', async () => {
    const fp = await tenantFootprint(session, model, '1');
    const rows = Object.fromEntries(fp.tables.map((t) => [t.table, t.rows]));
    expect(rows).toEqual({ projects: 6, tasks: 16, task_comments: 32, invoices: 2, notes: 5 });
    expect(fp.tables.find((t) => t.table === 'task_comments')).toMatchObject({ role: 'scoped', via: expect.stringContaining('tasks') });
  });

  it('finds the no-tenant and missing-tenant tasks that hang off the tenant\'s projects', async () => {
    const fp = await tenantFootprint(session, model, '1');
    const tasks = fp.tables.find((t) => t.table === 'tasks')!;
    expect(tasks.concerning).toEqual([
      { constraint: 'tasks_project_id_fkey', parentSchema: 'public', parentTable: 'projects', noTenant: 1, missingTenant: 1 },
      { constraint: 'tasks_review_project_id_fkey', parentSchema: 'public', parentTable: 'projects', noTenant: 1, missingTenant: 0 },
    ]);
    expect(tasks.strayRows).toBe(2);
    const other = await tenantFootprint(session, model, '2');
    expect(other.tables.find((t) => t.table === 'tasks')).toMatchObject({
      strayRows: 1, concerning: [{ constraint: 'tasks_project_id_fkey', parentSchema: 'public', parentTable: 'projects', noTenant: 1, missingTenant: 0 }],
    });
  });

  it('the clean twin: a tenant with no rows has zero everywhere and nothing stray', async () => {
    const fp = await tenantFootprint(session, model, '3');
    expect(fp.tables.every((t) => t.rows === 0 && t.concerning.length === 0 && t.strayRows === 0)).toBe(true);
  });

  it('refuses a tenant that is not in the tenant table, saying how to find one', async () => {
    await expect(tenantFootprint(session, model, '99')).rejects.toThrow(/tenant "99" is not in public.orgs; search by name or slug/);
  });
});

describe('browseTenantRows', () => {
  it('pages through every one of the tenant\'s tasks by key, in order, with no repeats', async () => {
    const ids: string[] = [];
    let after: (string | null)[] | undefined;
    let pages = 0;
    do {
      const page = await browseTenantRows(session, model, { tenant: '1', schema: 'public', table: 'tasks', limit: 5, after });
      ids.push(...page.rows.map((r) => r.id!));
      after = page.next ?? undefined;
      pages += 1;
    } while (after);
    expect(pages).toBe(4);
    expect(ids.map(Number)).toEqual([1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 25, 26]);
  });

  it('pages a scoped table with a composite key', async () => {
    const seen: string[] = [];
    let after: (string | null)[] | undefined;
    do {
      const page = await browseTenantRows(session, model, { tenant: '1', schema: 'public', table: 'task_comments', limit: 7, after });
      seen.push(...page.rows.map((r) => `${r.task_id}/${r.n}`));
      after = page.next ?? undefined;
    } while (after);
    expect(seen).toHaveLength(32);
    expect(new Set(seen).size).toBe(32);
    expect(seen.slice(0, 3)).toEqual(['1/1', '1/2', '2/1']);
  });

  it('filters with bound values: contains, equals, is-null; a quote in a value is only text', async () => {
    const contains = await browseTenantRows(session, model, { tenant: '1', schema: 'public', table: 'tasks', filters: [{ column: 'title', op: 'contains', value: 'TASK 2' }] });
    expect(contains.rows.map((r) => r.id)).toEqual(['2', '21', '22', '23', '24', '25', '26']);
    const equals = await browseTenantRows(session, model, { tenant: '1', schema: 'public', table: 'tasks', filters: [{ column: 'project_id', op: 'equals', value: '3' }] });
    expect(equals.rows.map((r) => r.id)).toEqual(['3', '13', '23']);
    const hostile = await browseTenantRows(session, model, { tenant: '1', schema: 'public', table: 'tasks', filters: [{ column: 'title', op: 'contains', value: "x'; DROP TABLE tasks; --" }] });
    expect(hostile.rows).toEqual([]);
    expect(hostile.sql).not.toContain('DROP');
  });

  it('lists the stray rows that hang off the tenant\'s projects', async () => {
    const page = await browseTenantRows(session, model, { tenant: '1', schema: 'public', table: 'tasks', scope: { kind: 'concerning', constraint: 'tasks_project_id_fkey' } });
    expect(page.rows.map((r) => [r.id, r.org_id])).toEqual([['5', null], ['6', '99']]);
    const clean = await browseTenantRows(session, model, { tenant: '3', schema: 'public', table: 'tasks', scope: { kind: 'concerning', constraint: 'tasks_project_id_fkey' } });
    expect(clean.rows).toEqual([]);
  });

  it('refuses a column or table that is not in the model, naming it', async () => {
    await expect(browseTenantRows(session, model, { tenant: '1', schema: 'public', table: 'tasks', filters: [{ column: 'title"; --', op: 'is-null' }] }))
      .rejects.toThrow('public.tasks has no column "title"; --"');
    await expect(browseTenantRows(session, model, { tenant: '1', schema: 'public', table: 'orgs' })).rejects.toThrow(/not a tenant or scoped table/);
  });
});

describe('explainVisibility', () => {
  it('says the app role sees the tenant\'s projects, and that RLS with no policy hides its tasks (and through them the comments)', async () => {
    const v = await explainVisibility(session, model, { tenant: '1', role: ROLE, setting: 'app.tenant_id' });
    expect(v.settingValue).toBe('1');
    const by = Object.fromEntries(v.tables.map((t) => [t.table, t]));
    expect(by.projects).toMatchObject({ exist: 6, visible: 6, othersVisible: 0, verdict: 'all-visible' });
    expect(by.projects!.policies.map((p) => p.name)).toEqual(['tenant_isolation']);
    expect(by.tasks).toMatchObject({ exist: 16, visible: 0, verdict: 'hidden' });
    expect(by.tasks!.why).toContain('no SELECT policy applies');
    expect(by.task_comments).toMatchObject({ exist: 32, visible: 0, verdict: 'hidden' });
    expect(by.task_comments!.why).toContain('parents');
    expect(by.invoices).toMatchObject({ exist: 2, visible: null, verdict: 'error' });
    expect(by.invoices!.why).toContain('app.strict_tenant');
  });

  it('names the policy that hides the rows when the app sets the wrong setting', async () => {
    const v = await explainVisibility(session, model, { tenant: '1', role: ROLE, setting: 'app.org_id' });
    const projects = v.tables.find((t) => t.table === 'projects')!;
    expect(projects).toMatchObject({ exist: 6, visible: 0, verdict: 'hidden' });
    expect(projects.why).toContain('tenant_isolation USING');
  });

  it('impersonates a member too (Supabase): their own notes are visible, the other member\'s hidden by own_notes', async () => {
    const anyone = await explainVisibility(session, model, { tenant: '1', role: ROLE, setting: 'app.tenant_id' });
    expect(anyone.tables.find((t) => t.table === 'notes')).toMatchObject({ exist: 5, visible: 0, verdict: 'hidden' });
    const u1 = await explainVisibility(session, model, { tenant: '1', role: ROLE, setting: 'app.tenant_id', member: 'u1' });
    const notes = u1.tables.find((t) => t.table === 'notes')!;
    expect(notes).toMatchObject({ exist: 5, visible: 3, othersVisible: 0, verdict: 'partly-hidden' });
    expect(notes.why).toContain(`2 of the tenant's 5 rows are hidden from ${ROLE} (member u1)`);
    expect(notes.why).toContain('own_notes USING');
    expect(u1.member).toBe('u1');
    expect(u1.sql).toContain("set_config('request.jwt.claim.sub', 'u1', true)");
  });

  it('leaves the session as it was: not in a transaction, its own role', async () => {
    await explainVisibility(session, model, { tenant: '2', role: ROLE, setting: 'app.tenant_id' });
    const { rows } = await session.query<{ u: string; x: string }>("SELECT current_user AS u, current_setting('app.tenant_id', true) AS x");
    expect(rows[0]!.u).not.toBe(ROLE);
    expect(rows[0]!.x ?? '').toBe('');
  });
});
