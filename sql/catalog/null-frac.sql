-- pg_stats.null_frac of one column name across tables; for partitioned parents the inherited
-- statistics. $1: schema names, $2: column name.
SELECT s.schemaname AS schema, s.tablename AS table, s.inherited, s.null_frac::float8 AS null_frac
FROM pg_catalog.pg_stats s
WHERE s.schemaname = ANY($1::text[]) AND s.attname = $2;
