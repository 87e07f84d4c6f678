/**
 * Compare two reports (before and after a migration): findings resolved, new and changed (by
 * count), and every distribution bucket whose row count moved.
 *
 * Reports of different modes are compared honestly: an estimate reads statistics and never scans,
 * so a row-count finding that only one side has (or whose count differs) is listed as not
 * comparable, never as resolved or new; and buckets are compared only when both reports carry a
 * distribution (an estimate report has none).
 */
import type { Finding } from '../../../shared/findings.js';
import type { Report, ReportDiff } from '../../../shared/report.js';

/** A finding's identity across reports: check, table, and the constraint or column it is about. */
export function findingKey(f: Finding): string {
  return [f.check, f.schema, f.table, f.constraint ?? '', f.column ?? ''].map((p) => JSON.stringify(p)).join(' ');
}

/** Human label for a finding key. */
function label(f: Finding): string {
  const where = `${f.schema}.${f.table}${f.constraint ? ` (${f.constraint})` : f.column ? ` (${f.column})` : ''}`;
  return `${f.check} ${where}`;
}

function bucketKey(r: { schema: string; table: string; bucket: string; tenant: string | null }): string {
  return JSON.stringify([r.schema, r.table, r.bucket, r.tenant]);
}

/**
 * Whether a finding's presence depends on the check mode: it counts rows (a scan in exact mode,
 * statistics or nothing in estimate mode). The isolation probe runs the same in both modes.
 */
export function dependsOnMode(f: Pick<Finding, 'check' | 'count'>): boolean {
  return f.count !== undefined && f.check !== 'isolation-leak';
}

/** What changed from report `a` to report `b`. */
export function diffReports(a: Report, b: Report): ReportDiff {
  const sameMode = a.checks.mode === b.checks.mode;
  const before = new Map(a.checks.findings.map((f) => [findingKey(f), f]));
  const after = new Map(b.checks.findings.map((f) => [findingKey(f), f]));
  const resolved: ReportDiff['resolved'] = [];
  const added: ReportDiff['added'] = [];
  const changed: ReportDiff['changed'] = [];
  const notComparable: ReportDiff['notComparable'] = [];
  const apart = (f: Finding, g: Finding | undefined, side: 'a' | 'b') => {
    notComparable.push({ key: label(f), check: f.check, severity: f.severity, before: side === 'a' ? f.count ?? null : g?.count ?? null, after: side === 'b' ? f.count ?? null : g?.count ?? null });
  };
  let unchanged = 0;
  for (const [k, f] of before) {
    const g = after.get(k);
    if (!sameMode && dependsOnMode(f) && (!g || (f.count ?? null) !== (g.count ?? null))) apart(f, g, 'a');
    else if (!g) resolved.push({ key: label(f), check: f.check, severity: f.severity, message: f.message, count: f.count ?? null });
    else if ((f.count ?? null) !== (g.count ?? null) || f.severity !== g.severity) {
      changed.push({ key: label(f), check: f.check, severity: g.severity, before: f.count ?? null, after: g.count ?? null });
    } else unchanged += 1;
  }
  for (const [k, g] of after) {
    if (before.has(k)) continue;
    if (!sameMode && dependsOnMode(g)) apart(g, undefined, 'b');
    else added.push({ key: label(g), check: g.check, severity: g.severity, message: g.message, count: g.count ?? null });
  }

  const distributionCompared = a.distribution !== null && b.distribution !== null;
  const distribution: ReportDiff['distribution'] = [];
  if (distributionCompared) {
    const rowsA = new Map(a.distribution!.rows.map((r) => [bucketKey(r), r]));
    const rowsB = new Map(b.distribution!.rows.map((r) => [bucketKey(r), r]));
    for (const k of new Set([...rowsA.keys(), ...rowsB.keys()])) {
      const ra = rowsA.get(k);
      const rb = rowsB.get(k);
      const r = (rb ?? ra)!;
      if ((ra?.rows ?? 0) === (rb?.rows ?? 0)) continue;
      distribution.push({
        schema: r.schema, table: r.table, bucket: r.bucket, tenant: r.tenant, tenantName: rb?.tenantName ?? ra?.tenantName ?? null,
        before: ra?.rows ?? 0, after: rb?.rows ?? 0,
      });
    }
    distribution.sort((x, y) => x.schema.localeCompare(y.schema) || x.table.localeCompare(y.table) || x.bucket.localeCompare(y.bucket) || (x.tenant ?? '').localeCompare(y.tenant ?? ''));
  }

  const head = (r: Report) => ({ id: r.id, createdAt: r.createdAt, digest: r.integrity.digest, verdict: r.summary.verdict });
  return {
    a: head(a),
    b: head(b),
    sameDatabase: a.database.database === b.database.database && a.database.systemIdentifier === b.database.systemIdentifier,
    modes: { a: a.checks.mode, b: b.checks.mode },
    sameMode,
    notComparable,
    distributionCompared,
    resolved,
    added,
    changed,
    unchanged,
    distribution,
  };
}
