/**
 * On Supabase the probe impersonates a member: role authenticated with request.jwt.claims naming a
 * real member of the tenant (found through the membership table), so auth.uid() returns that user;
 * rows of every team the user belongs to are theirs, not a leak. rls-not-forced is not reported
 * for tables only anon/authenticated read. Planted shape and its clean twin.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRun, ProgressEvent } from '../../shared/findings.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { loadModel } from '../../main/engine/model/load.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const reporting = `reporting_${crypto.randomBytes(4).toString('hex')}`;
const team = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const user = (n: number) => `10000000-0000-4000-8000-00000000000${n}`;

// What a Supabase project provides: API roles, auth.users, auth.uid() reading the JWT claims.
const platform = `
DO $$ BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE service_role NOLOGIN BYPASSRLS; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE SCHEMA auth;
GRANT USAGE ON SCHEMA auth, public TO anon, authenticated, service_role;
CREATE TABLE auth.users (id uuid PRIMARY KEY, email text);
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $$;
`;

/** Teams 1-3; user 1 is an active member of teams 1 and 2, user 2 of team 2, user 3 invited to team 1 and a member of 3. */
const app = (reader: string, documentsPolicy: string, viewOptions: string) => `${platform}
CREATE ROLE ${reader} NOLOGIN;
CREATE TABLE teams (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE team_members (
  id bigint PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), user_id uuid NOT NULL REFERENCES auth.users(id),
  status text NOT NULL DEFAULT 'active', UNIQUE (team_id, user_id));
CREATE INDEX ON team_members (team_id);
CREATE TABLE projects (id bigint PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), name text);
CREATE INDEX ON projects (team_id);
CREATE TABLE documents (id bigint PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), body text);
CREATE INDEX ON documents (team_id);
CREATE TABLE audit_events (id bigint PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), what text);
CREATE INDEX ON audit_events (team_id);
INSERT INTO teams VALUES ('${team(1)}', 'One'), ('${team(2)}', 'Two'), ('${team(3)}', 'Three');
INSERT INTO auth.users VALUES ('${user(1)}', 'u1@x'), ('${user(2)}', 'u2@x'), ('${user(3)}', 'u3@x');
INSERT INTO team_members VALUES (1, '${team(1)}', '${user(1)}', 'active'), (2, '${team(2)}', '${user(1)}', 'active'),
  (3, '${team(2)}', '${user(2)}', 'active'), (4, '${team(1)}', '${user(3)}', 'invited'), (5, '${team(3)}', '${user(3)}', 'active');
INSERT INTO projects SELECT g, (ARRAY['${team(1)}', '${team(2)}', '${team(3)}']::uuid[])[1 + g % 3], 'p' || g FROM generate_series(1, 30) g;
INSERT INTO documents SELECT g, (ARRAY['${team(1)}', '${team(2)}', '${team(3)}']::uuid[])[1 + g % 3], 'd' || g FROM generate_series(1, 30) g;
INSERT INTO audit_events SELECT g, (ARRAY['${team(1)}', '${team(2)}', '${team(3)}']::uuid[])[1 + g % 3], 'e' || g FROM generate_series(1, 9) g;
ALTER TABLE team_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON team_members FOR SELECT TO authenticated USING (user_id = auth.uid());
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY members ON projects FOR SELECT TO authenticated
  USING (team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = auth.uid() AND m.status = 'active'));
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY members ON documents FOR SELECT TO authenticated USING (${documentsPolicy});
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY members ON audit_events FOR SELECT TO authenticated
  USING (team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = auth.uid() AND m.status = 'active'));
CREATE VIEW team_projects ${viewOptions} AS SELECT id, team_id, name FROM projects;
GRANT SELECT ON teams, team_members, projects, documents, audit_events, team_projects TO authenticated;
GRANT SELECT ON audit_events TO ${reader};
`;

const members = "team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = auth.uid() AND m.status = 'active')";
// Planted: documents readable by every signed-in user (a policy that forgets the team); a view
// over projects that runs as its owner (the superuser who created it); audit_events not forced
// while another role (reporting) reads it too.
// anon (signed in as nobody) may read every document.
const DEFECTS = `${app(reporting, 'team_id IS NOT NULL', '')}
ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY;
GRANT SELECT ON documents TO anon;
CREATE POLICY public_read ON documents FOR SELECT TO anon USING (true);`;
const CLEAN = `${app(`${reporting}_c`, members, 'WITH (security_invoker = true)')}
GRANT SELECT ON documents TO anon;`;

let defects: TestDatabase;
let clean: TestDatabase;
beforeAll(async () => {
  defects = await createTestDatabase(DEFECTS);
  clean = await createTestDatabase(CLEAN);
});
afterAll(async () => {
  await defects?.drop();
  await clean?.drop();
  await defects?.exec(`DROP ROLE IF EXISTS ${reporting}; DROP ROLE IF EXISTS ${reporting}_c`).catch(() => undefined);
});

async function probe(db: TestDatabase, extra: { rlsTenant?: string; rlsRole?: string } = {}): Promise<{ run: CheckRun; probed: string[] }> {
  const s = await db.session();
  const model = await loadModel(s, {});
  const probed: string[] = [];
  const run = await runChecks(s, model, {
    mode: 'exact', rlsRole: extra.rlsRole ?? 'authenticated', ...(extra.rlsTenant ? { rlsTenant: extra.rlsTenant } : {}),
    onProgress: (e: ProgressEvent) => { if (e.phase === 'probe' && e.table) probed.push(e.table); },
  });
  return { run, probed };
}

