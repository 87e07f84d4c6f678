/**
 * `tenancy report`: export a signed verification report (JSON, HTML or PDF), render a signed
 * JSON as HTML or PDF, verify a report file, and diff two reports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { EvidencePackWritten } from '../../../shared/evidence-pack.js';
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
import { installationKeyId, loadOrCreateSigningKey } from '../../engine/report/keys.js';
import { buildEvidencePack, evidencePackText, verifyEvidencePack, type EvidencePack } from '../../engine/report/pack.js';
import { auditDir } from '../../engine/audit/files.js';
import { renderPdf, requireChromium } from '../../engine/report/pdf.js';
import { addTrustedKey, applyTrust, listTrustedKeys, removeTrustedKey, trustPath, whoseKey } from '../../engine/report/trust.js';
import { verifyReportText } from '../../engine/report/verify.js';
import { addModelOptions, withSession, type TargetOptions } from '../common.js';
import { exitState } from '../exit.js';
import { printOk } from '../format.js';
import { deprecatedAlias } from '../options.js';
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

/** An evidence pack file's text; a file that cannot be read is one usage line. */
function readPackText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read evidence pack ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 'usage');
  }
}

/** What `report pack --format json` prints about the pack written. */
function packWritten(file: string, pack: EvidencePack): EvidencePackWritten {
  return {
    file, reportName: pack.reportName, createdAt: pack.createdAt, parts: pack.manifest.parts, run: pack.parts.journal?.content.run ?? null,
    auditRecords: pack.parts.audit.content.records.length, selection: pack.parts.audit.content.selection, keyId: pack.manifest.signature.keyId,
  };
}

/** What `report export|render --format json` prints about the file written. */
function fileOutput(r: Report, out: string, fileFormat: FileFormat, size: string) {
  return { file: path.resolve(out), fileFormat, size, summary: r.summary, digest: r.integrity.digest, keyId: r.integrity.signature.keyId };
}

/**
 * `--file-format` (json, html, pdf); the old `--format html|pdf` still names it, with a note
 * (`--format` is the output format now: table or json, as everywhere).
 */
export function fileFormatOf(o: { format?: string; fileFormat?: FileFormat }, out: string): { file: FileFormat; output: 'table' | 'json' } {
  let output: 'table' | 'json' = 'table';
  let given = o.fileFormat;
  if (o.format === 'html' || o.format === 'pdf') {
    if (given && given !== o.format) throw new UserError(`give --file-format ${given} or the old --format ${o.format}, not both`, 'usage', '--file-format');
    process.stderr.write(`tenancy: note: --format ${o.format} is deprecated and goes away in the next release; use --file-format ${o.format}\n`);
    given = o.format;
  } else if (o.format === 'json') output = 'json';
  else if (o.format !== undefined && o.format !== 'table') throw new UserError(`--format must be table or json (the file's format is --file-format json|html|pdf), got ${o.format}`, 'usage', '--format');
  return { file: fileFormat(given, out), output };
}

function summaryLine(r: Report, out: string, size: string): string {
  const s = r.summary;
  return `wrote ${out} (${size}): ${s.verdict.toUpperCase()}, ${s.bySeverity.error} errors, ${s.bySeverity.warning} warnings, ${s.bySeverity.info} info; sha256 ${r.integrity.digest}; key ${r.integrity.signature.keyId}\n`;
}

interface ExportCliOptions extends Omit<TargetOptions, 'format'> {
  out?: string;
  format?: string;
  fileFormat?: FileFormat;
  estimate?: boolean;
  run?: string;
  rlsRole?: string;
  rlsSetting?: string;
  rlsTenant?: string;
  dir?: string;
}

