-- Helpers every demo scenario uses, in pg_temp so they vanish with the loading session.
-- The loader has already run set_config('demo.rows', N, false); nothing here is random: the same
-- rows give the same data on every machine, so tests and benchmarks are stable.

-- The --rows value: how many rows a main table gets.
CREATE FUNCTION pg_temp.demo_rows() RETURNS int
LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.rows')::int $$;

-- A well-mixed hash of a row number into [0, 2^32): Knuth's multiplicative hash.
CREATE FUNCTION pg_temp.demo_hash(g bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT (g * 2654435761) % 4294967296 $$;

-- Tenant number 1..n for row g, skewed: tenant 1 gets about a third of the rows, the last few a
-- handful each (a few big customers, many small ones). float8, not numeric: numeric power() is slow.
CREATE FUNCTION pg_temp.demo_skew(g bigint, n int) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
  SELECT least(n, 1 + floor(n * power(pg_temp.demo_hash(g)::float8 / 4294967296.0::float8, 2.2::float8))::int)
$$;

-- A stable pick in 1..n for row g (uniform), e.g. which parent row a child points at.
CREATE FUNCTION pg_temp.demo_pick(g bigint, n bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT 1 + pg_temp.demo_hash(g * 7 + 3) % greatest(n, 1) $$;

-- A deterministic UUID from a label and a number.
CREATE FUNCTION pg_temp.demo_uuid(label text, g bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$ SELECT md5(label || ':' || g)::uuid $$;

-- Tenant names: a few recognisable big customers, then generated ones.
CREATE FUNCTION pg_temp.demo_org_name(i int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE i
    WHEN 1 THEN 'Acme Learning' WHEN 2 THEN 'Northwind Traders' WHEN 3 THEN 'Globex'
    WHEN 4 THEN 'Initech' WHEN 5 THEN 'Umbrella Health' WHEN 6 THEN 'Stark Logistics'
    ELSE (ARRAY['Blue','Red','Green','Silver','Golden','Iron','Bright','Quiet','Swift','Tall'])[1 + i % 10]
         || ' ' || (ARRAY['Oak','River','Harbor','Peak','Field','Forge','Bay','Ridge','Grove','Mill'])[1 + (i / 10) % 10]
         || ' ' || (ARRAY['Ltd','Inc','GmbH','Co','LLC','Group','Labs','Studio'])[1 + (i / 100) % 8]
         || CASE WHEN i > 800 THEN ' ' || i ELSE '' END
  END
$$;
