/** audit/*: read the audit log with filters and verify its hash chain, from the host's config directory. */
import { AUDIT_LIST_MAX, type auditContract } from '../../shared/contract/audit.js';
import { auditDir } from '../engine/audit/files.js';
import { readAuditEntries } from '../engine/audit/read.js';
import { verifyAuditLog } from '../engine/audit/verify.js';
import type { DomainHandlers } from './types.js';

/** Handlers for the audit domain. */
export const auditHandlers: DomainHandlers<typeof auditContract> = {
  async list(req, ctx) {
    const dir = auditDir(ctx.configDir);
    const { limit, ...filter } = req;
    // An empty field in the form means "any".
    const all = readAuditEntries({
      ...filter,
      from: filter.from || undefined, to: filter.to || undefined, text: filter.text || undefined,
      profile: filter.profile || undefined, operator: filter.operator || undefined,
    }, dir);
    const max = limit ?? AUDIT_LIST_MAX;
    return { dir, entries: all.slice(-max), total: all.length, truncated: all.length > max };
  },

  async verify(_req, ctx) {
    const dir = auditDir(ctx.configDir);
    return { dir, ...verifyAuditLog(dir, ctx.configDir) };
  },
};
