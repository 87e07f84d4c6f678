/**
 * reports/*: export a signed report of a connection into the config directory's reports folder
 * (JSON plus its HTML), list, read back, verify and diff saved reports. Exports scan on their own
 * read-only session, cancellable by run id like checks.
 */
import type { reportsContract } from '../../shared/contract/reports.js';
import { diffReports } from '../engine/report/diff.js';
import { exportReport } from '../engine/report/export.js';
import { readReport, readReportText } from '../engine/report/file.js';
import { installationKeyId, loadOrCreateSigningKey } from '../engine/report/keys.js';
import { buildEvidencePack, evidencePackText } from '../engine/report/pack.js';
import { auditDir } from '../engine/audit/files.js';
import { runsDir } from '../engine/runbook/journal.js';
import { describeSavedReport, listSavedReports, readSavedReport, reportsDir, saveReport, savedReportPath } from '../engine/report/saved.js';
import { listTrustedKeys } from '../engine/report/trust.js';
import { verifyReportText } from '../engine/report/verify.js';
import type { DomainHandlers } from './types.js';
import type { HostContext } from './context.js';

function trusted(ctx: HostContext): string[] {
  const own = installationKeyId(ctx.configDir);
  return [...(own ? [own] : []), ...listTrustedKeys(ctx.configDir).map((k) => k.keyId)];
}

/** Handlers for the reports domain. */
export const reportsHandlers: DomainHandlers<typeof reportsContract> = {
  async export(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const controller = ctx.runs.start(req.runId);
    try {
      const report = await ctx.connections.withDedicatedSession(conn.id, (session) => {
        ctx.runs.attach(req.runId, session);
        return exportReport(session, {
          mode: req.mode, settings: conn.profile.tenancy, configDir: ctx.configDir, signal: controller.signal,
          onProgress: (progress) => ctx.emit('checks/onProgress', { runId: req.runId, progress }),
        });
      });
      const dir = reportsDir(ctx.configDir);
      const { name } = saveReport(dir, report);
      return { report: describeSavedReport(dir, name), database: report.database };
    } finally {
      ctx.runs.finish(req.runId);
    }
  },

  async list(_req, ctx) {
    const dir = reportsDir(ctx.configDir);
    return { dir, keyId: installationKeyId(ctx.configDir), reports: listSavedReports(dir) };
  },

  async read(req, ctx) {
    return readSavedReport(reportsDir(ctx.configDir), req.name, req.format);
  },

  async verify(req, ctx) {
    const file = savedReportPath(reportsDir(ctx.configDir), req.name);
    return { ...verifyReportText(readReportText(file), file, trusted(ctx)), file: req.name };
  },

  async pack(req, ctx) {
    const dir = reportsDir(ctx.configDir);
    const pack = buildEvidencePack({
      reportName: req.name, reportText: readReportText(savedReportPath(dir, req.name)),
      runsDir: runsDir(ctx.configDir), auditDir: auditDir(ctx.configDir), key: loadOrCreateSigningKey(ctx.configDir),
    });
    return { fileName: req.name.replace(/\.json$/, '.evidence.json'), mime: 'application/json', text: evidencePackText(pack) };
  },

  async diff(req, ctx) {
    const dir = reportsDir(ctx.configDir);
    const [a, b] = [savedReportPath(dir, req.a), savedReportPath(dir, req.b)];
    const verified = { a: verifyReportText(readReportText(a), a, trusted(ctx)).ok, b: verifyReportText(readReportText(b), b, trusted(ctx)).ok };
    return { ...diffReports(readReport(a), readReport(b)), verified };
  },
};
