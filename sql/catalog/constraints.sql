-- Primary keys and foreign keys (composite ones too) of the given tables, with column names in
-- key order, unnested once for all constraints. Constraints inherited by partitions are not
-- listed (only the parent's). $1: table oids.
WITH con AS (
  SELECT c.oid, c.conrelid, c.confrelid, c.conname, c.contype, c.convalidated, c.conkey, c.confkey
  FROM pg_catalog.pg_constraint c
  WHERE c.conrelid = ANY($1::oid[]) AND c.contype IN ('p', 'f') AND (c.contype = 'p' OR c.conparentid = 0)
),
cols AS (
  SELECT c.oid,
         array_agg(a.attname::text ORDER BY k.ord) AS columns,
         array_agg(fa.attname::text ORDER BY k.ord) FILTER (WHERE fa.attname IS NOT NULL) AS ref_columns
  FROM con c
  CROSS JOIN LATERAL unnest(c.conkey, coalesce(c.confkey, '{}'::int2[])) WITH ORDINALITY k(attnum, fattnum, ord)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
  LEFT JOIN pg_catalog.pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = k.fattnum
  GROUP BY c.oid
)
SELECT c.conrelid::int8 AS oid,
       c.conname AS name,
       c.contype AS type,
       c.convalidated AS validated,
       rn.nspname AS ref_schema,
       rc.relname AS ref_table,
       k.columns,
       coalesce(k.ref_columns, '{}') AS ref_columns
FROM con c
JOIN cols k ON k.oid = c.oid
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = c.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
ORDER BY c.conrelid, c.conname;
