/**
 * `tenancy report`: export a signed verification report (JSON, HTML or PDF), render a signed
 * JSON as HTML or PDF, verify a report file, and diff two reports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { Report } from '../../../shared/report.js';
import { UserError } from '../../engine/errors.js';
import { diffReports } from '../../engine/report/diff.js';
import { exportReport } from '../../engine/report/export.js';
import { migrationStatus } from '../../engine/migrations/status.js';
import { readSource } from '../../engine/migrations/sources.js';
import { readSignatures } from '../../engine/runbook/head.js';
import { Journal, runsDir } from '../../engine/runbook/journal.js';
import { readReport, readReportText, writeReportJson } from '../../engine/report/file.js';
import { renderReportHtml } from '../../engine/report/html.js';
import { installationKeyId } from '../../engine/report/keys.js';
import { renderPdf, requireChromium } from '../../engine/report/pdf.js';
import { addTrustedKey, applyTrust, listTrustedKeys, removeTrustedKey, trustPath, whoseKey } from '../../engine/report/trust.js';
import { verifyReportText } from '../../engine/report/verify.js';
import { addModelOptions, withSession, type TargetOptions } from '../common.js';
import { exitState } from '../exit.js';
import { printJson } from '../format.js';
import { stderrProgress } from '../progress.js';
import { setCliAuditRun } from './audit.js';
import { formatDiff, formatVerification } from './report-format.js';
import { writeFileAtomicSync } from '../../engine/fs-util.js';

type FileFormat = 'json' | 'html' | 'pdf';

function fileFormat(given: string | undefined, out: string): FileFormat {
  if (given) return given as FileFormat;
  const ext = path.extname(out).slice(1).toLowerCase();
  return ext === 'html' || ext === 'htm' ? 'html' : ext === 'pdf' ? 'pdf' : 'json';
}

/** Write a signed report in the chosen format. */
async function writeReport(report: Report, out: string, format: FileFormat): Promise<string> {
  if (format === 'json') writeReportJson(report, out);
  else if (format === 'html') writeFileAtomicSync(out, renderReportHtml(report), { mode: 0o600 });
  else {
    const { pages, blockedRequests } = await renderPdf(renderReportHtml(report), out);
    if (blockedRequests.length) throw new UserError(`the report page asked for ${blockedRequests[0]}; refusing to write a PDF that is not self-contained`, 'internal');
    return `${pages} page${pages === 1 ? '' : 's'}`;
  }
  return `${fs.statSync(out).size} bytes`;
}

function summaryLine(r: Report, out: string, size: string): string {
  const s = r.summary;
  return `wrote ${out} (${size}): ${s.verdict.toUpperCase()}, ${s.bySeverity.error} errors, ${s.bySeverity.warning} warnings, ${s.bySeverity.info} info; sha256 ${r.integrity.digest}; key ${r.integrity.signature.keyId}\n`;
}

interface ExportCliOptions extends Omit<TargetOptions, 'format'> {
  out?: string;
  format?: FileFormat;
  estimate?: boolean;
  run?: string;
  rlsRole?: string;
  rlsSetting?: string;
  rlsTenant?: string;
  migrations?: string;
}

