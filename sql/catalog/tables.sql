-- Tables in scope: ordinary and partitioned tables that are not partitions, with estimates and
-- sizes summed over their leaf partitions, RLS state, whether the current role may read them,
-- who holds ACCESS EXCLUSIVE on them, their owner and the other roles granted SELECT on them
-- (from relacl: no privilege function per role). Set-based (one recursive walk of pg_inherits), so 1,000
-- tables cost milliseconds. Sizes come from relpages (table, TOAST, indexes), not
-- pg_total_relation_size(), which locks every table and would wait behind a migration.
-- $1: schema names.
WITH RECURSIVE roots AS (
  SELECT c.oid, n.nspname AS schema, c.relname AS table, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relowner, c.relacl
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[])
),
tree AS (
  SELECT r.oid AS root, r.oid AS rel FROM roots r
  UNION ALL
  SELECT t.root, i.inhrelid
  FROM tree t
  JOIN pg_catalog.pg_inherits i ON i.inhparent = t.rel
  JOIN pg_catalog.pg_class ch ON ch.oid = i.inhrelid AND ch.relispartition
),
index_pages AS (
  SELECT i.indrelid, sum(ic.relpages)::int8 AS pages
  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  GROUP BY i.indrelid
),
leaves AS (
  SELECT t.root,
         (l.oid <> t.root) AS is_partition,
         l.reltuples,
         l.relpages + coalesce(toast.relpages, 0) + coalesce(ip.pages, 0) AS pages
  FROM tree t
  JOIN pg_catalog.pg_class l ON l.oid = t.rel AND l.relkind = 'r'
  LEFT JOIN pg_catalog.pg_class toast ON toast.oid = l.reltoastrelid
  LEFT JOIN index_pages ip ON ip.indrelid = l.oid
),
totals AS (
  SELECT root,
         count(*) FILTER (WHERE is_partition)::int AS partitions,
         CASE WHEN bool_and(reltuples < 0) THEN NULL ELSE sum(greatest(reltuples, 0))::float8 END AS estimated_rows,
         sum(pages)::int8 AS pages
  FROM leaves GROUP BY root
),
locks AS (
  SELECT l.relation, min(l.pid) AS pid
  FROM pg_catalog.pg_locks l
  WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.granted AND l.pid <> pg_catalog.pg_backend_pid()
  GROUP BY l.relation
)
SELECT r.oid::int8 AS oid,
       r.schema,
       r.table,
       r.relkind = 'p' AS partitioned,
       r.relrowsecurity AS rls_enabled,
       r.relforcerowsecurity AS rls_forced,
       pg_catalog.has_table_privilege(r.oid, 'SELECT') AS readable,
       lk.pid AS locked_by,
       pg_catalog.pg_get_userbyid(r.relowner)::text AS owner,
       ARRAY(SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END
             FROM pg_catalog.aclexplode(r.relacl) a
             WHERE a.privilege_type = 'SELECT' AND a.grantee <> r.relowner ORDER BY 1) AS readers,
       coalesce(t.partitions, 0) AS partitions,
       t.estimated_rows,
       (coalesce(t.pages, 0) * current_setting('block_size')::int8)::int8 AS size_bytes
FROM roots r
LEFT JOIN totals t ON t.root = r.oid
LEFT JOIN locks lk ON lk.relation = r.oid
ORDER BY r.schema, r.table;
