-- Indexes of the given tables: their columns as attnums (0 for an expression; the caller names
-- them from the columns it read: no join with pg_attribute here), the number of key columns (the
-- rest are INCLUDE columns), the text of each expression key (only for indexes that have one),
-- predicate, validity, and the constraint that owns it. pg_get_indexdef() is not called for
-- whole indexes: it opens every index (slow on 1,000 tables, and it waits behind locks); the
-- definition is rebuilt from these parts by the caller. $1: table oids.
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
       CASE WHEN i.indpred IS NULL THEN NULL
            WHEN i.indrelid IN (SELECT relation FROM locked) THEN '(not readable: table locked)'
            ELSE pg_catalog.pg_get_expr(i.indpred, i.indrelid) END AS predicate,
       am.amname AS method,
       con.conname AS constraint_name,
       con.contype AS constraint_type,
       i.indkey::int2[] AS keys,
       i.indnkeyatts::int AS key_count,
       CASE WHEN i.indexprs IS NULL THEN NULL
            ELSE ARRAY(SELECT CASE WHEN k.attnum <> 0 THEN NULL
                                   WHEN i.indrelid IN (SELECT relation FROM locked) THEN '(expression: table locked)'
                                   ELSE pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::int, true) END
                       FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) ORDER BY k.ord) END AS expressions
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
     AND con.contype IN ('p', 'u', 'x')
WHERE i.indrelid = ANY($1::oid[])
ORDER BY i.indrelid, ic.relname;
