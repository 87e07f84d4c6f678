/**
 * The evidence pack: one file an auditor files. It holds the signed report, the run journal with
 * its signed heads, and the audit-log excerpt of the run; every part carries its sha256 and an
 * Ed25519 signature by this installation's key, and a signed manifest binds the parts together.
 * `verifyEvidencePack` checks all of it (and the report's and journal's own signatures).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AuditRecord } from '../../../shared/audit.js';
import type { PackVerification } from '../../../shared/evidence-pack.js';
import type { JournalLine } from '../../../shared/runbook.js';
import type { Report } from '../../../shared/report.js';
import { readAuditEntries } from '../audit/read.js';
import { UserError } from '../errors.js';
import { headSignatureValid, readSignatures, type SignedHead } from '../runbook/head.js';
import { canonicalDigest, canonicalize } from './canonical.js';
import { keyIdOf, type SigningKey } from './keys.js';
import { verifyReportText } from './verify.js';

export const EVIDENCE_PACK_KIND = 'tenancy-console/evidence-pack';

/** An Ed25519 signature with the key that made it. */
export interface PartSignature {
  algorithm: 'Ed25519';
  keyId: string;
  publicKey: string;
  value: string;
}

/** One part: its content, the sha256 of its canonical form, and a signature over (name, sha256). */
export interface PackPart<T> {
  content: T;
  sha256: string;
  signature: PartSignature;
}

/** The journal part: the run's journal lines and the signed heads the runbook module wrote. */
export interface JournalPart {
  run: string;
  lines: JournalLine[];
  heads: SignedHead[];
}

/** The audit part: which statements were selected and how, and the records. */
export interface AuditPart {
  selection: string;
  records: AuditRecord[];
}

/** The pack file's content. */
export interface EvidencePack {
  kind: typeof EVIDENCE_PACK_KIND;
  createdAt: string;
  /** The report's file name as saved. */
  reportName: string;
  parts: { report: PackPart<Report>; journal: PackPart<JournalPart> | null; audit: PackPart<AuditPart> };
  manifest: { parts: Record<string, string>; signature: PartSignature };
}

function signBytes(bytes: string, key: SigningKey): PartSignature {
  return { algorithm: 'Ed25519', keyId: key.keyId, publicKey: key.publicKeyDer.toString('base64'), value: crypto.sign(null, Buffer.from(bytes, 'utf8'), key.privateKey).toString('base64') };
}

function signatureValid(bytes: string, s: PartSignature): boolean {
  try {
    const der = Buffer.from(s.publicKey, 'base64');
    if (keyIdOf(der) !== s.keyId) return false;
    return crypto.verify(null, Buffer.from(bytes, 'utf8'), crypto.createPublicKey({ key: der, format: 'der', type: 'spki' }), Buffer.from(s.value, 'base64'));
  } catch {
    return false;
  }
}

function part<T>(name: string, content: T, key: SigningKey): PackPart<T> {
  const sha256 = canonicalDigest(content);
  return { content, sha256, signature: signBytes(canonicalize({ part: name, sha256 }), key) };
}

/** The audit query a session opens with (main/engine/session.ts reads the fingerprint first). */
const FINGERPRINT_SQL = "current_setting('server_version')";

/**
 * A report exported on its own: the statements of its session, from the last connect (the
 * fingerprint query) of that profile and database before the checks started, to the report's time.
 */
function exportStatements(report: Report, auditDir: string): ReturnType<typeof readAuditEntries> {
  const to = new Date(Date.parse(report.createdAt) + 1000).toISOString();
  const all = readAuditEntries({ profile: report.profile.name, to }, auditDir).filter((r) => r.database === report.database.database);
  const started = Date.parse(report.checks.startedAt);
  let from = -1;
  for (const [i, r] of all.entries()) if (Date.parse(r.time) <= started && r.sql.includes(FINGERPRINT_SQL)) from = i;
  return from < 0 ? all.filter((r) => Date.parse(r.time) >= started) : all.slice(from);
}

/** Where the pack's parts come from. */
export interface PackSources {
  /** The saved report's file name and text. */
  reportName: string;
  reportText: string;
  runsDir: string;
  auditDir: string;
  key: SigningKey;
  now?: Date;
}

/**
 * Build the pack. The run is the report's own (a report exported by a runbook check step names it);
 * without one, the audit excerpt is the report's export: that profile's statements from the check
 * run's start to the report's creation.
 */
