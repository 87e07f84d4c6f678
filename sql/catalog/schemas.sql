-- Every schema the current database has, excluding PostgreSQL's own.
SELECT n.nspname AS name
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
ORDER BY n.nspname = 'public' DESC, n.nspname;
