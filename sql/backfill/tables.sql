-- The backfill state table: one row per backfill, advanced in the same transaction as each batch.
CREATE SCHEMA IF NOT EXISTS tenancy_console;
CREATE TABLE IF NOT EXISTS tenancy_console.backfills (
  id text PRIMARY KEY,
  schema_name text NOT NULL,
  table_name text NOT NULL,
  column_name text NOT NULL,
  source jsonb NOT NULL,
  key_columns text[] NOT NULL,
  last_key text[],
  rows_done bigint NOT NULL DEFAULT 0,
  batches integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'running',
  operator text NOT NULL,
  run_id text,
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  error text
);
