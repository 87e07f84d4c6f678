/**
 * Assemble a report body from what a verification run produced. Pure: no database, no clock
 * unless none is given, so the same inputs always give the same body.
 */
import crypto from 'node:crypto';
import { CHECK_IDS, CHECKS } from '../../../shared/checks.js';
import type { CheckRun, Distribution, Fingerprint } from '../../../shared/findings.js';
import type { TenancyModel } from '../../../shared/model.js';
import type { Profile } from '../../../shared/profile.js';
import { REPORT_KIND, type ReportBody, type ReportRunbook, type ReportSummary, type Verdict } from '../../../shared/report.js';
import { summarizeModel } from '../model/load.js';

/** Everything a report is made from. */
export interface ReportInputs {
  database: Fingerprint;
  profile: Profile;
  model: TenancyModel;
  checks: CheckRun;
  distribution: Distribution | null;
  operator: string;
  consoleVersion: string;
  migrations?: unknown;
  runbook?: ReportRunbook;
  createdAt?: string;
  id?: string;
}

/** Verdict and counts by severity and by check, as page 1 of a report shows them. */
export function summarizeCheckRun(run: CheckRun): ReportSummary {
  const bySeverity = { error: 0, warning: 0, info: 0 };
  for (const f of run.findings) bySeverity[f.severity] += 1;
  const byCheck = CHECK_IDS.map((id) => {
    const fs = run.findings.filter((f) => f.check === id);
    return { check: id, severity: CHECKS[id].severity, findings: fs.length, rows: fs.reduce((n, f) => n + (f.count ?? 0), 0) };
  }).filter((c) => c.findings > 0);
  let verdict: Verdict = 'pass';
  if (run.cancelled) verdict = 'incomplete';
  else if (bySeverity.error > 0) verdict = 'fail';
  else if (run.findings.length > 0) verdict = 'pass-with-warnings';
  return {
    verdict,
    findings: run.findings.length,
    bySeverity,
    byCheck,
    tablesScanned: run.tables.length,
    skipped: run.skipped.length,
  };
}

/** Build the body of a report (the part the digest covers). */
export function buildReportBody(inp: ReportInputs): ReportBody {
  const body: ReportBody = {
    schemaVersion: 1,
    kind: REPORT_KIND,
    id: inp.id ?? crypto.randomUUID(),
    createdAt: inp.createdAt ?? new Date().toISOString(),
    consoleVersion: inp.consoleVersion,
    operator: inp.operator,
    database: inp.database,
    profile: {
      name: inp.profile.name,
      environment: inp.profile.environment,
      tenancy: inp.profile.tenancy,
      rlsRole: inp.profile.rlsRole ?? null,
      rlsSetting: inp.profile.rlsSetting ?? null,
    },
    summary: summarizeCheckRun(inp.checks),
    model: { summary: summarizeModel(inp.model), detail: inp.model },
    checks: inp.checks,
    distribution: inp.distribution,
  };
  if (inp.migrations !== undefined) body.migrations = inp.migrations;
  if (inp.runbook) body.runbook = inp.runbook;
  return body;
}
