/** Identifier quoting for SQL the renderer shows (never runs): "name" with quotes doubled. */

/** Quote an identifier the way PostgreSQL's quote_ident does for any name. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The statements "Create backup" runs, as the engine's createBackup sends them (main/engine/backup/create.ts),
 * shown before anything runs. The copy's name is chosen by the host at run time (bk_<UTC time>_<hash>).
 */
export function backupPreviewSql(t: { schema: string; table: string; columns: string[] }): string {
  const cols = t.columns.map(quoteIdent).join(', ');
  return [
    '-- once: the console schema and its metadata table (CREATE SCHEMA/TABLE IF NOT EXISTS tenancy_console.backups)',
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE;',
    `CREATE TABLE tenancy_console.bk_<UTC time>_<hash> AS SELECT ${cols} FROM ${quoteIdent(t.schema)}.${quoteIdent(t.table)};`,
    '-- row count and order-independent checksum of the copy, from the same snapshot',
    'SELECT count(*), <checksum over every column> FROM tenancy_console.bk_<UTC time>_<hash> b;',
    'SELECT pg_total_relation_size(\'tenancy_console.bk_<UTC time>_<hash>\'::regclass);',
    `INSERT INTO tenancy_console.backups (source_schema, source_table, backup_table, columns, primary_key, row_count, checksum, …) VALUES ($1, $2, …);  -- $1 = ${t.schema}, $2 = ${t.table}`,
    'COMMIT;',
  ].join('\n');
}
