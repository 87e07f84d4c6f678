-- Foreign keys into and out of one table (partition clones left out). $1: table oid.
SELECT con.conname AS name,
       CASE WHEN con.conrelid = $1::oid THEN 'out' ELSE 'in' END AS direction,
       cn.nspname AS child_schema, cc.relname AS child_table,
       pn.nspname AS parent_schema, pc.relname AS parent_table,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS ref_columns,
       con.confdeltype::text AS on_delete,
       con.confupdtype::text AS on_update,
       con.condeferred AS deferred,
       -- Whether an INSERT into the child checks this FK itself before its statement ends: not
       -- deferrable, an ordinary child table, and every RI trigger on it firing in this session.
       (NOT con.condeferrable AND cc.relkind = 'r'
        AND pg_catalog.current_setting('session_replication_role') = 'origin'
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                        WHERE t.tgconstraint = con.oid AND t.tgrelid = con.conrelid AND t.tgenabled NOT IN ('O', 'A'))) AS checked_by_insert
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class cc ON cc.oid = con.conrelid
JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace
JOIN pg_catalog.pg_class pc ON pc.oid = con.confrelid
JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
WHERE con.contype = 'f' AND con.conparentid = 0 AND (con.conrelid = $1::oid OR con.confrelid = $1::oid)
ORDER BY con.conname;
