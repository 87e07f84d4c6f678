-- Indexes of the given tables: each key's column name (NULL for expressions) and text, INCLUDE
-- columns, predicate, validity, and the constraint that owns it. Keys are unnested once for all
-- indexes (no per-index subqueries). pg_get_indexdef() is not called for whole indexes: it opens
-- every index (slow on 1,000 tables, and it waits behind locks); the definition is rebuilt from
-- these parts by the caller. $1: table oids.
WITH locked AS (
  -- Tables another session holds ACCESS EXCLUSIVE (a migration, say): deparsing their expressions
  -- (pg_get_expr, pg_get_indexdef) would wait for that lock, so their text is not read.
  SELECT DISTINCT l.relation FROM pg_catalog.pg_locks l
  WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.granted AND l.pid <> pg_catalog.pg_backend_pid()
),
idx AS (
  SELECT i.indexrelid, i.indrelid, i.indisunique, i.indisprimary, i.indisvalid, i.indnkeyatts, i.indkey, i.indpred,
         ic.relname, am.amname, i.indrelid IN (SELECT relation FROM locked) AS locked
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_catalog.pg_am am ON am.oid = ic.relam
  WHERE i.indrelid = ANY($1::oid[])
),
keys AS (
  SELECT x.indexrelid, k.ord, k.ord <= x.indnkeyatts AS is_key, a.attname::text AS attname,
         CASE WHEN k.attnum <> 0 THEN a.attname::text
              WHEN x.locked THEN '(expression: table locked)'
              ELSE pg_catalog.pg_get_indexdef(x.indexrelid, k.ord::int, true) END AS key_text
  FROM idx x
  CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum <> 0
),
agg AS (
  SELECT indexrelid,
         array_agg(attname ORDER BY ord) FILTER (WHERE is_key) AS key_columns,
         array_agg(key_text ORDER BY ord) FILTER (WHERE is_key) AS key_texts,
         coalesce(array_agg(attname ORDER BY ord) FILTER (WHERE NOT is_key), '{}') AS include_columns
  FROM keys GROUP BY indexrelid
)
SELECT x.indrelid::int8 AS oid,
       x.relname AS name,
       x.indisunique AS is_unique,
       x.indisprimary AS is_primary,
       x.indisvalid AS is_valid,
       x.indpred IS NOT NULL AS partial,
       CASE WHEN x.locked AND x.indpred IS NOT NULL THEN '(not readable: table locked)'
            ELSE pg_catalog.pg_get_expr(x.indpred, x.indrelid) END AS predicate,
       x.amname AS method,
       con.conname AS constraint_name,
       con.contype AS constraint_type,
       g.key_columns, g.key_texts, g.include_columns
FROM idx x
JOIN agg g ON g.indexrelid = x.indexrelid
LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
     AND con.contype IN ('p', 'u', 'x')
ORDER BY x.indrelid, x.relname;
