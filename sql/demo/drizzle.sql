-- Scenario 000, Better Auth + Drizzle (runbook 000): migration 0007 applied, 0008 not.
-- Schema comes from drizzle/0000..0007 (applied by the loader, ledger in drizzle's format).
-- This file loads the data as the app left it, with the defects the runbook's checks look for:
--   * organization_id nullable and still DEFAULT 'org_bootstrap' everywhere (0008 pending)
--   * lessons rows with NULL organization_id (a write path passed the unset active organization)
--   * app_settings unique (key) and global_absences unique (date), not (organization_id, ...)
--   * no RLS at all

SELECT set_config('demo.orgs', greatest(10, pg_temp.demo_rows() / 200)::text, false);
CREATE FUNCTION pg_temp.orgs() RETURNS int LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.orgs')::int $$;
-- Tenant 1 is the bootstrap organization 0007 created: all legacy data was backfilled into it.
CREATE FUNCTION pg_temp.org_id(i int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN i = 1 THEN 'org_bootstrap' ELSE 'org_' || substr(md5('organization:' || i), 1, 20) END $$;

INSERT INTO "organization" (id, name, slug, created_at)
SELECT pg_temp.org_id(i), pg_temp.demo_org_name(i), 'org-' || i, timestamp '2025-02-01' + i * interval '37 minutes'
FROM generate_series(2, pg_temp.orgs()) i;

INSERT INTO "user" (id, name, email, email_verified, created_at, updated_at)
SELECT 'usr_' || substr(md5('user:' || u), 1, 20), 'User ' || u, 'user' || u || '@example.test', u % 3 <> 0,
       timestamp '2025-01-15' + u * interval '5 minutes', timestamp '2025-01-15' + u * interval '5 minutes'
FROM generate_series(1, greatest(20, pg_temp.demo_rows() / 4)) u;

-- Every user is a member of one organization; one in seven also of a second one.
INSERT INTO member (id, organization_id, user_id, role, created_at)
SELECT 'mem_' || substr(md5('member:' || u || ':' || k), 1, 20),
       pg_temp.org_id(CASE WHEN k = 1 THEN pg_temp.demo_skew(u, pg_temp.orgs())
                           ELSE 1 + (pg_temp.demo_skew(u, pg_temp.orgs()) % pg_temp.orgs()) END),
       'usr_' || substr(md5('user:' || u), 1, 20),
       CASE WHEN u % 17 = 0 THEN 'owner' WHEN u % 5 = 0 THEN 'admin' ELSE 'member' END,
       timestamp '2025-02-01' + u * interval '3 minutes'
FROM generate_series(1, greatest(20, pg_temp.demo_rows() / 4)) u
CROSS JOIN generate_series(1, 2) k
WHERE k = 1 OR u % 7 = 0;

INSERT INTO session (id, expires_at, token, user_id, active_organization_id)
SELECT 'ses_' || substr(md5('session:' || s), 1, 20), timestamp '2026-01-01' + s * interval '1 minute',
       md5('token:' || s), 'usr_' || substr(md5('user:' || s), 1, 20),
       CASE WHEN s % 4 = 0 THEN NULL ELSE pg_temp.org_id(pg_temp.demo_skew(s, pg_temp.orgs())) END
FROM generate_series(1, greatest(20, pg_temp.demo_rows() / 8)) s;

INSERT INTO students (id, first_name, last_name, email, grade, created_at, organization_id)
SELECT g,
       (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken','Radia','Tim'])[1 + g % 10],
       (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson','Perlman','Berners-Lee'])[1 + (g / 10) % 10],
       'student' || g || '@school.test', 1 + g % 12, timestamp '2024-09-01' + g * interval '1 minute',
       pg_temp.org_id(pg_temp.demo_skew(g, pg_temp.orgs()))
FROM generate_series(1, pg_temp.demo_rows()) g;
SELECT setval(pg_get_serial_sequence('students', 'id'), pg_temp.demo_rows());

-- Three rooms or instruments per organization: resource (o-1)*3+k belongs to organization o.
INSERT INTO resources (id, name, kind, capacity, organization_id)
SELECT (o - 1) * 3 + k, (ARRAY['Room A','Room B','Piano'])[k] || ' (' || pg_temp.demo_org_name(o) || ')',
       (ARRAY['room','room','instrument'])[k], (ARRAY[12, 6, 1])[k], pg_temp.org_id(o)
FROM generate_series(1, pg_temp.orgs()) o CROSS JOIN generate_series(1, 3) k;
SELECT setval(pg_get_serial_sequence('resources', 'id'), pg_temp.orgs() * 3);

-- Lessons follow their student's organization (and use one of its resources), except the rows a
-- buggy write path inserted with organization_id => NULL.
INSERT INTO lessons (id, student_id, resource_id, starts_at, duration_minutes, notes, organization_id)
SELECT g, s.student, (s.org - 1) * 3 + 1 + (g % 3),
       timestamptz '2025-03-03 08:00+00' + (g % 5000) * interval '1 hour', (ARRAY[30, 45, 60, 90])[1 + g % 4],
       CASE WHEN g % 11 = 0 THEN 'bring sheet music' END,
       CASE WHEN g % 37 = 5 THEN NULL ELSE pg_temp.org_id(s.org) END
FROM generate_series(1, pg_temp.demo_rows()) g
CROSS JOIN LATERAL (
  SELECT pg_temp.demo_pick(g, pg_temp.demo_rows())::int AS student,
         pg_temp.demo_skew(pg_temp.demo_pick(g, pg_temp.demo_rows()), pg_temp.orgs()) AS org
) s;
SELECT setval(pg_get_serial_sequence('lessons', 'id'), pg_temp.demo_rows());

-- Settings: the bootstrap organization's keys, then whatever keys newer organizations managed to
-- create while key is still globally unique (they had to invent prefixed names).
INSERT INTO app_settings (key, value, organization_id)
SELECT k, v, 'org_bootstrap'
FROM (VALUES ('timezone', 'Europe/London'), ('term_start', '2025-09-01'), ('lesson_reminders', 'on'),
             ('invoice_footer', 'Thank you!'), ('default_lesson_minutes', '60')) AS s(k, v);
INSERT INTO app_settings (key, value, organization_id)
SELECT 'org' || o || '_' || (ARRAY['timezone','term_start','lesson_reminders'])[k], 'set by org ' || o, pg_temp.org_id(o)
FROM generate_series(2, pg_temp.orgs()) o CROSS JOIN generate_series(1, 3) k;

-- Absences: one row per date across all organizations, because date is unique on its own.
INSERT INTO global_absences (date, reason, organization_id)
SELECT date '2025-01-01' + d, (ARRAY['Bank holiday','Staff training','Half term'])[1 + d % 3],
       pg_temp.org_id(pg_temp.demo_skew(d, pg_temp.orgs()))
FROM generate_series(0, least(730, greatest(30, pg_temp.demo_rows() / 20))) d;
