/**
 * The audit log: every statement the console sent (filtered, newest last) and the verification of
 * its hash chain. Entries are already redacted: never a password.
 */
import { z } from 'zod';
import { AuditFilterSchema, AuditRecordSchema, AuditVerificationSchema } from '../audit.js';
import { request } from './channel.js';

/** The most entries one list returns (the newest ones); the page says when there were more. */
export const AUDIT_LIST_MAX = 20_000;

export const AuditListItemSchema = AuditRecordSchema.extend({ seq: z.number() });
export type AuditListItem = z.infer<typeof AuditListItemSchema>;

export const auditContract = {
  list: request(
    AuditFilterSchema.extend({
      from: z.string().max(64).optional(),
      to: z.string().max(64).optional(),
      profile: z.string().max(256).optional(),
      operator: z.string().max(256).optional(),
      text: z.string().max(1024).optional(),
      limit: z.number().int().positive().max(AUDIT_LIST_MAX).optional(),
    }).strict(),
    z.object({ dir: z.string(), entries: z.array(AuditListItemSchema), total: z.number(), truncated: z.boolean() }),
  ),
  verify: request(z.object({}).strict(), AuditVerificationSchema.extend({ dir: z.string() })),
};
