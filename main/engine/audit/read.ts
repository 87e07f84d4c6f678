/**
 * Read the audit log with filters (time range, profile, operator, run, text): the data behind
 * `tenancy audit list`, the Audit page, and the statements a report includes for a runbook run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AuditLineSchema, type AuditFilter, type AuditRecord } from '../../../shared/audit.js';
import { UserError } from '../errors.js';
import { auditDir, listAuditFiles, splitLines } from './files.js';

/** An audit record with its place in the chain. */
export type AuditListItem = AuditRecord & { seq: number };

function bound(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UserError(`${what} "${value}" is not a date; use ISO 8601, e.g. 2025-01-31 or 2025-01-31T12:00:00Z`, 'usage');
  return t;
}

/** Whether a record passes the filter (time bounds as epoch ms, already parsed). */
export function matchesAuditFilter(rec: AuditRecord, f: AuditFilter, from?: number, to?: number): boolean {
  const t = Date.parse(rec.time);
  if (from !== undefined && t < from) return false;
  if (to !== undefined && t >= to) return false;
  if (f.profile !== undefined && rec.profile !== f.profile) return false;
  if (f.operator !== undefined && rec.operator !== f.operator) return false;
  if (f.run !== undefined && rec.run !== f.run) return false;
  if (f.errorsOnly && rec.error === null) return false;
  if (f.text) {
    const needle = f.text.toLowerCase();
    const hay = `${rec.sql}\n${rec.error ?? ''}\n${JSON.stringify(rec.params)}`.toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

/** Entries matching `filter`, oldest first (the newest `limit` when a limit is given). Unreadable lines are skipped; verify reports them. */
export function readAuditEntries(filter: AuditFilter = {}, dir = auditDir()): AuditListItem[] {
  const from = bound(filter.from, 'from');
  const to = bound(filter.to, 'to');
  const out: AuditListItem[] = [];
  for (const { name } of listAuditFiles(dir)) {
    for (const text of splitLines(fs.readFileSync(path.join(dir, name), 'utf8'))) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        continue;
      }
      const line = AuditLineSchema.safeParse(raw);
      if (!line.success) continue;
      if (matchesAuditFilter(line.data.entry, filter, from, to)) out.push({ ...line.data.entry, seq: line.data.seq });
    }
  }
  return filter.limit !== undefined ? out.slice(-filter.limit) : out;
}
