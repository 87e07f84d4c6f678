-- Runbook 001's real starting state (Supabase + Workers): only 20250801000000_initial_schema
-- applied; 20250904000001 (organizations, memberships, organization_id), ...02 (RLS by
-- organization) and ...03 (data into the default organization) pending. Single-tenant: every row
-- belongs to the user who made it, RLS is user_id = auth.uid(). Same users and rows as scenario
-- supabase, without organizations.

SELECT set_config('demo.users', greatest(20, pg_temp.demo_rows() / 4)::text, false);
CREATE FUNCTION pg_temp.report_user(g bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_temp.demo_pick(g, current_setting('demo.users')::int) $$;

INSERT INTO auth.users (id, email, raw_user_meta_data, created_at, last_sign_in_at)
SELECT pg_temp.demo_uuid('user', u), 'user' || u || '@processaudit.test', jsonb_build_object('full_name', 'User ' || u),
       timestamptz '2025-03-01 00:00+00' + u * interval '7 minutes', timestamptz '2025-09-10 00:00+00' + u * interval '1 minute'
FROM generate_series(1, current_setting('demo.users')::int) u;

INSERT INTO public.audit_reports (id, user_id, title, process_data, created_at)
SELECT pg_temp.demo_uuid('report', g), pg_temp.demo_uuid('user', pg_temp.report_user(g)),
       (ARRAY['Invoice approval','Employee onboarding','Month-end close','Purchase orders','Support triage'])[1 + g % 5] || ' audit #' || g,
       jsonb_build_object('steps', 3 + g % 9, 'automatable', g % 4 <> 0),
       timestamptz '2025-04-01 00:00+00' + g * interval '3 minutes'
FROM generate_series(1, pg_temp.demo_rows()) g;

INSERT INTO public.automation_jobs (id, user_id, audit_report_id, status, created_at)
SELECT pg_temp.demo_uuid('job', g), pg_temp.demo_uuid('user', pg_temp.report_user(r)), pg_temp.demo_uuid('report', r),
       (ARRAY['queued','running','succeeded','failed'])[1 + g % 4], timestamptz '2025-04-02 00:00+00' + g * interval '3 minutes'
FROM generate_series(1, pg_temp.demo_rows()) g
CROSS JOIN LATERAL (SELECT pg_temp.demo_pick(g, pg_temp.demo_rows()) AS r) p;

INSERT INTO public.generated_automations (id, job_id, user_id, platform, automation_data, created_at)
SELECT pg_temp.demo_uuid('automation', g), pg_temp.demo_uuid('job', j),
       pg_temp.demo_uuid('user', pg_temp.report_user(pg_temp.demo_pick(j, pg_temp.demo_rows()))),
       (ARRAY['zapier','make','n8n'])[1 + g % 3], jsonb_build_object('version', 1 + g % 3),
       timestamptz '2025-04-03 00:00+00' + g * interval '5 minutes'
FROM generate_series(1, greatest(10, pg_temp.demo_rows() / 2)) g
CROSS JOIN LATERAL (SELECT 1 + (g * 2) % pg_temp.demo_rows() AS j) p;