/** Register `tenancy report`. */
export function registerReport(program: Command): void {
  const report = program.command('report').description('signed verification reports: export, render, verify, diff');
  const fileFormatOption = () => new Option('--file-format <format>', 'file format (default: from the --out extension, else json)').choices(['json', 'html', 'pdf']);
  // --format is checked by fileFormatOf: table or json, and the old html/pdf with a note.
  const outputFormatOption = () => new Option('--format <format>', 'output format: table or json (default table)');

  const exp = report.command('export')
    .description('run the verification suite and write a signed report (exit 1 when there are error findings)')
    .option('--profile <name>', 'connection profile to use')
    .option('--url <url>', 'connection URL; a password in it is used, never stored or written')
    .addOption(new Option('--env <environment>', 'for --url: the environment (default TENANCY_ENV, else production)').choices(['development', 'staging', 'production']))
    .addOption(outputFormatOption())
    .requiredOption('--out <file>', 'file to write')
    .addOption(fileFormatOption())
    .option('--estimate', 'catalogs and statistics only (no table scans, no distribution)')
    .option('--run <id>', 'runbook run: include its audited statements, and tag this export\'s statements with it')
    .option('--rls-role <role>', 'application role for the isolation probe')
    .option('--rls-setting <name>', 'setting the application sets to the tenant id')
    .option('--rls-tenant <id>', 'tenant to impersonate in the probe')
    .option('--dir <dir>', 'include the migration ledger state of this folder (plain, Drizzle, Prisma or Supabase)');
  deprecatedAlias(exp, '--migrations <dir>', '--dir');
  addModelOptions(exp).action(async (o: ExportCliOptions) => {
    const out = o.out!;
    const { file: format, output } = fileFormatOf(o, out);
    if (!fs.existsSync(path.dirname(path.resolve(out)))) throw new UserError(`folder ${path.dirname(out)} does not exist; create it or choose another --out`, 'usage');
    if (format === 'pdf') requireChromium(); // say so before scanning, not after
    if (o.run) setCliAuditRun(o.run);
    // Read before connecting: a wrong folder or run id is a usage error, not a half-done export.
    const source = o.dir ? readSource(o.dir) : undefined;
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
      exitState.code = r.summary.bySeverity.error > 0 ? 1 : 0;
      if (output === 'json') return printOk(fileOutput(r, out, format, size));
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
    .addOption(outputFormatOption())
    .action(async (file: string, o: { out: string; format?: string; fileFormat?: FileFormat }) => {
      const v = verifyReportText(readReportText(file), file, [installationKeyId()].filter((k): k is string => k !== null));
      if (!v.ok) throw new UserError(`${file} does not verify (${v.problems[0]!.where}: ${v.problems[0]!.what}); run tenancy report verify ${file}`, 'usage');
      const r = readReport(file);
      const { file: format, output } = fileFormatOf(o, o.out);
      if (format === 'pdf') requireChromium();
      if (format === 'json') throw new UserError('render writes html or pdf; copy the JSON file itself', 'usage', '--file-format');
      const size = await writeReport(r, o.out, format);
      if (output === 'json') printOk(fileOutput(r, o.out, format, size));
      else process.stdout.write(summaryLine(r, o.out, size));
    });

  report.command('pack')
    .description('the evidence pack of a report: the report, its run journal and the audit-log excerpt of the run, each signed, in one file')
    .argument('<report.json>')
    .option('--out <file>', 'file to write (default: beside the report, .evidence.json)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((file: string, o: { out?: string; format: 'table' | 'json' }) => {
      const out = o.out ?? file.replace(/(\.json)?$/, '.evidence.json');
      const pack = buildEvidencePack({
        reportName: path.basename(file), reportText: readReportText(file), runsDir: runsDir(), auditDir: auditDir(), key: loadOrCreateSigningKey(),
      });
      writeFileAtomicSync(out, evidencePackText(pack), { mode: 0o600 });
      const written = packWritten(out, pack);
      if (o.format === 'json') return printOk(written);
      process.stdout.write(`wrote ${out}: ${Object.keys(written.parts).join(', ')}; ${written.auditRecords} audited statement(s) (${written.selection}); signed by key ${written.keyId}\n`);
    });

  report.command('pack-verify')
    .description('verify an evidence pack: every part\'s digest and signature, the manifest, the report\'s seal, the journal\'s signed heads (exit 1 when it fails)')
    .argument('<pack.json>')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((file: string, o: { format: 'table' | 'json' }) => {
      const v = verifyEvidencePack(readPackText(file));
      if (o.format === 'json') printOk({ verification: v });
      else process.stdout.write(v.ok ? `${file}: intact, every part signed (key ${v.keyIds.join(', ')})\n` : `${file}: DOES NOT VERIFY\n${v.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      exitState.code = v.ok ? 0 : 1;
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
      if (o.format === 'json') printOk({ verification: { ...v, signer: whoseKey(v.keyId, own, trusted, o.expectKey?.toLowerCase()) } });
      else process.stdout.write(formatVerification(v, whoseKey(v.keyId, own, trusted, o.expectKey?.toLowerCase())));
      exitState.code = v.ok ? 0 : 1;
    });

  const trust = report.command('trust').description('signing keys of other installations whose reports `report verify` accepts');
  trust.command('add')
    .description('trust a key: its id (16 hex digits), its .pub.pem file, or a report it signed')
    .argument('<key-or-file>')
    .requiredOption('--label <who>', 'whose key it is (shown by report verify)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((given: string, o: { label: string; format: string }) => {
      const t = addTrustedKey(given, o.label);
      if (o.format === 'json') return printOk({ key: t, file: trustPath() });
      process.stdout.write(`trusted key ${t.keyId} (${t.label}) in ${trustPath()}\n`);
    });
  trust.command('list')
    .description('the trusted keys')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((o: { format: 'table' | 'json' }) => {
      const keys = listTrustedKeys();
      if (o.format === 'json') return printOk({ own: installationKeyId(), keys });
      process.stdout.write(`this installation: ${installationKeyId() ?? 'no key yet'}\n`);
      for (const k of keys) process.stdout.write(`${k.keyId}  ${k.label}  (added ${k.addedAt}${k.publicKey ? ', public key kept' : ''})\n`);
      if (keys.length === 0) process.stdout.write('no other key is trusted\n');
    });
  trust.command('remove')
    .description('stop trusting a key')
    .argument('<keyId>')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((keyId: string, o: { format: string }) => {
      if (!removeTrustedKey(keyId)) throw new UserError(`key ${keyId} is not trusted; see tenancy report trust list`, 'usage');
      if (o.format === 'json') return printOk({ removed: keyId.toLowerCase() });
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
      const verified = { a: false, b: false };
      for (const [k, f] of [['a', a], ['b', b]] as const) {
        const v = verifyReportText(readReportText(f), f, trusted);
        verified[k] = v.ok;
        if (!v.ok) process.stderr.write(`warning: ${f} does not verify (${v.problems[0]!.where}: ${v.problems[0]!.what})\n`);
      }
      const d = diffReports(readReport(a), readReport(b));
      if (!d.sameMode && !o.allowMixedModes) {
        throw new UserError(`${a} is an ${d.modes.a} report and ${b} an ${d.modes.b} report: an estimate cannot see orphan rows, cross-tenant references or the distribution, so nothing would be "resolved"; compare reports of the same mode (or pass --allow-mixed-modes)`, 'usage');
      }
      if (o.format === 'json') printOk({ ...d, verified });
      else process.stdout.write(formatDiff(d, a, b));
      exitState.code = d.added.some((f) => f.severity === 'error') ? 1 : 0;
    });
}
