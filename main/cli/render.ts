/**
 * Human renderings shared by several commands.
 */
import type { Fingerprint } from '../../shared/findings.js';

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
