-- Indexes of the given tables: each key's text and column name (NULL for expressions), INCLUDE
-- columns, predicate, validity, and the constraint that owns it. $1: table oids.
WITH locked AS (
  -- Tables another session holds ACCESS EXCLUSIVE (a migration, say): deparsing their expressions
  -- (pg_get_expr, pg_get_indexdef) would wait for that lock, so their text is not read.
  SELECT DISTINCT l.relation FROM pg_catalog.pg_locks l
  WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.granted AND l.pid <> pg_catalog.pg_backend_pid()
)
SELECT i.indrelid::int8 AS oid,
       ic.relname AS name,
       i.indisunique AS is_unique,
       i.indisprimary AS is_primary,
       i.indisvalid AS is_valid,
       i.indpred IS NOT NULL AS partial,
       CASE WHEN i.indrelid IN (SELECT relation FROM locked) AND i.indpred IS NOT NULL THEN '(not readable: table locked)'
            ELSE pg_catalog.pg_get_expr(i.indpred, i.indrelid) END AS predicate,
       CASE WHEN i.indrelid IN (SELECT relation FROM locked) THEN '(definition not readable: table locked)'
            ELSE pg_catalog.pg_get_indexdef(i.indexrelid) END AS definition,
       con.conname AS constraint_name,
       con.contype AS constraint_type,
       ARRAY(SELECT CASE WHEN k.attnum = 0 THEN NULL ELSE a.attname END
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
             LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE k.ord <= i.indnkeyatts ORDER BY k.ord)::text[] AS key_columns,
       ARRAY(SELECT CASE WHEN (i.indkey::int2[])[k.ord - 1] <> 0
                         THEN (SELECT a.attname::text FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = (i.indkey::int2[])[k.ord - 1])
                         WHEN i.indrelid IN (SELECT relation FROM locked) THEN '(expression: table locked)'
                         ELSE pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::int, true) END
             FROM generate_series(1, i.indnkeyatts) k(ord) ORDER BY k.ord) AS key_texts,
       ARRAY(SELECT a.attname
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE k.ord > i.indnkeyatts ORDER BY k.ord)::text[] AS include_columns
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
     AND con.contype IN ('p', 'u', 'x')
WHERE i.indrelid = ANY($1::oid[])
ORDER BY i.indrelid, ic.relname;
