/**
 * Make a signed report from a live database: load the model, run every check (exact by default,
 * feeding the distribution from the same table scans), attach the runbook run's audit entries
 * when asked, and sign with the installation key.
 */
import type { ModelSettings } from '../../../shared/model.js';
import type { ProgressEvent } from '../../../shared/findings.js';
import type { Report } from '../../../shared/report.js';
import { auditDir } from '../audit/files.js';
import { readAuditEntries } from '../audit/read.js';
import { runChecks } from '../checks/run.js';
import { DistributionBuilder } from '../distribution.js';
import { loadModel } from '../model/load.js';
import { consoleVersion } from '../paths.js';
import { currentOperator, type Session } from '../session.js';
import { buildReportBody } from './build.js';
import { loadOrCreateSigningKey } from './keys.js';
import { signReport } from './sign.js';

/** How to make a report. */
export interface ExportOptions {
  mode?: 'exact' | 'estimate';
  settings?: ModelSettings;
  /** Include the audit entries (and journal, when given) of this runbook run. */
  run?: string;
  journal?: unknown;
  /** The journal's signed heads, when given with it. */
  signatures?: unknown;
  /** Migration ledger state from the migrations module, when available. */
  migrations?: unknown;
  operator?: string;
  /** Isolation probe settings; default: the profile's. */
  rlsRole?: string;
  rlsSetting?: string;
  rlsTenant?: string;
  /** Config directory holding the signing key and audit log (default: configDir()). */
  configDir?: string;
  /** Audit directory to read the run's entries from (default: under configDir). */
  auditDir?: string;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
}

/** Run the verification suite on the session's database and return the signed report. */
export async function exportReport(session: Session, opts: ExportOptions = {}): Promise<Report> {
  const mode = opts.mode ?? 'exact';
  const model = await loadModel(session, opts.settings ?? session.profile.tenancy);
  let builder: DistributionBuilder | null = null;
  const checks = await runChecks(session, model, {
    mode,
    rlsRole: opts.rlsRole ?? session.profile.rlsRole,
    rlsSetting: opts.rlsSetting ?? session.profile.rlsSetting,
    rlsTenant: opts.rlsTenant,
    onProgress: opts.onProgress,
    signal: opts.signal,
    onScan: (t, scan, tenants) => {
      builder ??= new DistributionBuilder(tenants);
      builder.add(t, scan);
    },
  });
  const distribution = builder
    ? (builder as DistributionBuilder).build(session, model, checks.skipped.filter((s) => s.table !== '' && !s.constraint))
    : null;
  const runbook = opts.run
    ? {
        run: opts.run,
        ...(opts.journal !== undefined ? { journal: opts.journal } : {}),
        ...(opts.signatures !== undefined ? { signatures: opts.signatures } : {}),
        audit: readAuditEntries({ run: opts.run }, opts.auditDir ?? auditDir(opts.configDir)).map(({ seq: _seq, ...e }) => e),
      }
    : undefined;
  const body = buildReportBody({
    database: session.fingerprint,
    profile: session.profile,
    model,
    checks,
    distribution,
    operator: opts.operator ?? currentOperator(),
    consoleVersion: consoleVersion(),
    migrations: opts.migrations,
    runbook,
  });
  return signReport(body, loadOrCreateSigningKey(opts.configDir));
}