const leaks = (run: CheckRun) => run.findings.filter((f) => f.check === 'isolation-leak');

describe('Supabase member probe, planted', () => {
  let run: CheckRun;
  let probed: string[];
  beforeAll(async () => {
    ({ run, probed } = await probe(defects));
  });

  it('knows the platform and probes as a real member with --rls-role authenticated alone', async () => {
    const s = await defects.session();
    expect((await loadModel(s, {})).platform).toBe('supabase');
    expect(probed).toEqual(expect.arrayContaining(['documents', 'projects', 'team_members', 'audit_events', 'team_projects']));
    expect(run.skipped.filter((x) => x.reason.startsWith('isolation probe'))).toEqual([]);
  });

  it("reports the documents every member can read and the view that runs as its owner, never the member's own teams", async () => {
    expect(leaks(run).map((f) => f.table).sort()).toEqual(['documents', 'team_projects']);
    const docs = leaks(run).find((f) => f.table === 'documents')!;
    // User 1 belongs to teams 1 and 2: only team 3's documents are a leak.
    expect(docs.count).toBe(10);
    expect(docs.sample!.every((r) => r.team_id === team(3))).toBe(true);
    expect(docs.message).toContain(`authenticated user ${user(1)}, a member of ${team(1)} (and of 1 more`);
    const view = leaks(run).find((f) => f.table === 'team_projects')!;
    expect(view.count).toBe(10);
    expect(view.message).toContain('(view of public.projects)');
  });

  it('prints evidence that reproduces the count as that member', async () => {
    const docs = leaks(run).find((f) => f.table === 'documents')!;
    expect(docs.sql).toContain('request.jwt.claims');
    const steps = (await defects.exec(docs.sql)) as unknown as { rows: { count?: string }[] }[];
    expect(Number(steps.find((r) => r.rows[0]?.count !== undefined)!.rows[0]!.count)).toBe(10);
  });

  it('does not call RLS not forced on tables only authenticated reads; does where another role reads too', () => {
    // projects, documents, team_members: RLS not forced, read by authenticated only.
    expect(run.findings.filter((f) => f.check === 'rls-not-forced').map((f) => f.table)).toEqual(['audit_events']);
  });

  it('--rls-tenant in upper case is the same tenant, probed through its lowest member', async () => {
    const { run: r } = await probe(defects, { rlsTenant: team(1).toUpperCase() });
    expect(leaks(r).find((f) => f.table === 'documents')!.message).toContain(`user ${user(1)}`);
  });

  it('an invited member is not a member: with no active member of the tenant, the probe says so and nothing passes', async () => {
    await defects.exec(`UPDATE team_members SET status = 'invited' WHERE team_id = '${team(3)}'`);
    try {
      const { run: r } = await probe(defects, { rlsTenant: team(3) });
      expect(leaks(r)).toEqual([]);
      expect(r.skipped.map((x) => x.reason)).toContain(`isolation probe: no member to impersonate: public.team_members has no member of ${team(3)} with status 'active'; give --rls-tenant a tenant with members`);
    } finally {
      await defects.exec(`UPDATE team_members SET status = 'active' WHERE team_id = '${team(3)}' AND user_id = '${user(3)}'`);
    }
  });
});

describe('Supabase anon probe', () => {
  it('as anon every tenant row visible is a leak; tables anon may not read are not checked, never passed', async () => {
    const { run } = await probe(defects, { rlsRole: 'anon' });
    expect(leaks(run).map((f) => [f.table, f.count])).toEqual([['documents', 30]]);
    expect(leaks(run)[0]!.message).toContain('as anon (no user signed in)');
    expect(run.skipped.filter((x) => x.reason.includes('permission denied')).map((x) => x.table)).toContain('projects');
  });

  it('the twin: anon may read documents and sees none of them', async () => {
    const { run } = await probe(clean, { rlsRole: 'anon' });
    expect(leaks(run)).toEqual([]);
    expect(run.skipped.map((x) => x.table)).not.toContain('documents');
  });
});

describe('Supabase member probe, clean twin', () => {
  it('finds no leak and no rls-not-forced, though user 1 sees two teams', async () => {
    const { run, probed } = await probe(clean);
    expect(probed).toEqual(expect.arrayContaining(['documents', 'projects', 'team_projects']));
    expect(leaks(run)).toEqual([]);
    expect(run.findings.filter((f) => f.check === 'rls-not-forced')).toEqual([]);
    expect(run.skipped.filter((x) => x.reason.startsWith('isolation probe'))).toEqual([]);
    // The member really sees rows of both teams: they are not counted as leaks.
    const seen = (await clean.exec(`BEGIN READ ONLY; SET LOCAL ROLE authenticated;
      SELECT set_config('request.jwt.claims', '{"sub":"${user(1)}","role":"authenticated"}', true);
      SELECT count(DISTINCT team_id) AS n FROM projects; ROLLBACK;`)) as unknown as { rows: { n?: string }[] }[];
    expect(seen.find((r) => r.rows[0]?.n !== undefined)!.rows[0]!.n).toBe('2');
  });
});
