/**
 * The lint corpus: cases written from squawk's rule docs, strong_migrations' dangers and
 * PostgreSQL's lock documentation. Each case is a migration folder (files in apply order; the last
 * one is under test), the rule, and whether it must fire (unsafe) or stay silent (the safe twin).
 * `v` is the server_version_num assumed.
 */
import type { LintRuleId } from '../../shared/migrations.js';

/** One corpus case. */
export interface LintCase {
  rule: LintRuleId;
  files: string[];
  fires: boolean;
  v?: number;
  tenant?: string[];
  /** The lock the finding must name (unsafe cases). */
  lock?: string;
  /** The finding has no rewrite (nothing safe can be pasted, e.g. CLUSTER). */
  noRewrite?: boolean;
  /** The rewrite only mitigates (no lock-free form exists), so it trips the rule again. */
  mitigationOnly?: boolean;
}

const u = (rule: LintRuleId, files: string | string[], extra: Partial<LintCase> = {}): LintCase => ({ rule, files: [files].flat(), fires: true, ...extra });
const s = (rule: LintRuleId, files: string | string[], extra: Partial<LintCase> = {}): LintCase => ({ rule, files: [files].flat(), fires: false, ...extra });
const T = 'CREATE TABLE items (id bigint, org_id bigint, sku text, qty int, note text);';

