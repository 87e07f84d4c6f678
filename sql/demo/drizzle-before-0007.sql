-- Runbook 000's real starting state (Better Auth + Drizzle): migrations 0000..0006 applied, 0007
-- and 0008 pending. Single-tenant data: no organization_id anywhere yet, no organization row, no
-- memberships. Migration 0007 creates the bootstrap organization and moves every row into it
-- through its column default; 0008 removes the defaults. Schema from drizzle/0000..0006 (applied
-- by the loader, ledger in drizzle's format). Same users, students and lessons as scenario
-- drizzle, without its tenants.

INSERT INTO "user" (id, name, email, email_verified, created_at, updated_at)
SELECT 'usr_' || substr(md5('user:' || u), 1, 20), 'User ' || u, 'user' || u || '@example.test', u % 3 <> 0,
       timestamp '2025-01-15' + u * interval '5 minutes', timestamp '2025-01-15' + u * interval '5 minutes'
FROM generate_series(1, greatest(20, pg_temp.demo_rows() / 4)) u;

INSERT INTO session (id, expires_at, token, user_id, active_organization_id)
SELECT 'ses_' || substr(md5('session:' || s), 1, 20), timestamp '2026-01-01' + s * interval '1 minute',
       md5('token:' || s), 'usr_' || substr(md5('user:' || s), 1, 20), NULL
FROM generate_series(1, greatest(20, pg_temp.demo_rows() / 8)) s;

INSERT INTO students (id, first_name, last_name, email, grade, created_at)
SELECT g,
       (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken','Radia','Tim'])[1 + g % 10],
       (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson','Perlman','Berners-Lee'])[1 + (g / 10) % 10],
       'student' || g || '@school.test', 1 + g % 12, timestamp '2024-09-01' + g * interval '1 minute'
FROM generate_series(1, pg_temp.demo_rows()) g;
SELECT setval(pg_get_serial_sequence('students', 'id'), pg_temp.demo_rows());

INSERT INTO resources (id, name, kind, capacity)
SELECT k, (ARRAY['Room A','Room B','Piano'])[k], (ARRAY['room','room','instrument'])[k], (ARRAY[12, 6, 1])[k]
FROM generate_series(1, 3) k;
SELECT setval(pg_get_serial_sequence('resources', 'id'), 3);

INSERT INTO lessons (id, student_id, resource_id, starts_at, duration_minutes, notes)
SELECT g, pg_temp.demo_pick(g, pg_temp.demo_rows())::int, 1 + (g % 3),
       timestamptz '2025-03-03 08:00+00' + (g % 5000) * interval '1 hour', (ARRAY[30, 45, 60, 90])[1 + g % 4],
       CASE WHEN g % 11 = 0 THEN 'bring sheet music' END
FROM generate_series(1, pg_temp.demo_rows()) g;
SELECT setval(pg_get_serial_sequence('lessons', 'id'), pg_temp.demo_rows());

-- One school: its settings, keyed on key alone (unique), and its absences, one per date.
INSERT INTO app_settings (key, value)
VALUES ('timezone', 'Europe/London'), ('term_start', '2025-09-01'), ('lesson_reminders', 'on'),
       ('invoice_footer', 'Thank you!'), ('default_lesson_minutes', '60');

INSERT INTO global_absences (date, reason)
SELECT date '2025-01-01' + d, (ARRAY['Bank holiday','Staff training','Half term'])[1 + d % 3]
FROM generate_series(0, least(730, greatest(30, pg_temp.demo_rows() / 20))) d;
