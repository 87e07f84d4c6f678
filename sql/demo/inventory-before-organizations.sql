-- Runbook 004's real starting state: the single-tenant inventory application before
-- add_organization_support (only the init migration applied, through Prisma's ledger). One
-- company's users, items, three locations per site, a partitioned ledger, count sheets and lines,
-- audit logs and feature flags; no organizations, no org_id, no balance table yet.

SELECT set_config('demo.items', greatest(50, pg_temp.demo_rows() / 10)::text, false);
SELECT set_config('demo.sheets', greatest(20, pg_temp.demo_rows() / 50)::text, false);
SELECT set_config('demo.locations', '12', false);
CREATE FUNCTION pg_temp.items() RETURNS int LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.items')::int $$;
CREATE FUNCTION pg_temp.sheets() RETURNS int LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.sheets')::int $$;
CREATE FUNCTION pg_temp.locations() RETURNS int LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.locations')::int $$;

INSERT INTO locations (id, site, name)
SELECT (s - 1) * 3 + k, 'Site ' || s, (ARRAY['Main warehouse','Back room','Truck'])[k]
FROM generate_series(1, pg_temp.locations() / 3) s CROSS JOIN generate_series(1, 3) k;
SELECT setval(pg_get_serial_sequence('locations', 'id'), pg_temp.locations());

INSERT INTO users (id, email, name, role)
SELECT u, 'counter' || u || '@inventory.test', 'Counter ' || u, CASE WHEN u % 9 = 0 THEN 'admin' ELSE 'counter' END
FROM generate_series(1, greatest(40, pg_temp.demo_rows() / 20)) u;
SELECT setval(pg_get_serial_sequence('users', 'id'), greatest(40, pg_temp.demo_rows() / 20));

INSERT INTO items (id, item_number, name, unit)
SELECT k, 'ITM-' || lpad(k::text, 7, '0'),
       (ARRAY['Bolt','Nut','Washer','Bracket','Hinge','Cable','Filter','Valve'])[1 + k % 8] || ' ' || (k % 97),
       (ARRAY['ea','box','m','kg'])[1 + k % 4]
FROM generate_series(1, pg_temp.items()) k;
SELECT setval(pg_get_serial_sequence('items', 'id'), pg_temp.items());

INSERT INTO inventory_ledger (id, item_id, location_id, lot_id, kind, qty, occurred_on)
SELECT g, pg_temp.demo_pick(g, pg_temp.items())::int, 1 + (pg_temp.demo_hash(g) % pg_temp.locations())::int,
       CASE WHEN g % 4 = 0 THEN 'LOT-' || (g % 13) ELSE '' END,
       CASE WHEN g % 5 = 0 THEN 'issue' ELSE 'receipt' END,
       CASE WHEN g % 5 = 0 THEN -(1 + g % 7) ELSE 1 + g % 20 END, date '2024-01-01' + (g % 760)::int
FROM generate_series(1, pg_temp.demo_rows()) g;

INSERT INTO count_sheets (id, count_number, location_id, status, counted_on)
SELECT s, 'CNT-' || lpad(s::text, 6, '0'), 1 + s % pg_temp.locations(),
       CASE WHEN s % 6 = 0 THEN 'open' ELSE 'posted' END, date '2024-02-01' + (s % 700)::int
FROM generate_series(1, pg_temp.sheets()) s;
SELECT setval(pg_get_serial_sequence('count_sheets', 'id'), pg_temp.sheets());

INSERT INTO count_lines (id, sheet_id, item_id, counted_qty)
SELECT g, pg_temp.demo_pick(g, pg_temp.sheets()), pg_temp.demo_pick(g * 11, pg_temp.items()), (g % 40) + 0.5
FROM generate_series(1, pg_temp.demo_rows()) g;
SELECT setval(pg_get_serial_sequence('count_lines', 'id'), pg_temp.demo_rows());

INSERT INTO audit_logs (id, actor_id, action, entity, created_at)
SELECT g, 1 + g % greatest(40, pg_temp.demo_rows() / 20), (ARRAY['create','update','delete','post'])[1 + g % 4],
       (ARRAY['item','count_sheet','location','user'])[1 + g % 4], timestamp '2024-01-01' + g * interval '90 seconds'
FROM generate_series(1, pg_temp.demo_rows()) g;
SELECT setval(pg_get_serial_sequence('audit_logs', 'id'), pg_temp.demo_rows());

INSERT INTO feature_flags (key, enabled)
SELECT f, length(f) % 2 = 0 FROM unnest(ARRAY['cycle_counts','lot_tracking','balance_table','mobile_scan']) f;