/** Every case of the corpus. */
export const CORPUS: LintCase[] = [
  // parse-error; empty files and a BOM are not errors
  u('parse-error', 'ALTER TABLE items ADD COLUMN;', { noRewrite: true }),
  u('parse-error', 'SELECT 1;\nCREATE TABLE (;', { noRewrite: true }),
  s('parse-error', ''),
  s('parse-error', '-- nothing here yet\n/* really */\n'),
  s('parse-error', '\uFEFFSELECT 1;'),
  s('parse-error', '\uFEFF'),

  // not-null-without-check
  u('not-null-without-check', 'ALTER TABLE items ALTER COLUMN org_id SET NOT NULL;', { lock: 'ACCESS EXCLUSIVE on public.items' }),
  u('not-null-without-check', 'ALTER TABLE items ADD COLUMN note2 text, ALTER COLUMN org_id SET NOT NULL;'),
  u('not-null-without-check', 'ALTER TABLE "My Schema"."Tab;le" ALTER COLUMN "Org Id" SET NOT NULL;'),
  u('not-null-without-check', ["ALTER TABLE items ADD CONSTRAINT nn CHECK (org_id IS NOT NULL) NOT VALID;", 'ALTER TABLE items VALIDATE CONSTRAINT nn;\nALTER TABLE items ALTER COLUMN org_id SET NOT NULL;'], { v: 110000 }),
  u('not-null-without-check', ["ALTER TABLE items ADD CONSTRAINT nn CHECK (sku IS NOT NULL) NOT VALID;", 'ALTER TABLE items VALIDATE CONSTRAINT nn;\nALTER TABLE items ALTER COLUMN org_id SET NOT NULL;']),
  u('not-null-without-check', ["ALTER TABLE items ADD CONSTRAINT nn CHECK (org_id IS NOT NULL) NOT VALID;", 'ALTER TABLE items ALTER COLUMN org_id SET NOT NULL;']),
  s('not-null-without-check', ["ALTER TABLE items ADD CONSTRAINT nn CHECK (org_id IS NOT NULL) NOT VALID;", 'ALTER TABLE items VALIDATE CONSTRAINT nn;\nALTER TABLE items ALTER COLUMN org_id SET NOT NULL;\nALTER TABLE items DROP CONSTRAINT nn;'], { v: 120000 }),
  s('not-null-without-check', ['ALTER TABLE items ADD CONSTRAINT nn CHECK (org_id IS NOT NULL);', 'ALTER TABLE items ALTER COLUMN org_id SET NOT NULL;'], { v: 170000 }),
  s('not-null-without-check', `${T}\nALTER TABLE items ALTER COLUMN org_id SET NOT NULL;`),
  s('not-null-without-check', 'ALTER TABLE items ALTER COLUMN org_id DROP NOT NULL;'),

  // index-not-concurrent
  u('index-not-concurrent', 'CREATE INDEX items_org ON items (org_id);', { lock: 'SHARE on public.items' }),
  u('index-not-concurrent', 'CREATE UNIQUE INDEX IF NOT EXISTS items_sku ON public.items USING btree (sku) WHERE sku IS NOT NULL;'),
  u('index-not-concurrent', 'CREATE INDEX ON items (lower(note));'),
  u('index-not-concurrent', "SET lock_timeout = '2s';\nCREATE INDEX items_org ON items (org_id) INCLUDE (qty);"),
  s('index-not-concurrent', 'CREATE INDEX CONCURRENTLY items_org ON items (org_id);'),
  s('index-not-concurrent', `${T}\nCREATE INDEX items_org ON items (org_id);`),
  s('index-not-concurrent', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS items_org ON items (org_id);'),

  // constraint-not-valid-missing (FK, CHECK, inline in ADD COLUMN)
  u('constraint-not-valid-missing', 'ALTER TABLE items ADD CONSTRAINT items_org_fk FOREIGN KEY (org_id) REFERENCES organizations (id);', { lock: 'SHARE ROW EXCLUSIVE on public.items' }),
  u('constraint-not-valid-missing', 'ALTER TABLE items ADD FOREIGN KEY (org_id) REFERENCES organizations (id) ON DELETE CASCADE;'),
  u('constraint-not-valid-missing', 'ALTER TABLE items ADD CONSTRAINT qty_pos CHECK (qty > 0);', { lock: 'ACCESS EXCLUSIVE on public.items' }),
  u('constraint-not-valid-missing', 'ALTER TABLE items ADD CHECK (qty > 0) -- trailing comment swallowed NOT VALID before\n;'),
  u('constraint-not-valid-missing', 'ALTER TABLE items ADD COLUMN note2 text, ADD CONSTRAINT qty_pos CHECK (qty > 0), ADD COLUMN note3 text;'),
  u('constraint-not-valid-missing', 'ALTER TABLE items ADD COLUMN owner_id bigint REFERENCES users (id);'),
  u('constraint-not-valid-missing', 'ALTER TABLE items ADD COLUMN owner_id bigint CONSTRAINT items_owner_fk REFERENCES users (id) ON DELETE SET NULL;'),
  u('constraint-not-valid-missing', 'ALTER TABLE items ADD COLUMN price int CHECK (price >= 0);'),
  s('constraint-not-valid-missing', 'ALTER TABLE items ADD CONSTRAINT items_org_fk FOREIGN KEY (org_id) REFERENCES organizations (id) NOT VALID;'),
  s('constraint-not-valid-missing', 'ALTER TABLE items ADD CONSTRAINT qty_pos CHECK (qty > 0) NOT VALID;'),
  s('constraint-not-valid-missing', `${T}\nALTER TABLE items ADD CONSTRAINT qty_pos CHECK (qty > 0);`),
  s('constraint-not-valid-missing', 'ALTER TABLE items ADD COLUMN owner_id bigint;'),
  s('constraint-not-valid-missing', 'CREATE TABLE lines (id int, item_id bigint REFERENCES items (id));'),

  // validate-same-transaction (runner's wrap, explicit BEGIN..COMMIT; autocommit is fine)
  u('validate-same-transaction', 'ALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES organizations (id) NOT VALID;\nALTER TABLE items VALIDATE CONSTRAINT fk;'),
  u('validate-same-transaction', 'BEGIN;\nALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES organizations (id) NOT VALID;\nALTER TABLE items VALIDATE CONSTRAINT fk;\nCOMMIT;', { lock: 'SHARE UPDATE EXCLUSIVE on public.items' }),
  u('validate-same-transaction', 'ALTER TABLE items ADD CONSTRAINT c CHECK (qty > 0) NOT VALID;\nALTER TABLE items VALIDATE CONSTRAINT c;'),
  s('validate-same-transaction', ['ALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES organizations (id) NOT VALID;', 'ALTER TABLE items VALIDATE CONSTRAINT fk;']),
  s('validate-same-transaction', 'BEGIN;\nALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES organizations (id) NOT VALID;\nCOMMIT;\nBEGIN;\nALTER TABLE items VALIDATE CONSTRAINT fk;\nCOMMIT;'),
  s('validate-same-transaction', 'ALTER TABLE items VALIDATE CONSTRAINT fk;'),

  // volatile-default (allow-list, user functions, before PostgreSQL 11)
  u('volatile-default', 'ALTER TABLE items ADD COLUMN token uuid DEFAULT gen_random_uuid();'),
  u('volatile-default', 'ALTER TABLE items ADD COLUMN tokens uuid[] DEFAULT ARRAY[gen_random_uuid()];'),
  u('volatile-default', 'ALTER TABLE items ADD COLUMN n float8 DEFAULT random() * 10;'),
  u('volatile-default', 'ALTER TABLE items ADD COLUMN h text DEFAULT md5(random()::text) NOT NULL;'),
  u('volatile-default', 'ALTER TABLE items ADD COLUMN price numeric(10,2) DEFAULT (random() * 100)::numeric(10,2);'),
  u('volatile-default', 'ALTER TABLE items ADD COLUMN t timestamptz DEFAULT clock_timestamp();'),
  u('volatile-default', 'ALTER TABLE items ADD COLUMN k text DEFAULT my_schema.make_key();'),
  u('volatile-default', 'ALTER TABLE items ADD COLUMN k int DEFAULT (SELECT max(id) FROM items);'),
  u('volatile-default', 'ALTER TABLE items ADD COLUMN flag boolean DEFAULT false;', { v: 100000 }),
  s('volatile-default', 'ALTER TABLE items ADD COLUMN flag boolean DEFAULT false;', { v: 110000 }),
  s('volatile-default', 'ALTER TABLE items ADD COLUMN created timestamptz DEFAULT now();'),
  s('volatile-default', 'ALTER TABLE items ADD COLUMN created timestamptz DEFAULT CURRENT_TIMESTAMP;'),
  s('volatile-default', "ALTER TABLE items ADD COLUMN meta jsonb DEFAULT '{}'::jsonb NOT NULL;"),
  s('volatile-default', "ALTER TABLE items ADD COLUMN label text DEFAULT lower('X' || 'Y');"),
  s('volatile-default', 'ALTER TABLE items ADD COLUMN n float8;\nALTER TABLE items ALTER COLUMN n SET DEFAULT random();'),
  s('volatile-default', `${T}\nALTER TABLE items ADD COLUMN token uuid DEFAULT gen_random_uuid();`),

  // rewriting-column: serial, identity, stored generated
  u('rewriting-column', 'ALTER TABLE items ADD COLUMN seq bigserial;'),
  u('rewriting-column', 'ALTER TABLE public.items ADD COLUMN seq serial NOT NULL;'),
  u('rewriting-column', 'ALTER TABLE items ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;'),
  u('rewriting-column', 'ALTER TABLE items ADD COLUMN total int GENERATED ALWAYS AS (qty * 2) STORED;'),
  u('rewriting-column', 'ALTER TABLE items ADD COLUMN total int GENERATED ALWAYS AS (qty * 2) STORED;', { v: 170000 }),
  s('rewriting-column', 'ALTER TABLE items ADD COLUMN total int GENERATED ALWAYS AS (qty * 2) VIRTUAL;', { v: 180000 }),
  s('rewriting-column', 'ALTER TABLE items ADD COLUMN seq bigint;'),
  s('rewriting-column', 'CREATE TABLE t2 (id bigserial PRIMARY KEY, total int GENERATED ALWAYS AS (id * 2) STORED);'),

  // required-column-without-default
  u('required-column-without-default', 'ALTER TABLE items ADD COLUMN region text NOT NULL;'),
  u('required-column-without-default', 'ALTER TABLE items ADD COLUMN region varchar(20) NOT NULL, ADD COLUMN other text;'),
  u('required-column-without-default', 'ALTER TABLE "Job" ADD COLUMN "completedAt" TIMESTAMP(3),\nADD COLUMN "updatedAt" TIMESTAMP(3) NOT NULL;'),
  u('volatile-default', 'ALTER TABLE items ADD COLUMN at timestamptz(3)[] DEFAULT ARRAY[clock_timestamp()], ADD COLUMN t2 time(2) with time zone;'),
  u('volatile-default', 'ALTER TABLE items ADD COLUMN span interval day to second(2) DEFAULT make_interval(secs => random());'),
  s('required-column-without-default', "ALTER TABLE items ADD COLUMN region text NOT NULL DEFAULT 'eu';"),
  s('required-column-without-default', 'ALTER TABLE items ADD COLUMN region text;'),
  s('required-column-without-default', `${T}\nALTER TABLE items ADD COLUMN region text NOT NULL;`),

  // column-type-change
  u('column-type-change', 'ALTER TABLE items ALTER COLUMN qty TYPE bigint;'),
  u('column-type-change', 'ALTER TABLE items ALTER COLUMN sku TYPE int USING sku::int;'),
  u('column-type-change', [T, 'ALTER TABLE items ALTER COLUMN qty TYPE bigint;']),
  u('column-type-change', 'ALTER TABLE items ALTER COLUMN note SET DATA TYPE varchar(10);'),
  s('column-type-change', ['CREATE TABLE tags (name varchar(20));', 'ALTER TABLE tags ALTER COLUMN name TYPE text;']),
  s('column-type-change', ['CREATE TABLE tags (name varchar(20));', 'ALTER TABLE tags ALTER COLUMN name TYPE varchar;']),
  s('column-type-change', `${T}\nALTER TABLE items ALTER COLUMN qty TYPE bigint;`),
  s('column-type-change', ['CREATE TABLE tags (name varchar(20));', 'ALTER TABLE tags ALTER COLUMN name TYPE varchar(50);']),
  u('column-type-change', ['CREATE TABLE tags (name varchar(50));', 'ALTER TABLE tags ALTER COLUMN name TYPE varchar(20);']),
  s('column-type-change', ['CREATE TABLE prices (p numeric(10,2));', 'ALTER TABLE prices ALTER COLUMN p TYPE numeric(12,2);']),
  u('column-type-change', ['CREATE TABLE prices (p numeric(10,2));', 'ALTER TABLE prices ALTER COLUMN p TYPE numeric(12,3);']),
  u('column-type-change', ['CREATE TABLE tags (name text);', 'ALTER TABLE tags ALTER COLUMN name TYPE varchar(10);']),
  u('column-type-change', ['CREATE TABLE f (x integer);', 'ALTER TABLE f ALTER COLUMN x SET DEFAULT 0,\nALTER COLUMN x SET DATA TYPE DECIMAL(65,30);']),
  s('column-type-change', ['CREATE TABLE n (a cidr);', 'ALTER TABLE n ALTER COLUMN a TYPE inet;']),

  // rename-breaks-clients
  u('rename-breaks-clients', 'ALTER TABLE items RENAME COLUMN note TO notes;'),
  u('rename-breaks-clients', 'ALTER TABLE items RENAME TO products;'),
  u('rename-breaks-clients', 'ALTER TABLE app.items RENAME TO products;'),
  u('rename-breaks-clients', 'ALTER SCHEMA app RENAME TO core;'),
  s('rename-breaks-clients', `${T}\nALTER TABLE items RENAME COLUMN note TO notes;`),
  s('rename-breaks-clients', 'ALTER INDEX items_org RENAME TO items_org_idx;'),

  // constraint-builds-index
  u('constraint-builds-index', 'ALTER TABLE items ADD PRIMARY KEY (id);'),
  u('constraint-builds-index', 'ALTER TABLE items ADD CONSTRAINT items_sku_key UNIQUE (org_id, sku);'),
  u('constraint-builds-index', 'ALTER TABLE items ADD CONSTRAINT no_overlap EXCLUDE USING gist (org_id WITH =, during WITH &&);', { mitigationOnly: true }),
  s('constraint-builds-index', 'ALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY USING INDEX items_pkey;'),
  s('constraint-builds-index', 'ALTER TABLE items ADD CONSTRAINT items_sku_key UNIQUE USING INDEX items_sku_idx;'),
  s('constraint-builds-index', `${T}\nALTER TABLE items ADD PRIMARY KEY (id);`),

  // drop-index-not-concurrent
  u('drop-index-not-concurrent', 'DROP INDEX items_org;'),
  u('drop-index-not-concurrent', 'DROP INDEX IF EXISTS app.items_org, app.items_sku;'),
  s('drop-index-not-concurrent', 'DROP INDEX CONCURRENTLY items_org;'),
  s('drop-index-not-concurrent', `${T}\nCREATE INDEX items_org ON items (org_id);\nDROP INDEX items_org;`),

  // blocking-maintenance
  u('blocking-maintenance', 'REINDEX TABLE items;', { lock: 'SHARE on public.items' }),
  u('blocking-maintenance', 'REINDEX INDEX items_org;'),
  u('blocking-maintenance', 'REINDEX (CONCURRENTLY false) TABLE items;'),
  u('blocking-maintenance', 'REINDEX TABLE items;', { v: 110000, noRewrite: true }),
  u('blocking-maintenance', 'CLUSTER items USING items_org;', { lock: 'ACCESS EXCLUSIVE on public.items' }),
  u('blocking-maintenance', 'VACUUM FULL items;', { lock: 'ACCESS EXCLUSIVE on public.items' }),
  u('blocking-maintenance', 'VACUUM (FULL, ANALYZE) items;'),
  u('blocking-maintenance', 'REFRESH MATERIALIZED VIEW item_totals;', { lock: 'ACCESS EXCLUSIVE on public.item_totals' }),
  s('blocking-maintenance', 'REINDEX TABLE CONCURRENTLY items;'),
  s('blocking-maintenance', 'REINDEX (CONCURRENTLY) TABLE items;'),
  s('blocking-maintenance', 'VACUUM (FULL false) items;'),
  s('blocking-maintenance', 'VACUUM ANALYZE items;'),
  s('blocking-maintenance', 'REFRESH MATERIALIZED VIEW CONCURRENTLY item_totals;'),
  s('blocking-maintenance', 'REFRESH MATERIALIZED VIEW item_totals WITH NO DATA;'),

  // detach-partition-not-concurrent
  u('detach-partition-not-concurrent', 'ALTER TABLE events DETACH PARTITION events_2023;', { lock: 'ACCESS EXCLUSIVE on public.events' }),
  u('detach-partition-not-concurrent', 'ALTER TABLE events DETACH PARTITION events_2023;', { v: 130000, noRewrite: true }),
  s('detach-partition-not-concurrent', 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;'),
  s('detach-partition-not-concurrent', 'ALTER TABLE events DETACH PARTITION events_2023 FINALIZE;'),

  // domain-constraint
  u('domain-constraint', 'ALTER DOMAIN positive_int ADD CONSTRAINT pos CHECK (VALUE > 0);'),
  u('domain-constraint', 'ALTER DOMAIN app.code ADD CHECK (length(VALUE) < 10);'),
  u('domain-constraint', 'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);'),
  s('domain-constraint', 'ALTER DOMAIN positive_int ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID;'),
  s('domain-constraint', 'CREATE DOMAIN code AS text;'),

  // destructive-statement
  u('destructive-statement', 'DROP TABLE legacy;'),
  u('destructive-statement', 'DROP TABLE IF EXISTS legacy, older CASCADE;'),
  u('destructive-statement', 'ALTER TABLE items DROP COLUMN note;'),
  u('destructive-statement', 'TRUNCATE items;'),
  u('destructive-statement', 'TRUNCATE items CASCADE;'),
  u('destructive-statement', 'DELETE FROM items;'),
  u('destructive-statement', 'DELETE FROM items RETURNING id;'),
  u('destructive-statement', 'DROP DATABASE app;'),
  u('destructive-statement', 'DROP SCHEMA legacy CASCADE;'),
  s('destructive-statement', 'CREATE TABLE scratch (id int);\nDROP TABLE scratch;'),
  s('destructive-statement', 'ALTER TABLE items RENAME COLUMN note TO note_unused;'),
  s('destructive-statement', 'DELETE FROM items WHERE org_id IS NULL;'),

  // drop-then-create-table
  u('drop-then-create-table', 'DROP TABLE items;\nCREATE TABLE items (id bigint);'),
  u('destructive-statement', 'DROP TABLE IF EXISTS items CASCADE;\nCREATE TABLE items (id bigint);'),
  u('index-not-concurrent', 'CREATE INDEX items_org ON items (org_id);\nCREATE TABLE items (id bigint, org_id bigint);'),
  u('drop-then-create-table', 'DROP TABLE IF EXISTS app.items;\nCREATE TABLE app.items (id bigint);'),
  s('drop-then-create-table', 'DROP TABLE items_old;\nCREATE TABLE items (id bigint);'),

  // transaction-control
  u('transaction-control', 'BEGIN;\nBEGIN;\nALTER TABLE items ADD COLUMN a int;\nCOMMIT;'),
  u('transaction-control', 'BEGIN;\nALTER TABLE items ADD COLUMN a int;'),
  u('transaction-control', 'ALTER TABLE items ADD COLUMN a int;\nCOMMIT;'),
  s('transaction-control', 'BEGIN;\nALTER TABLE items ADD COLUMN a int;\nCOMMIT;'),
  s('transaction-control', 'START TRANSACTION;\nALTER TABLE items ADD COLUMN a int;\nCOMMIT;\nBEGIN;\nSELECT 1;\nROLLBACK;'),

  // concurrently-in-transaction
  u('concurrently-in-transaction', 'BEGIN;\nCREATE INDEX CONCURRENTLY items_org ON items (org_id);\nCOMMIT;'),
  u('concurrently-in-transaction', 'BEGIN;\nDROP INDEX CONCURRENTLY items_org;\nCOMMIT;'),
  u('concurrently-in-transaction', "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;", { v: 110000 }),
  s('concurrently-in-transaction', "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;", { v: 120000 }),
  s('concurrently-in-transaction', 'CREATE INDEX CONCURRENTLY items_org ON items (org_id);'),

  // non-transactional (issue 12: mixing is an error unless acknowledged)
  u('non-transactional', 'CREATE INDEX CONCURRENTLY items_org ON items (org_id);\nUPDATE items SET org_id = 1 WHERE id = 2;'),
  u('non-transactional', 'CREATE INDEX CONCURRENTLY a ON items (org_id);\nCREATE INDEX CONCURRENTLY b ON items (sku);'),
  u('non-transactional', "ALTER TYPE mood ADD VALUE 'meh';\nALTER TABLE items ADD COLUMN m mood;", { v: 110000 }),
  u('non-transactional', 'VACUUM items;\nANALYZE items;'),
  s('non-transactional', "SET lock_timeout = '2s';\nSET statement_timeout = '30min';\nCREATE INDEX CONCURRENTLY items_org ON items (org_id);"),
  s('non-transactional', "ALTER TYPE mood ADD VALUE 'meh';\nALTER TABLE items ADD COLUMN m mood;", { v: 120000 }),
  s('non-transactional', "SELECT set_config('lock_timeout', '2s', false);\nDROP INDEX CONCURRENTLY items_org;"),

  // backfill-in-ddl-transaction
  u('backfill-in-ddl-transaction', 'ALTER TABLE items ADD COLUMN region text;\nUPDATE items SET region = \'eu\';'),
  u('backfill-in-ddl-transaction', 'BEGIN;\nALTER TABLE items ADD COLUMN region text;\nUPDATE items SET region = \'eu\' RETURNING id;\nCOMMIT;'),
  s('backfill-in-ddl-transaction', ['ALTER TABLE items ADD COLUMN region text;', "UPDATE items SET region = 'eu';"]),
  s('backfill-in-ddl-transaction', "ALTER TABLE items ADD COLUMN region text;\nUPDATE items SET region = 'eu' WHERE id < 1000;"),
  s('backfill-in-ddl-transaction', `${T}\nINSERT INTO items (id) VALUES (1);\nUPDATE items SET qty = 0;`),

  // lock-timeout-missing (once per file) and statement-timeout-missing
  u('lock-timeout-missing', 'ALTER TABLE items ADD COLUMN note2 text;'),
  u('lock-timeout-missing', 'TRUNCATE audit;'),
  u('lock-timeout-missing', 'LOCK TABLE items IN SHARE MODE;'),
  u('lock-timeout-missing', 'CREATE TRIGGER t BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION f();', { lock: 'SHARE ROW EXCLUSIVE on public.items' }),
  u('lock-timeout-missing', "ALTER TABLE items ADD COLUMN a int;\nSET lock_timeout = '3s';"),
  s('lock-timeout-missing', "SET lock_timeout = '3s';\nALTER TABLE items ADD COLUMN note2 text;"),
  s('lock-timeout-missing', "SELECT set_config('lock_timeout', '2s', true);\nTRUNCATE audit;"),
  s('lock-timeout-missing', 'CREATE INDEX CONCURRENTLY items_org ON items (org_id);'),
  s('lock-timeout-missing', 'ALTER TABLE items VALIDATE CONSTRAINT fk;'),
  s('lock-timeout-missing', `${T}\nALTER TABLE items ADD COLUMN a int;`),
  s('lock-timeout-missing', "UPDATE items SET qty = 0 WHERE id = 1;"),
  u('statement-timeout-missing', "SET lock_timeout = '3s';\nALTER TABLE items ADD COLUMN note2 text;"),
  s('statement-timeout-missing', "SET lock_timeout = '3s';\nSET statement_timeout = '5min';\nALTER TABLE items ADD COLUMN note2 text;"),

  // rls-without-policy
  u('rls-without-policy', 'ALTER TABLE items ENABLE ROW LEVEL SECURITY;'),
  u('rls-without-policy', [T, 'ALTER TABLE items ENABLE ROW LEVEL SECURITY;']),
  s('rls-without-policy', "CREATE POLICY tenant ON items USING (org_id = current_setting('app.org')::bigint);\nALTER TABLE items ENABLE ROW LEVEL SECURITY;"),
  s('rls-without-policy', 'ALTER TABLE items DISABLE ROW LEVEL SECURITY;'),

  // unique-without-tenant: only where the folder shows the tenant column
  u('unique-without-tenant', [T, 'CREATE UNIQUE INDEX CONCURRENTLY items_sku ON items (sku);']),
  u('unique-without-tenant', [T, 'CREATE UNIQUE INDEX items_sku ON items (sku);']),
  u('unique-without-tenant', [T, 'ALTER TABLE items ADD CONSTRAINT items_sku_key UNIQUE (sku);']),
  u('unique-without-tenant', [T, 'CREATE UNIQUE INDEX CONCURRENTLY items_sku_idx ON items (sku);', 'ALTER TABLE items ADD CONSTRAINT items_sku_key UNIQUE USING INDEX items_sku_idx;']),
  u('unique-without-tenant', 'CREATE TABLE t (id int PRIMARY KEY, org_id int, email text UNIQUE);'),
  u('unique-without-tenant', 'CREATE TABLE t (id int PRIMARY KEY, org_id int, email text, UNIQUE (email));'),
  u('unique-without-tenant', ['CREATE TABLE "Item" ("id" text, "tenantId" text, "sku" text);', 'CREATE UNIQUE INDEX "Item_sku_key" ON "Item"("sku");']),
  u('unique-without-tenant', ['CREATE TABLE t (id int, account_id int, email text);', 'ALTER TABLE t ADD UNIQUE (email);'], { tenant: ['account_id'] }),
  u('unique-without-tenant', ['CREATE TABLE t (id int, "workspaceId" int, email text);', 'CREATE UNIQUE INDEX CONCURRENTLY t_email ON t (email);'], { tenant: ['workspace_id'] }),
  u('unique-without-tenant', ['CREATE TABLE t (id int, email text);', 'ALTER TABLE t ADD COLUMN org_id bigint;', 'CREATE UNIQUE INDEX CONCURRENTLY t_email ON t (email);']),
  s('unique-without-tenant', [T, 'CREATE UNIQUE INDEX CONCURRENTLY items_sku ON items (org_id, sku);']),
  s('unique-without-tenant', 'CREATE UNIQUE INDEX CONCURRENTLY items_sku ON items (sku);'),
  s('unique-without-tenant', 'CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE);'),
  s('unique-without-tenant', ['CREATE TABLE "Item" ("id" text, "tenantId" text, "sku" text);', 'CREATE UNIQUE INDEX "Item_sku_key" ON "Item"("tenantId", "sku");']),
  s('unique-without-tenant', 'CREATE TABLE organizations (id int, org_id int, slug text UNIQUE);'),
  s('unique-without-tenant', ['CREATE TABLE t (id int, org_id int, email text);', 'ALTER TABLE t ADD UNIQUE (email);'], { tenant: ['account_id'] }),

  // json-column
  u('json-column', 'ALTER TABLE items ADD COLUMN meta json;'),
  u('json-column', 'CREATE TABLE docs (id int, body json NOT NULL);'),
  u('json-column', 'ALTER TABLE items ADD COLUMN metas json[];'),
  s('json-column', 'ALTER TABLE items ADD COLUMN meta jsonb;'),
  s('json-column', 'CREATE TABLE docs (id int, body jsonb);'),

  // Every supported major, 10 to 18: the version-dependent rules on each side of their boundary,
  // and the version-independent ones unchanged on 14, 15 and 16.
  u('volatile-default', "ALTER TABLE items ADD COLUMN status text DEFAULT 'new';", { v: 100000 }),
  s('volatile-default', "ALTER TABLE items ADD COLUMN status text DEFAULT 'new';", { v: 110000 }),
  u('not-null-without-check', ['ALTER TABLE items ADD CONSTRAINT items_qty_nn CHECK (qty IS NOT NULL) NOT VALID;', 'ALTER TABLE items VALIDATE CONSTRAINT items_qty_nn;', 'ALTER TABLE items ALTER COLUMN qty SET NOT NULL;'], { v: 100000 }),
  s('not-null-without-check', ['ALTER TABLE items ADD CONSTRAINT items_qty_nn CHECK (qty IS NOT NULL) NOT VALID;', 'ALTER TABLE items VALIDATE CONSTRAINT items_qty_nn;', 'ALTER TABLE items ALTER COLUMN qty SET NOT NULL;'], { v: 140000 }),
  u('blocking-maintenance', 'REINDEX INDEX items_org;', { v: 100000, noRewrite: true }),
  u('blocking-maintenance', 'REINDEX INDEX items_org;', { v: 140000 }),
  u('detach-partition-not-concurrent', 'ALTER TABLE events DETACH PARTITION events_2023;', { v: 140000, lock: 'ACCESS EXCLUSIVE on public.events' }),
  s('detach-partition-not-concurrent', 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;', { v: 140000 }),
  s('non-transactional', 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;', { v: 150000 }),
  u('concurrently-in-transaction', 'BEGIN;\nALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;\nCOMMIT;', { v: 150000 }),
  u('index-not-concurrent', 'CREATE INDEX items_sku ON items (sku);', { v: 150000, lock: 'SHARE on public.items' }),
  s('index-not-concurrent', 'CREATE INDEX CONCURRENTLY items_sku ON items (sku);', { v: 150000 }),
  u('constraint-not-valid-missing', 'ALTER TABLE items ADD CONSTRAINT items_qty_pos CHECK (qty > 0);', { v: 160000, lock: 'ACCESS EXCLUSIVE on public.items' }),
  s('constraint-not-valid-missing', 'ALTER TABLE items ADD CONSTRAINT items_qty_pos CHECK (qty > 0) NOT VALID;', { v: 160000 }),
  u('column-type-change', 'ALTER TABLE items ALTER COLUMN qty TYPE bigint;', { v: 160000 }),
  u('rewriting-column', 'ALTER TABLE items ADD COLUMN total numeric GENERATED ALWAYS AS (qty * 2) STORED;', { v: 170000 }),
  u('rewriting-column', 'ALTER TABLE items ADD COLUMN total numeric GENERATED ALWAYS AS (qty * 2) STORED;', { v: 180000 }),
  s('rewriting-column', 'ALTER TABLE items ADD COLUMN total numeric GENERATED ALWAYS AS (qty * 2) VIRTUAL;', { v: 180000 }),

  // Explicit transactions: the rules see through BEGIN..COMMIT, and separate blocks are separate transactions.
  u('index-not-concurrent', 'BEGIN;\nCREATE INDEX items_sku ON items (sku);\nCOMMIT;'),
  u('volatile-default', 'BEGIN;\nALTER TABLE items ADD COLUMN token uuid DEFAULT gen_random_uuid();\nCOMMIT;'),
  u('not-null-without-check', 'BEGIN;\nALTER TABLE items ALTER COLUMN org_id SET NOT NULL;\nCOMMIT;'),
  s('not-null-without-check', "BEGIN;\nALTER TABLE items ADD CONSTRAINT items_org_nn CHECK (org_id IS NOT NULL) NOT VALID;\nCOMMIT;\nBEGIN;\nALTER TABLE items VALIDATE CONSTRAINT items_org_nn;\nCOMMIT;\nBEGIN;\nALTER TABLE items ALTER COLUMN org_id SET NOT NULL;\nCOMMIT;"),
  s('lock-timeout-missing', "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE items ADD COLUMN note2 text;\nCOMMIT;"),
  u('lock-timeout-missing', "BEGIN;\nALTER TABLE items ADD COLUMN note2 text;\nSET LOCAL lock_timeout = '2s';\nCOMMIT;"),
  s('backfill-in-ddl-transaction', "BEGIN;\nALTER TABLE items ADD COLUMN region text;\nCOMMIT;\nBEGIN;\nUPDATE items SET region = 'eu';\nCOMMIT;"),
  u('validate-same-transaction', 'BEGIN;\nALTER TABLE items ADD CONSTRAINT items_qty_pos CHECK (qty > 0) NOT VALID;\nALTER TABLE items VALIDATE CONSTRAINT items_qty_pos;\nCOMMIT;', { v: 120000 }),

  // Across files: what earlier migrations of the folder created, proved or indexed.
  u('index-not-concurrent', ['CREATE TABLE widgets (id int, org_id int);', 'CREATE INDEX widgets_org ON widgets (org_id);']),
  u('drop-index-not-concurrent', ['CREATE TABLE widgets (id int, org_id int);\nCREATE INDEX widgets_org ON widgets (org_id);', 'DROP INDEX widgets_org;']),
  s('drop-index-not-concurrent', 'CREATE TABLE widgets (id int, org_id int);\nCREATE INDEX widgets_org ON widgets (org_id);\nDROP INDEX widgets_org;'),
  u('destructive-statement', ['CREATE TABLE scratch (id int);', 'DROP TABLE scratch;']),
  s('column-type-change', ['CREATE TABLE people (id int, name varchar(50));', 'ALTER TABLE people ALTER COLUMN name TYPE varchar(100);']),
  u('column-type-change', ['CREATE TABLE people (id int, name varchar(50));', 'ALTER TABLE people ALTER COLUMN name TYPE varchar(20);']),
  s('not-null-without-check', ['ALTER TABLE items ADD CONSTRAINT items_sku_nn CHECK (sku IS NOT NULL) NOT VALID;', 'ALTER TABLE items VALIDATE CONSTRAINT items_sku_nn;', 'ALTER TABLE items ALTER COLUMN sku SET NOT NULL;'], { v: 160000 }),
  u('not-null-without-check', ['ALTER TABLE items ADD CONSTRAINT items_sku_nn CHECK (sku IS NOT NULL) NOT VALID;', 'ALTER TABLE items ALTER COLUMN sku SET NOT NULL;']),
];
