/**
 * Report history for the auditor: saved reports grouped by database (the fingerprint's key),
 * oldest first, and what differs between two reports before they are compared.
 */
import type { SavedReport } from './contract/reports.js';

/** One database's reports, oldest first. */
export interface DatabaseHistory {
  key: string;
  reports: SavedReport[];
}

/** Readable reports grouped by database key, the database with the newest report first. */
export function historyByDatabase(reports: readonly SavedReport[]): DatabaseHistory[] {
  const groups = new Map<string, SavedReport[]>();
  for (const r of reports) {
    if (r.problem || !r.databaseKey) continue;
    groups.set(r.databaseKey, [...(groups.get(r.databaseKey) ?? []), r]);
  }
  const byTime = (a: SavedReport, b: SavedReport) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.name.localeCompare(b.name);
  return [...groups.entries()]
    .map(([key, rs]) => ({ key, reports: [...rs].sort(byTime) }))
    .sort((a, b) => (b.reports.at(-1)!.createdAt ?? '').localeCompare(a.reports.at(-1)!.createdAt ?? ''));
}

/** Everything that makes two reports not like for like, in plain words (empty: same database, mode and scope). */
export function reportDifferences(a: SavedReport, b: SavedReport): string[] {
  const out: string[] = [];
  if (a.databaseKey !== b.databaseKey) out.push(`different databases: before ${a.databaseKey ?? 'unknown'}, after ${b.databaseKey ?? 'unknown'}`);
  if (a.mode !== b.mode) out.push(`different modes: before ${a.mode ?? 'unknown'}, after ${b.mode ?? 'unknown'} (an estimate cannot see orphan rows, cross-tenant references or the distribution)`);
  if (a.scope !== b.scope) {
    const pa = (a.scope ?? '').split(' · ');
    const pb = (b.scope ?? '').split(' · ');
    const changed = pb.filter((p) => !pa.includes(p)).map((p) => {
      const field = p.split(' ')[0]!;
      const before = pa.find((x) => x.split(' ')[0] === field);
      return `${field}: ${before ? before.slice(field.length + 1) : '—'} → ${p.slice(field.length + 1)}`;
    });
    out.push(`different scope: ${changed.join('; ') || 'the checked tables differ'}`);
  }
  return out;
}
