-- Columns of the given tables with type, NOT NULL and default. $1: table oids.
WITH locked AS (
  -- Tables another session holds ACCESS EXCLUSIVE (a migration, say): deparsing their expressions
  -- (pg_get_expr, pg_get_indexdef) would wait for that lock, so their text is not read.
  SELECT DISTINCT l.relation FROM pg_catalog.pg_locks l
  WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.granted AND l.pid <> pg_catalog.pg_backend_pid()
)
SELECT a.attrelid::int8 AS oid,
       a.attnum::int AS attnum,
       a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       CASE WHEN d.adrelid IN (SELECT relation FROM locked) THEN '(not readable: table locked)'
            ELSE pg_catalog.pg_get_expr(d.adbin, d.adrelid) END AS default_expr
FROM pg_catalog.pg_attribute a
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum;
