-- Scenario 004, Prisma + Railway inventory (runbook 004): the organization migration has run on
-- most tables, the balance table exists and is kept by a trigger. A few hundred organizations.
-- Defects as the app left them:
--   * count_lines rows whose org_id differs from their count sheet's (FK count_lines.sheet_id)
--   * audit_logs: no FK to organizations yet, and rows of deleted organizations (orphans)
--   * items_itemNumber_key: item numbers still unique across all organizations
--   * no RLS (isolation is the app's tenant middleware)

SELECT set_config('demo.orgs', greatest(20, pg_temp.demo_rows() / 20)::text, false);
SELECT set_config('demo.items', greatest(50, pg_temp.demo_rows() / 10)::text, false);
SELECT set_config('demo.sheets', greatest(20, pg_temp.demo_rows() / 50)::text, false);
CREATE FUNCTION pg_temp.orgs() RETURNS int LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.orgs')::int $$;
CREATE FUNCTION pg_temp.items() RETURNS int LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.items')::int $$;
CREATE FUNCTION pg_temp.sheets() RETURNS int LANGUAGE sql STABLE AS $$ SELECT current_setting('demo.sheets')::int $$;
CREATE FUNCTION pg_temp.org(i int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'org_' || lpad(i::text, 5, '0') $$;
-- Item k belongs to organization item_org(k); location (o-1)*3+1..3 belongs to organization o.
CREATE FUNCTION pg_temp.item_org(k bigint) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_temp.demo_skew(k, current_setting('demo.orgs')::int) $$;
CREATE FUNCTION pg_temp.sheet_location(s bigint) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT ((pg_temp.item_org(s * 3 + 1) - 1) * 3 + 1 + s % 3)::int $$;

CREATE TABLE organizations (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE users (
  id serial PRIMARY KEY,
  org_id text NOT NULL CONSTRAINT "users_orgId_fkey" REFERENCES organizations (id),
  email text NOT NULL,
  name text NOT NULL,
  role text NOT NULL DEFAULT 'counter'
);
CREATE UNIQUE INDEX "users_orgId_email_key" ON users (org_id, email);
CREATE TABLE items (
  id serial PRIMARY KEY,
  org_id text NOT NULL CONSTRAINT "items_orgId_fkey" REFERENCES organizations (id),
  item_number text NOT NULL,
  name text NOT NULL,
  unit text NOT NULL DEFAULT 'ea'
);
CREATE UNIQUE INDEX "items_itemNumber_key" ON items (item_number);
CREATE INDEX items_org_id_idx ON items (org_id);
CREATE TABLE locations (
  id serial PRIMARY KEY,
  org_id text NOT NULL CONSTRAINT "locations_orgId_fkey" REFERENCES organizations (id),
  site text NOT NULL,
  name text NOT NULL
);
CREATE UNIQUE INDEX "locations_orgId_site_name_key" ON locations (org_id, site, name);
CREATE TABLE inventory_ledger (
  id bigint NOT NULL,
  org_id text NOT NULL CONSTRAINT "inventory_ledger_orgId_fkey" REFERENCES organizations (id),
  item_id integer NOT NULL REFERENCES items (id),
  location_id integer NOT NULL REFERENCES locations (id),
  lot_id text NOT NULL DEFAULT '',
  kind text NOT NULL,
  qty numeric(12, 2) NOT NULL,
  occurred_on date NOT NULL,
  PRIMARY KEY (id, occurred_on)
) PARTITION BY RANGE (occurred_on);
CREATE TABLE inventory_ledger_2024h1 PARTITION OF inventory_ledger FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE inventory_ledger_2024h2 PARTITION OF inventory_ledger FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
CREATE TABLE inventory_ledger_2025h1 PARTITION OF inventory_ledger FOR VALUES FROM ('2025-01-01') TO ('2025-07-01');
CREATE TABLE inventory_ledger_2025h2 PARTITION OF inventory_ledger FOR VALUES FROM ('2025-07-01') TO ('2026-01-01');
CREATE TABLE inventory_ledger_default PARTITION OF inventory_ledger DEFAULT;
CREATE TABLE inventory_balances (
  org_id text NOT NULL CONSTRAINT "inventory_balances_orgId_fkey" REFERENCES organizations (id),
  item_id integer NOT NULL REFERENCES items (id),
  location_id integer NOT NULL REFERENCES locations (id),
  lot_id text NOT NULL DEFAULT '',
  on_hand numeric(14, 2) NOT NULL,
  updated_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (org_id, item_id, location_id, lot_id)
);
CREATE TABLE count_sheets (
  id serial PRIMARY KEY,
  org_id text NOT NULL CONSTRAINT "count_sheets_orgId_fkey" REFERENCES organizations (id),
  count_number text NOT NULL,
  location_id integer NOT NULL REFERENCES locations (id),
  status text NOT NULL DEFAULT 'open',
  counted_on date NOT NULL
);
CREATE UNIQUE INDEX "count_sheets_orgId_countNumber_key" ON count_sheets (org_id, count_number);
CREATE TABLE count_lines (
  id serial PRIMARY KEY,
  org_id text NOT NULL CONSTRAINT "count_lines_orgId_fkey" REFERENCES organizations (id),
  sheet_id integer NOT NULL REFERENCES count_sheets (id) ON DELETE CASCADE,
  item_id integer NOT NULL REFERENCES items (id),
  counted_qty numeric(12, 2) NOT NULL
);
CREATE INDEX count_lines_org_id_sheet_id_idx ON count_lines (org_id, sheet_id);
CREATE TABLE audit_logs (
  id bigserial PRIMARY KEY,
  org_id text NOT NULL,
  actor_id integer,
  action text NOT NULL,
  entity text NOT NULL,
  created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX audit_logs_org_id_created_at_idx ON audit_logs (org_id, created_at);
CREATE TABLE feature_flags (
  id serial PRIMARY KEY,
  org_id text NOT NULL CONSTRAINT "feature_flags_orgId_fkey" REFERENCES organizations (id),
  key text NOT NULL,
  enabled boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX "feature_flags_orgId_key_key" ON feature_flags (org_id, key);

INSERT INTO organizations (id, name, created_at)
SELECT pg_temp.org(o), CASE WHEN o = 1 THEN 'Default Organization' ELSE pg_temp.demo_org_name(o) END,
       timestamp '2025-01-10' + o * interval '90 minutes'
FROM generate_series(1, pg_temp.orgs()) o;

INSERT INTO locations (id, org_id, site, name)
SELECT (o - 1) * 3 + k, pg_temp.org(o), 'Site ' || (1 + o % 4), (ARRAY['Main warehouse','Back room','Truck'])[k]
FROM generate_series(1, pg_temp.orgs()) o CROSS JOIN generate_series(1, 3) k;
SELECT setval(pg_get_serial_sequence('locations', 'id'), pg_temp.orgs() * 3);

INSERT INTO users (id, org_id, email, name, role)
SELECT u, pg_temp.org(pg_temp.item_org(u * 5 + 2)), 'counter' || u || '@inventory.test', 'Counter ' || u,
       CASE WHEN u % 9 = 0 THEN 'admin' ELSE 'counter' END
FROM generate_series(1, greatest(40, pg_temp.demo_rows() / 20)) u;
SELECT setval(pg_get_serial_sequence('users', 'id'), greatest(40, pg_temp.demo_rows() / 20));

INSERT INTO items (id, org_id, item_number, name, unit)
SELECT k, pg_temp.org(pg_temp.item_org(k)), 'ITM-' || lpad(k::text, 7, '0'),
       (ARRAY['Bolt','Nut','Washer','Bracket','Hinge','Cable','Filter','Valve'])[1 + k % 8] || ' ' || (k % 97),
       (ARRAY['ea','box','m','kg'])[1 + k % 4]
FROM generate_series(1, pg_temp.items()) k;
SELECT setval(pg_get_serial_sequence('items', 'id'), pg_temp.items());

-- Ledger rows follow their item's organization and use one of its locations.
INSERT INTO inventory_ledger (id, org_id, item_id, location_id, lot_id, kind, qty, occurred_on)
SELECT g, pg_temp.org(o), k, (o - 1) * 3 + 1 + (g % 3)::int, CASE WHEN g % 4 = 0 THEN 'LOT-' || (g % 13) ELSE '' END,
       CASE WHEN g % 5 = 0 THEN 'issue' ELSE 'receipt' END,
       CASE WHEN g % 5 = 0 THEN -(1 + g % 7) ELSE 1 + g % 20 END, date '2024-01-01' + (g % 760)::int
FROM generate_series(1, pg_temp.demo_rows()) g
CROSS JOIN LATERAL (SELECT pg_temp.demo_pick(g, pg_temp.items())::int AS k) p
CROSS JOIN LATERAL (SELECT pg_temp.item_org(p.k) AS o) q;
CREATE INDEX inventory_ledger_org_id_occurred_on_idx ON inventory_ledger (org_id, occurred_on);

-- backfill-balances.ts, set-based: one balance per (org, item, location, lot).
INSERT INTO inventory_balances (org_id, item_id, location_id, lot_id, on_hand)
SELECT org_id, item_id, location_id, lot_id, sum(qty) FROM inventory_ledger GROUP BY 1, 2, 3, 4;

CREATE FUNCTION update_inventory_balance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inventory_balances AS b (org_id, item_id, location_id, lot_id, on_hand, updated_at)
  VALUES (NEW.org_id, NEW.item_id, NEW.location_id, NEW.lot_id, NEW.qty, CURRENT_TIMESTAMP)
  ON CONFLICT (org_id, item_id, location_id, lot_id)
  DO UPDATE SET on_hand = b.on_hand + EXCLUDED.on_hand, updated_at = CURRENT_TIMESTAMP;
  RETURN NEW;
END
$$;
CREATE TRIGGER inventory_ledger_balance_trigger AFTER INSERT ON inventory_ledger
  FOR EACH ROW EXECUTE FUNCTION update_inventory_balance();

INSERT INTO count_sheets (id, org_id, count_number, location_id, status, counted_on)
SELECT s, pg_temp.org((pg_temp.sheet_location(s) - 1) / 3 + 1), 'CNT-' || lpad(s::text, 6, '0'), pg_temp.sheet_location(s),
       CASE WHEN s % 6 = 0 THEN 'open' ELSE 'posted' END, date '2024-02-01' + (s % 700)::int
FROM generate_series(1, pg_temp.sheets()) s;
SELECT setval(pg_get_serial_sequence('count_sheets', 'id'), pg_temp.sheets());

-- Count lines use an item of their sheet's organization; every 97th line was copied from another
-- organization's sheet by the "duplicate count" feature and kept its own org_id.
CREATE TEMP TABLE org_items AS
SELECT org_id, id, row_number() OVER (PARTITION BY org_id ORDER BY id) AS rn FROM items;
CREATE TEMP TABLE org_item_counts AS SELECT org_id, count(*) AS cnt FROM items GROUP BY org_id;
INSERT INTO count_lines (id, org_id, sheet_id, item_id, counted_qty)
SELECT g,
       CASE WHEN g % 97 = 13 THEN pg_temp.org(1 + ((sh.o + 2) % pg_temp.orgs())) ELSE pg_temp.org(sh.o) END,
       sh.s, oi.id, (g % 40) + 0.5
FROM generate_series(1, pg_temp.demo_rows()) g
CROSS JOIN LATERAL (
  SELECT pg_temp.demo_pick(g, pg_temp.sheets()) AS s,
         (pg_temp.sheet_location(pg_temp.demo_pick(g, pg_temp.sheets())) - 1) / 3 + 1 AS o
) sh
JOIN org_item_counts oc ON oc.org_id = pg_temp.org(sh.o)
JOIN org_items oi ON oi.org_id = oc.org_id AND oi.rn = 1 + g % oc.cnt;
SELECT setval(pg_get_serial_sequence('count_lines', 'id'), pg_temp.demo_rows());

INSERT INTO audit_logs (id, org_id, actor_id, action, entity, created_at)
SELECT g, CASE WHEN g % 61 = 0 THEN 'org_deleted_' || (g % 4) ELSE pg_temp.org(pg_temp.item_org(g * 3 + 1)) END,
       1 + g % greatest(40, pg_temp.demo_rows() / 20), (ARRAY['create','update','delete','post'])[1 + g % 4],
       (ARRAY['item','count_sheet','location','user'])[1 + g % 4], timestamp '2024-01-01' + g * interval '90 seconds'
FROM generate_series(1, pg_temp.demo_rows()) g;
SELECT setval(pg_get_serial_sequence('audit_logs', 'id'), pg_temp.demo_rows());

INSERT INTO feature_flags (org_id, key, enabled)
SELECT pg_temp.org(o), f, (o + length(f)) % 3 = 0
FROM generate_series(1, pg_temp.orgs()) o CROSS JOIN unnest(ARRAY['cycle_counts','lot_tracking','balance_table','mobile_scan']) f;
