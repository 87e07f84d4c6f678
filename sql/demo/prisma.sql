-- Scenario 002, Prisma + RLS (runbook 002): migrations up to 20240611080000_tenant_rls applied,
-- 20241003100000_scope_unique_indexes pending. Schema comes from prisma/migrations (ledger in
-- _prisma_migrations). The tenant table is "Tenant" (not auto-detected: give --tenant-table
-- public.Tenant --tenant-column tenantId). Defects as the app left them:
--   * unique indexes without the tenant: "User"(email), "ApiKey"(key), and "Invoice"(number)
--     that only INCLUDEs "tenantId" (which scopes nothing)
--   * "ApiKey"."tenantId" still DEFAULT 'tenant_default' (the silent fallback strict mode forbids)
--   * "AuditLog" policy USING (true): as app_user with app.tenant_id set, every tenant's rows show

SELECT set_config('demo.orgs', greatest(10, pg_temp.demo_rows() / 100)::text, false);
SELECT set_config('demo.users', greatest(20, pg_temp.demo_rows() / 4)::text, false);
CREATE FUNCTION pg_temp.orgs() RETURNS int LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.orgs')::int $$;
CREATE FUNCTION pg_temp.users() RETURNS int LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.users')::int $$;
-- Tenant 1 is the default tenant the add_tenant migration backfilled everything into.
CREATE FUNCTION pg_temp.tenant(i int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN i = 1 THEN 'tenant_default' ELSE 'c' || substr(md5('tenant:' || i), 1, 24) END $$;
CREATE FUNCTION pg_temp.cuid(label text, g bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT 'c' || substr(md5(label || ':' || g), 1, 24) $$;
CREATE FUNCTION pg_temp.user_tenant(u bigint) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_temp.demo_skew(u, current_setting('demo.orgs')::int) $$;
-- Project g is owned by user project_owner(g) and lives in that user's tenant.
CREATE FUNCTION pg_temp.project_owner(g bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_temp.demo_pick(g, current_setting('demo.users')::int) $$;

INSERT INTO "Tenant" (id, name, slug, "createdAt")
SELECT pg_temp.tenant(i), pg_temp.demo_org_name(i), 'tenant-' || i, timestamp '2024-05-21' + i * interval '3 hours'
FROM generate_series(2, pg_temp.orgs()) i;

INSERT INTO "User" (id, email, name, role, "createdAt", "tenantId")
SELECT pg_temp.cuid('user', u), 'user' || u || '@example.test', 'User ' || u,
       CASE WHEN u % 11 = 0 THEN 'admin' ELSE 'member' END, timestamp '2024-01-03' + u * interval '9 minutes',
       pg_temp.tenant(pg_temp.user_tenant(u))
FROM generate_series(1, pg_temp.users()) u;

INSERT INTO "Project" (id, slug, name, "ownerId", "createdAt", "tenantId")
SELECT pg_temp.cuid('project', g), 'project-' || g, 'Project ' || g, pg_temp.cuid('user', pg_temp.project_owner(g)),
       timestamp '2024-01-05' + g * interval '4 minutes', pg_temp.tenant(pg_temp.user_tenant(pg_temp.project_owner(g)))
FROM generate_series(1, pg_temp.demo_rows()) g;

-- Every tenth user has an API key; key values are globally unique for now.
INSERT INTO "ApiKey" (id, key, label, "userId", "lastUsedAt", "tenantId")
SELECT pg_temp.cuid('apikey', u), 'sk_live_' || md5('key:' || u), 'CI key ' || u, pg_temp.cuid('user', u),
       CASE WHEN u % 3 = 0 THEN timestamp '2024-10-01' + u * interval '1 minute' END, pg_temp.tenant(pg_temp.user_tenant(u))
FROM generate_series(1, pg_temp.users()) u
WHERE u % 10 = 0 OR u <= 3;

-- Invoices follow their project's tenant.
INSERT INTO "Invoice" (id, number, "projectId", "amountCents", "issuedAt", "tenantId")
SELECT pg_temp.cuid('invoice', g), 'INV-' || lpad(g::text, 7, '0'), p.id, 1000 + (g * 37) % 90000,
       timestamp '2024-02-01' + g * interval '11 minutes', p."tenantId"
FROM generate_series(1, pg_temp.demo_rows()) g
JOIN "Project" p ON p.id = pg_temp.cuid('project', pg_temp.demo_pick(g, pg_temp.demo_rows()));

INSERT INTO "AuditLog" (id, action, "userId", "createdAt", "tenantId")
SELECT pg_temp.cuid('audit', g), (ARRAY['login','project.create','invoice.issue','apikey.rotate','user.invite'])[1 + g % 5],
       pg_temp.cuid('user', u), timestamp '2024-06-12' + g * interval '2 minutes', pg_temp.tenant(pg_temp.user_tenant(u))
FROM generate_series(1, pg_temp.demo_rows()) g
CROSS JOIN LATERAL (SELECT pg_temp.demo_pick(g * 5, pg_temp.users()) AS u) p;
