-- Primary keys and foreign keys (composite ones too) of the given tables, their columns as attnums
-- in key order (the caller names them from the columns it read: no join with pg_attribute here),
-- and the referenced table's oid, schema and name. Constraints inherited by partitions are not
-- listed (only the parent's). $1: table oids.
SELECT c.conrelid::int8 AS oid,
       c.conname AS name,
       c.contype AS type,
       c.convalidated AS validated,
       c.confrelid::int8 AS ref_oid,
       rn.nspname AS ref_schema,
       rc.relname AS ref_table,
       c.conkey::int2[] AS keys,
       coalesce(c.confkey, '{}')::int2[] AS ref_keys
FROM pg_catalog.pg_constraint c
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = c.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE c.conrelid = ANY($1::oid[]) AND c.contype IN ('p', 'f') AND (c.contype = 'p' OR c.conparentid = 0)
ORDER BY c.conrelid, c.conname;
