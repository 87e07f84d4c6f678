-- RLS policies of the given tables with their expressions, and the columns those expressions
-- reference according to pg_depend (not a text search). $1: table oids.
WITH locked AS (
  -- Tables another session holds ACCESS EXCLUSIVE (a migration, say): deparsing their expressions
  -- (pg_get_expr, pg_get_indexdef) would wait for that lock, so their text is not read.
  SELECT DISTINCT l.relation FROM pg_catalog.pg_locks l
  WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.granted AND l.pid <> pg_catalog.pg_backend_pid()
)
SELECT p.polrelid::int8 AS oid,
       p.polname AS name,
       CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                     WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS command,
       p.polpermissive AS permissive,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r) END
             FROM unnest(p.polroles) r)::text[] AS roles,
       CASE WHEN p.polrelid IN (SELECT relation FROM locked) AND p.polqual IS NOT NULL THEN '(not readable: table locked)'
            ELSE pg_catalog.pg_get_expr(p.polqual, p.polrelid) END AS using_expr,
       CASE WHEN p.polrelid IN (SELECT relation FROM locked) AND p.polwithcheck IS NOT NULL THEN '(not readable: table locked)'
            ELSE pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) END AS check_expr,
       ARRAY(SELECT DISTINCT a.attname
             FROM pg_catalog.pg_depend d
             JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE d.classid = 'pg_catalog.pg_policy'::regclass AND d.objid = p.oid
               AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = p.polrelid
               AND d.refobjsubid > 0)::text[] AS referenced_columns
FROM pg_catalog.pg_policy p
WHERE p.polrelid = ANY($1::oid[])
ORDER BY p.polrelid, p.polname;
