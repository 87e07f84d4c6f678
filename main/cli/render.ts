/**
 * Human renderings shared by several commands.
 */
import type { Fingerprint } from '../../shared/findings.js';
import type { ModelSummary } from '../../shared/model.js';

/** One-paragraph fingerprint: server, database, role, address, system identifier. */
export function formatFingerprint(f: Fingerprint): string {
  return [
    `server      PostgreSQL ${f.serverVersion}`,
    `database    ${f.database}`,
    `user        ${f.user}${f.superuser ? ' (superuser)' : ''}`,
    `address     ${f.serverAddress ?? 'local socket'}${f.serverPort ? `:${f.serverPort}` : ''}`,
    `system id   ${f.systemIdentifier ?? 'not readable by this role'}`,
    `session     ${f.readOnly ? 'read-only' : 'READ-WRITE'}`,
  ].join('\n');
}

/** The header every database command prints: where, what model, which mode. */
export function formatModelHeader(f: Fingerprint, m: ModelSummary, mode?: string): string {
  const how = (v: string) => (v === 'given' ? '' : ` (${v})`);
  return [
    `${f.database} on PostgreSQL ${f.serverVersion} at ${f.serverAddress ?? 'local'}${f.serverPort ? `:${f.serverPort}` : ''} as ${f.user}${f.systemIdentifier ? `, system ${f.systemIdentifier}` : ''}${mode ? ` - ${mode} mode` : ''}`,
    `tenant table ${m.tenantTable ?? '-'}${how(m.detection.tenantTable)}, tenant column ${m.tenantColumns.length > 1 ? m.tenantColumns.join(', ') : m.tenantColumn ?? '-'}${how(m.detection.tenantColumn)}; schemas ${m.schemas.join(', ')}; ${m.tables} tables (${m.tenantTables} tenant-scoped, ${m.scopedTables > 0 ? `${m.scopedTables} scoped through a parent, ` : ''}${m.unscopedTables} without tenant column, ${m.globalTables.length} global)`,
    ...m.detection.notes.filter((n) => !/^tenant (table|column) detected/.test(n)).map((n) => `note: ${n}`),
  ].join('\n');
}