/** Register `tenancy report`. */
export function registerReport(program: Command): void {
  const report = program.command('report').description('signed verification reports: export, render, verify, diff');
  const fileFormatOption = () => new Option('--format <format>', 'file format (default: from the --out extension, else json)').choices(['json', 'html', 'pdf']);

  const exp = report.command('export')
    .description('run the verification suite and write a signed report (exit 1 when there are error findings)')
    .option('--profile <name>', 'connection profile to use')
    .option('--url <url>', 'connection URL; a password in it is used, never stored or written')
    .requiredOption('--out <file>', 'file to write')
    .addOption(fileFormatOption())
    .option('--estimate', 'catalogs and statistics only (no table scans, no distribution)')
    .option('--run <id>', 'runbook run: include its audited statements, and tag this export\'s statements with it')
    .option('--rls-role <role>', 'application role for the isolation probe')
    .option('--rls-setting <name>', 'setting the application sets to the tenant id')
    .option('--rls-tenant <id>', 'tenant to impersonate in the probe')
    .option('--migrations <dir>', 'include the migration ledger state of this folder (plain, Drizzle, Prisma or Supabase)');
  addModelOptions(exp).action(async (o: ExportCliOptions) => {
    const out = o.out!;
    const format = fileFormat(o.format, out);
    if (!fs.existsSync(path.dirname(path.resolve(out)))) throw new UserError(`folder ${path.dirname(out)} does not exist; create it or choose another --out`, 'usage');
    if (format === 'pdf') requireChromium(); // say so before scanning, not after
    if (o.run) setCliAuditRun(o.run);
    // Read before connecting: a wrong folder or run id is a usage error, not a half-done export.
    const source = o.migrations ? readSource(o.migrations) : undefined;
    const journal = o.run && fs.existsSync(path.join(runsDir(), o.run, 'journal.jsonl')) ? Journal.open(o.run).entries : undefined;
    const signatures = journal ? readSignatures(path.join(runsDir(), o.run!)) : undefined;
    await withSession({ ...o, format: 'table' }, async (session, target, signal) => {
      const progress = stderrProgress();
      let r: Report;
      try {
        const migrations = source ? await migrationStatus(session, source) : undefined;
        r = await exportReport(session, {
          mode: o.estimate ? 'estimate' : 'exact', settings: target.profile.tenancy, run: o.run, journal, signatures, migrations,
          rlsRole: o.rlsRole, rlsSetting: o.rlsSetting, rlsTenant: o.rlsTenant, signal, onProgress: progress.onProgress,
        });
      } finally {
        progress.finish();
      }
      const size = await writeReport(r, out, format);
      process.stdout.write(summaryLine(r, out, size));
      if (format !== 'json') process.stdout.write('this rendering is not itself verifiable: keep a JSON export (or render this one from it with `tenancy report render`)\n');
      exitState.code = r.summary.bySeverity.error > 0 ? 1 : 0;
    });
  });

  report.command('render')
    .description('render a signed JSON report as HTML or PDF (verifies it first)')
    .argument('<report.json>')
    .requiredOption('--out <file>', 'file to write')
    .addOption(fileFormatOption())
    .action(async (file: string, o: { out: string; format?: FileFormat }) => {
      const v = verifyReportText(readReportText(file), file, [installationKeyId()].filter((k): k is string => k !== null));
      if (!v.ok) throw new UserError(`${file} does not verify (${v.problems[0]!.where}: ${v.problems[0]!.what}); run tenancy report verify ${file}`, 'usage');
      const r = readReport(file);
      const format = fileFormat(o.format, o.out);
      if (format === 'pdf') requireChromium();
      if (format === 'json') throw new UserError('render writes html or pdf; copy the JSON file itself', 'usage');
      process.stdout.write(summaryLine(r, o.out, await writeReport(r, o.out, format)));
    });

  report.command('verify')
    .description("prove a JSON report unchanged and signed by a key you trust (this installation's, `report trust add`, or --expect-key); names what changed (exit 1 when it fails)")
    .argument('<report.json>')
    .option('--expect-key <keyId>', 'require exactly this signing key id (the one the issuer published)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((file: string, o: { expectKey?: string; format: 'table' | 'json' }) => {
      const own = installationKeyId();
      const trusted = listTrustedKeys();
      const integrity = verifyReportText(readReportText(file), file);
      const v = applyTrust(integrity, own, trusted, o.expectKey?.toLowerCase());
      if (o.format === 'json') printJson({ ...v, signer: whoseKey(v.keyId, own, trusted, o.expectKey?.toLowerCase()) });
      else process.stdout.write(formatVerification(v, whoseKey(v.keyId, own, trusted, o.expectKey?.toLowerCase())));
      exitState.code = v.ok ? 0 : 1;
    });

  const trust = report.command('trust').description('signing keys of other installations whose reports `report verify` accepts');
  trust.command('add')
    .description('trust a key: its id (16 hex digits), its .pub.pem file, or a report it signed')
    .argument('<key-or-file>')
    .requiredOption('--label <who>', 'whose key it is (shown by report verify)')
    .action((given: string, o: { label: string }) => {
      const t = addTrustedKey(given, o.label);
      process.stdout.write(`trusted key ${t.keyId} (${t.label}) in ${trustPath()}\n`);
    });
  trust.command('list')
    .description('the trusted keys')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((o: { format: 'table' | 'json' }) => {
      const keys = listTrustedKeys();
      if (o.format === 'json') return printJson({ own: installationKeyId(), keys });
      process.stdout.write(`this installation: ${installationKeyId() ?? 'no key yet'}\n`);
      for (const k of keys) process.stdout.write(`${k.keyId}  ${k.label}  (added ${k.addedAt}${k.publicKey ? ', public key kept' : ''})\n`);
      if (keys.length === 0) process.stdout.write('no other key is trusted\n');
    });
  trust.command('remove')
    .description('stop trusting a key')
    .argument('<keyId>')
    .action((keyId: string) => {
      if (!removeTrustedKey(keyId)) throw new UserError(`key ${keyId} is not trusted; see tenancy report trust list`, 'usage');
      process.stdout.write(`no longer trusted: ${keyId}\n`);
    });

  report.command('diff')
    .description('what changed between two JSON reports (exit 1 when B has new error findings)')
    .argument('<before.json>')
    .argument('<after.json>')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--allow-mixed-modes', 'compare an exact report with an estimate report (row-count findings listed as not comparable)')
    .action((a: string, b: string, o: { format: 'table' | 'json'; allowMixedModes?: boolean }) => {
      const trusted = [installationKeyId()].filter((k): k is string => k !== null);
      for (const f of [a, b]) {
        const v = verifyReportText(readReportText(f), f, trusted);
        if (!v.ok) process.stderr.write(`warning: ${f} does not verify (${v.problems[0]!.where}: ${v.problems[0]!.what})\n`);
      }
      const d = diffReports(readReport(a), readReport(b));
      if (!d.sameMode && !o.allowMixedModes) {
        throw new UserError(`${a} is an ${d.modes.a} report and ${b} an ${d.modes.b} report: an estimate cannot see orphan rows, cross-tenant references or the distribution, so nothing would be "resolved"; compare reports of the same mode (or pass --allow-mixed-modes)`, 'usage');
      }
      if (o.format === 'json') printJson(d);
      else process.stdout.write(formatDiff(d, a, b));
      exitState.code = d.added.some((f) => f.severity === 'error') ? 1 : 0;
    });
}
