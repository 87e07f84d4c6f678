-- Indexes of the given tables: each key's text and column name (NULL for expressions), INCLUDE
-- columns, predicate, validity, and the constraint that owns it. $1: table oids.
SELECT i.indrelid::int8 AS oid,
       ic.relname AS name,
       i.indisunique AS is_unique,
       i.indisprimary AS is_primary,
       i.indisvalid AS is_valid,
       i.indpred IS NOT NULL AS partial,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
       pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
       con.conname AS constraint_name,
       con.contype AS constraint_type,
       ARRAY(SELECT CASE WHEN k.attnum = 0 THEN NULL ELSE a.attname END
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
             LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE k.ord <= i.indnkeyatts ORDER BY k.ord)::text[] AS key_columns,
       ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::int, true)
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
