-- The lock picture around one backend ($1 = the applying pid): itself, the sessions it waits for
-- (pg_blocking_pids) and the sessions queued behind it, with their relation locks and ungranted locks.
SELECT a.pid,
       CASE WHEN a.pid = $1 THEN 'self'
            WHEN a.pid = ANY (pg_catalog.pg_blocking_pids($1)) THEN 'blocker'
            ELSE 'waiter' END AS role,
       a.usename::text AS "user",
       a.application_name AS application,
       a.state,
       left(a.query, 1000) AS query,
       extract(epoch FROM now() - a.xact_start)::float8 AS xact_age,
       (SELECT coalesce(json_agg(json_build_object(
                 'relation', CASE WHEN l.relation IS NOT NULL THEN l.relation::regclass::text END,
                 'mode', l.mode,
                 'granted', l.granted,
                 'lockType', l.locktype,
                 'transaction', l.transactionid::text,
                 -- A row lock is a wait on the holder's transaction id: the session that holds it.
                 'heldBy', CASE WHEN NOT l.granted AND l.locktype = 'transactionid' THEN
                   (SELECT h.pid FROM pg_catalog.pg_locks h WHERE h.locktype = 'transactionid' AND h.transactionid = l.transactionid AND h.granted LIMIT 1) END,
                 'waiting', CASE WHEN NOT l.granted THEN extract(epoch FROM now() - /*WAITSTART*/l.waitstart)::float8 END)
               ORDER BY l.granted, l.mode), '[]'::json)
          FROM pg_catalog.pg_locks l
         WHERE l.pid = a.pid
           AND (l.locktype = 'relation' OR NOT l.granted)
           AND (l.database IS NULL OR l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()))
       ) AS locks
  FROM pg_catalog.pg_stat_activity a
 WHERE a.pid = $1
    OR a.pid = ANY (pg_catalog.pg_blocking_pids($1))
    OR $1 = ANY (pg_catalog.pg_blocking_pids(a.pid))