export function buildEvidencePack(src: PackSources): EvidencePack {
  let report: Report;
  try {
    report = JSON.parse(src.reportText) as Report;
  } catch {
    throw new UserError(`${src.reportName} is not valid JSON: export the report again`, 'usage');
  }
  if ((report as { kind?: string }).kind !== 'tenancy-console/verification-report') throw new UserError(`${src.reportName} is not a Tenancy Console report`, 'usage');
  const run = report.runbook?.run ?? null;
  let journal: PackPart<JournalPart> | null = null;
  if (run) {
    const dir = path.join(src.runsDir, run);
    const file = path.join(dir, 'journal.jsonl');
    if (!fs.existsSync(file)) throw new UserError(`the report names run ${run}, whose journal is not in ${src.runsDir}; pack it on the machine that ran it`, 'usage');
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalLine);
    journal = part('journal', { run, lines, heads: readSignatures(dir) }, src.key);
  }
  const records = run ? readAuditEntries({ run }, src.auditDir) : exportStatements(report, src.auditDir);
  const selection = run
    ? `every statement audited for run ${run}`
    : `the export's session: statements of profile "${report.profile.name}" on ${report.database.database} from its connect (fingerprint query) to ${report.createdAt}`;
  const audit = part('audit', { selection, records: records.map(({ seq: _seq, ...r }) => r) }, src.key);
  const reportPart = part('report', report, src.key);
  const parts: Record<string, string> = { report: reportPart.sha256, audit: audit.sha256, ...(journal ? { journal: journal.sha256 } : {}) };
  const createdAt = (src.now ?? new Date()).toISOString();
  return {
    kind: EVIDENCE_PACK_KIND, createdAt, reportName: src.reportName,
    parts: { report: reportPart, journal, audit },
    manifest: { parts, signature: signBytes(canonicalize({ kind: EVIDENCE_PACK_KIND, createdAt, reportName: src.reportName, parts }), src.key) },
  };
}

/** The pack's file text (canonical JSON and a newline). */
export function evidencePackText(pack: EvidencePack): string {
  return `${canonicalize(pack)}\n`;
}

/** What verifying a pack found (shared/evidence-pack.ts). */
export type { PackVerification };

/** Verify every part's digest and signature, the manifest, the report's own seal and the journal's heads. */
export function verifyEvidencePack(text: string): PackVerification {
  const problems: string[] = [];
  let pack: EvidencePack;
  try {
    pack = JSON.parse(text) as EvidencePack;
  } catch {
    return { ok: false, keyIds: [], problems: ['not valid JSON'] };
  }
  if (pack.kind !== EVIDENCE_PACK_KIND) return { ok: false, keyIds: [], problems: ['not a Tenancy Console evidence pack'] };
  const keyIds = new Set<string>();
  const entries = (Object.entries(pack.parts) as [string, PackPart<unknown> | null][]).filter((e): e is [string, PackPart<unknown>] => e[1] !== null);
  for (const [name, p] of entries) {
    keyIds.add(p.signature.keyId);
    if (canonicalDigest(p.content) !== p.sha256) problems.push(`${name}: its content does not match its sha256 (changed after packing)`);
    if (!signatureValid(canonicalize({ part: name, sha256: p.sha256 }), p.signature)) problems.push(`${name}: signature does not verify`);
    if (pack.manifest.parts[name] !== p.sha256) problems.push(`${name}: not the part the manifest lists`);
  }
  for (const name of Object.keys(pack.manifest.parts)) if (!entries.some(([n]) => n === name)) problems.push(`${name}: listed in the manifest but missing`);
  const { kind, createdAt, reportName } = pack;
  if (!signatureValid(canonicalize({ kind, createdAt, reportName, parts: pack.manifest.parts }), pack.manifest.signature)) problems.push('manifest: signature does not verify');
  const report = verifyReportText(`${canonicalize(pack.parts.report.content)}\n`, reportName);
  if (!report.ok) problems.push(`report: its own seal does not verify (${report.problems.map((p) => p.what).join('; ')})`);
  const journal = pack.parts.journal?.content;
  if (journal) {
    const bad = journal.heads.filter((h) => !headSignatureValid(h));
    if (bad.length) problems.push(`journal: ${bad.length} signed head(s) do not verify`);
    if (journal.heads.length === 0) problems.push('journal: no signed head');
  }
  return { ok: problems.length === 0, keyIds: [...keyIds], problems };
}

