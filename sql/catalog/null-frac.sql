-- pg_stats.null_frac of the tenant column names across tables; for partitioned parents the
-- inherited statistics. $1: schema names, $2: column names.
SELECT s.schemaname AS schema, s.tablename AS table, s.attname AS column, s.inherited, s.null_frac::float8 AS null_frac
FROM pg_catalog.pg_stats s
WHERE s.schemaname = ANY($1::text[]) AND s.attname = ANY($2::text[]);
