-- Tables in scope: ordinary and partitioned tables that are not partitions, with estimates and
-- sizes summed over the partition tree, RLS state and whether the current role may read them.
-- Sizes come from relpages (table, TOAST, indexes), not pg_total_relation_size(), which takes a
-- lock on every table and would wait behind a migration's ACCESS EXCLUSIVE lock. $1: schema names.
SELECT c.oid::int8 AS oid,
       n.nspname AS schema,
       c.relname AS table,
       c.relkind = 'p' AS partitioned,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       has_table_privilege(c.oid, 'SELECT') AS readable,
       (SELECT min(l.pid) FROM pg_catalog.pg_locks l
         WHERE l.locktype = 'relation' AND l.relation = c.oid AND l.mode = 'AccessExclusiveLock' AND l.granted
           AND l.pid <> pg_catalog.pg_backend_pid()) AS locked_by,
       t.partitions,
       t.estimated_rows,
       t.size_bytes
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL (
  SELECT CASE WHEN c.relkind = 'p' THEN count(*)::int ELSE 0 END AS partitions,
         CASE WHEN bool_and(l.reltuples < 0) THEN NULL
              ELSE sum(greatest(l.reltuples, 0))::float8 END AS estimated_rows,
         (coalesce(sum(l.relpages
            + coalesce((SELECT t.relpages FROM pg_catalog.pg_class t WHERE t.oid = l.reltoastrelid), 0)
            + coalesce((SELECT sum(ic.relpages) FROM pg_catalog.pg_index i
                        JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = l.oid), 0)), 0)
          * current_setting('block_size')::int8)::int8 AS size_bytes
  FROM pg_catalog.pg_class l
  WHERE (c.relkind <> 'p' AND l.oid = c.oid)
     OR (c.relkind = 'p' AND l.oid IN (SELECT relid FROM pg_catalog.pg_partition_tree(c.oid) WHERE isleaf))
) t
WHERE c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND n.nspname = ANY($1::text[])
ORDER BY n.nspname, c.relname;
