-- Primary keys and foreign keys (composite ones too) of the given tables, with column names in
-- key order. Constraints inherited by partitions are not listed (only the parent's). $1: table oids.
SELECT con.conrelid::int8 AS oid,
       con.conname AS name,
       con.contype AS type,
       con.convalidated AS validated,
       rn.nspname AS ref_schema,
       rc.relname AS ref_table,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord)::text[] AS columns,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.ord)::text[] AS ref_columns
FROM pg_catalog.pg_constraint con
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.conrelid = ANY($1::oid[])
  AND con.contype IN ('p', 'f')
  AND (con.contype = 'p' OR con.conparentid = 0)
ORDER BY con.conrelid, con.conname;
