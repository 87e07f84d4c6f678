-- Scenario 001, Supabase + Workers (runbook 001): migrations 20250904000001 and ...02 applied,
-- ...03 (move existing data into the default organization) not yet. Schema comes from
-- supabase/migrations (ledger in supabase_migrations.schema_migrations). Defects as the app left them:
--   * legacy rows (made before the migration) have NULL organization_id
--   * legacy users have no organization membership yet
--   * generated_automations: RLS enabled, its per-user policy dropped, the org policy not yet created
--   * automation_jobs: only the old policy user_id = auth.uid(), which ignores the organization
--   * organization_memberships: RLS enabled but not forced

SELECT set_config('demo.orgs', greatest(8, pg_temp.demo_rows() / 250)::text, false);
SELECT set_config('demo.users', greatest(20, pg_temp.demo_rows() / 4)::text, false);
CREATE FUNCTION pg_temp.orgs() RETURNS int LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.orgs')::int $$;
CREATE FUNCTION pg_temp.users() RETURNS int LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.users')::int $$;
-- A user is legacy (signed up before organizations existed, no membership yet) when u % 5 = 0.
CREATE FUNCTION pg_temp.user_org(u bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN u % 5 = 0 THEN NULL
              ELSE pg_temp.demo_uuid('organization', pg_temp.demo_skew(u, current_setting('demo.orgs')::int)) END $$;
-- A report belongs to user report_user(g); legacy reports (older than the migration) have no
-- organization yet, nor do reports of legacy users.
CREATE FUNCTION pg_temp.report_user(g bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_temp.demo_pick(g, current_setting('demo.users')::int) $$;
CREATE FUNCTION pg_temp.report_org(g bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN g % 10 < 3 THEN NULL ELSE pg_temp.user_org(pg_temp.report_user(g)) END $$;

INSERT INTO public.organizations (id, name, slug, plan, created_at)
SELECT pg_temp.demo_uuid('organization', o), pg_temp.demo_org_name(o), 'org-' || o,
       (ARRAY['free','pro','enterprise'])[1 + o % 3], timestamptz '2025-09-04 10:00+00' + o * interval '2 hours'
FROM generate_series(1, pg_temp.orgs()) o;

INSERT INTO auth.users (id, email, raw_user_meta_data, created_at, last_sign_in_at)
SELECT pg_temp.demo_uuid('user', u), 'user' || u || '@processaudit.test', jsonb_build_object('full_name', 'User ' || u),
       timestamptz '2025-03-01 00:00+00' + u * interval '7 minutes', timestamptz '2025-09-10 00:00+00' + u * interval '1 minute'
FROM generate_series(1, pg_temp.users()) u;

INSERT INTO public.organization_memberships (organization_id, user_id, role, status, created_at)
SELECT pg_temp.user_org(u), pg_temp.demo_uuid('user', u),
       CASE WHEN u % 13 = 1 THEN 'owner' WHEN u % 4 = 1 THEN 'admin' ELSE 'member' END,
       CASE WHEN u % 29 = 3 THEN 'invited' ELSE 'active' END, timestamptz '2025-09-05 00:00+00' + u * interval '1 minute'
FROM generate_series(1, pg_temp.users()) u
WHERE pg_temp.user_org(u) IS NOT NULL;

INSERT INTO public.audit_reports (id, user_id, organization_id, title, process_data, created_at)
SELECT pg_temp.demo_uuid('report', g), pg_temp.demo_uuid('user', pg_temp.report_user(g)), pg_temp.report_org(g),
       (ARRAY['Invoice approval','Employee onboarding','Month-end close','Purchase orders','Support triage'])[1 + g % 5] || ' audit #' || g,
       jsonb_build_object('steps', 3 + g % 9, 'automatable', g % 4 <> 0),
       timestamptz '2025-04-01 00:00+00' + g * interval '3 minutes'
FROM generate_series(1, pg_temp.demo_rows()) g;

-- Jobs follow their report's organization (NULL for legacy reports).
INSERT INTO public.automation_jobs (id, user_id, audit_report_id, organization_id, status, created_at)
SELECT pg_temp.demo_uuid('job', g), pg_temp.demo_uuid('user', pg_temp.report_user(r)), pg_temp.demo_uuid('report', r),
       pg_temp.report_org(r), (ARRAY['queued','running','succeeded','failed'])[1 + g % 4],
       timestamptz '2025-04-02 00:00+00' + g * interval '3 minutes'
FROM generate_series(1, pg_temp.demo_rows()) g
CROSS JOIN LATERAL (SELECT pg_temp.demo_pick(g, pg_temp.demo_rows()) AS r) p;

-- Automations follow their job (job j points at report demo_pick(j)).
INSERT INTO public.generated_automations (id, job_id, user_id, organization_id, platform, automation_data, created_at)
SELECT pg_temp.demo_uuid('automation', g), pg_temp.demo_uuid('job', j),
       pg_temp.demo_uuid('user', pg_temp.report_user(pg_temp.demo_pick(j, pg_temp.demo_rows()))),
       pg_temp.report_org(pg_temp.demo_pick(j, pg_temp.demo_rows())),
       (ARRAY['zapier','make','n8n'])[1 + g % 3], jsonb_build_object('version', 1 + g % 3),
       timestamptz '2025-04-03 00:00+00' + g * interval '5 minutes'
FROM generate_series(1, greatest(10, pg_temp.demo_rows() / 2)) g
CROSS JOIN LATERAL (SELECT 1 + (g * 2) % pg_temp.demo_rows() AS j) p;
