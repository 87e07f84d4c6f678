-- The console's backup and restore journal, in its own schema. Idempotent.
CREATE SCHEMA IF NOT EXISTS tenancy_console;
CREATE TABLE IF NOT EXISTS tenancy_console.backups (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_schema  text NOT NULL,
  source_table   text NOT NULL,
  backup_table   text NOT NULL UNIQUE,
  columns        jsonb NOT NULL,
  primary_key    text[],
  created_at     timestamptz NOT NULL DEFAULT now(),
  row_count      bigint NOT NULL,
  checksum       text NOT NULL,
  size_bytes     bigint NOT NULL,
  duration_ms    double precision NOT NULL,
  operator       text NOT NULL,
  runbook_run_id text,
  dump_path      text,
  dump_sha256    text,
  fingerprint    jsonb NOT NULL
);
-- Per-tenant counts and checksums of the copy, from the same pass as checksum: {"column": name,
-- "tenants": {"<tenant as text>": {"rows": n, "checksum": "..."}}}; NULL for older backups and
-- tables without a tenant column.
ALTER TABLE tenancy_console.backups ADD COLUMN IF NOT EXISTS tenant_checksums jsonb;
-- The row hash checksum and tenant_checksums were recorded with ('md5' or 'hashtextextended';
-- NULL: md5, every backup taken before this column), and for hashtextextended the server's hash of
-- a fixed text (checksum.ts, HASH_PROBE_SQL), so a server that hashes differently is recognised.
ALTER TABLE tenancy_console.backups ADD COLUMN IF NOT EXISTS checksum_scheme text,
  ADD COLUMN IF NOT EXISTS checksum_probe text;
CREATE TABLE IF NOT EXISTS tenancy_console.restores (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  backup_id     bigint NOT NULL,
  source_schema text NOT NULL,
  source_table  text NOT NULL,
  scope         jsonb NOT NULL,
  strategy      text NOT NULL,
  set_columns   jsonb NOT NULL,
  status        text NOT NULL,
  counts        jsonb NOT NULL,
  expected      jsonb NOT NULL,
  actual        jsonb NOT NULL,
  verified      boolean NOT NULL,
  started_at    timestamptz NOT NULL,
  duration_ms   double precision NOT NULL,
  operator      text NOT NULL,
  fingerprint   jsonb NOT NULL
);
