/**
 * Human renderings of `report verify` and `report diff` results.
 */
import type { ReportDiff, ReportVerification } from '../../../shared/report.js';
import { renderTable } from '../format.js';

/** The verify result for humans: OK with the key, or every place that changed. */
export function formatVerification(v: ReportVerification, signer: string): string {
  const lines: string[] = [];
  if (v.ok) {
    lines.push(`OK: ${v.file} is unchanged since it was signed`, `  sha256 ${v.digest}`);
  } else {
    const integrityOnly = v.problems.every((p) => p.where === 'integrity.signature.keyId');
    lines.push(integrityOnly ? `FAILED: ${v.file} is intact but not signed by a key you trust` : `FAILED: ${v.file} does not match what was signed`);
    for (const p of v.problems) lines.push(`  ${p.where}: ${p.what}`);
  }
  if (v.keyId) lines.push(`  signed with key ${v.keyId} (${signer})`);
  return `${lines.join('\n')}\n`;
}

function count(n: number | null): string {
  return n === null ? '' : String(n);
}

/** The diff for humans: resolved, new, changed, distribution moves. */
export function formatDiff(d: ReportDiff, a: string, b: string): string {
  const out: string[] = [
    `before: ${a} (${d.a.createdAt}, ${d.a.verdict})`,
    `after:  ${b} (${d.b.createdAt}, ${d.b.verdict})`,
  ];
  if (!d.sameDatabase) out.push('warning: the reports come from different databases');
  if (!d.sameMode) out.push(`warning: modes differ (before ${d.modes.a}, after ${d.modes.b}): ${d.notComparable.length} row-count finding(s) not comparable, listed apart`);
  if (!d.distributionCompared) out.push('distribution: not compared (a report without one: estimate reports do not count rows per tenant)');
  out.push('', `${d.resolved.length} resolved, ${d.added.length} new, ${d.changed.length} changed, ${d.unchanged} unchanged`);
  if (d.resolved.length) out.push('', 'Resolved:', renderTable(['severity', 'finding', 'count'], d.resolved.map((f) => [f.severity, f.key, count(f.count)])));
  if (d.added.length) out.push('', 'New:', renderTable(['severity', 'finding', 'count'], d.added.map((f) => [f.severity, f.key, count(f.count)])));
  if (d.changed.length) out.push('', 'Changed:', renderTable(['severity', 'finding', 'before', 'after'], d.changed.map((f) => [f.severity, f.key, count(f.before), count(f.after)])));
  if (d.notComparable.length) out.push('', 'Not comparable (the modes differ):', renderTable(['severity', 'finding', 'before', 'after'], d.notComparable.map((f) => [f.severity, f.key, count(f.before), count(f.after)])));
  if (d.distribution.length) {
    out.push('', 'Distribution changes:', renderTable(
      ['table', 'bucket', 'tenant', 'before', 'after', 'change'],
      d.distribution.map((r) => [`${r.schema}.${r.table}`, r.bucket, r.tenantName ?? r.tenant ?? '', r.before, r.after, `${r.after - r.before >= 0 ? '+' : ''}${r.after - r.before}`]),
    ));
  }
  return `${out.join('\n')}\n`;
}
