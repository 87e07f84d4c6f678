/**
 * Reports saved by the desktop app and browser mode: `<config dir>/reports/`, one signed JSON per
 * export with its HTML rendering beside it. Names are checked against a strict pattern and
 * resolved inside the folder, so a name from the UI can never reach another file.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Report } from '../../../shared/report.js';
import { UserError } from '../errors.js';
import { renderReportHtml } from './html.js';
import { writeReportJson } from './file.js';
import { readDirNames, writeFileAtomicSync } from '../fs-util.js';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.json$/;

/** The reports folder in a config directory. */
export function reportsDir(configDir: string): string {
  return path.join(configDir, 'reports');
}

/** The path of a saved report by file name; a UserError for names that are not plain report names. */
export function savedReportPath(dir: string, name: string): string {
  if (!NAME_RE.test(name) || name.includes('..')) throw new UserError(`"${name}" is not a report name: use a file name ending in .json from the reports folder`, 'usage');
  return path.join(dir, name);
}

/** The HTML rendering's name for a report name (report.json -> report.html). */
export function htmlNameOf(name: string): string {
  return name.replace(/\.json$/, '.html');
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'report';
}

/** A file name for a new report: profile, time and the digest's first digits (unique per content). */
export function reportFileName(r: Report): string {
  const time = r.createdAt.replace(/[:.]/g, '-');
  return `${slug(r.profile.name)}-${time}-${r.integrity.digest.slice(0, 8)}.json`;
}

/** Write a signed report (canonical JSON) and its HTML rendering; returns the JSON's name. */
export function saveReport(dir: string, report: Report): { name: string; htmlName: string } {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = reportFileName(report);
  const htmlName = htmlNameOf(name);
  writeReportJson(report, path.join(dir, name));
  writeFileAtomicSync(path.join(dir, htmlName), renderReportHtml(report), { mode: 0o600 });
  return { name, htmlName };
}

/** A saved report as listed: what it is about, read without verifying (verify separately). */
export interface SavedReportInfo {
  name: string;
  htmlName: string | null;
  size: number;
  createdAt: string | null;
  profile: string | null;
  environment: string | null;
  database: string | null;
  verdict: 'pass' | 'pass-with-warnings' | 'fail' | 'incomplete' | null;
  mode: 'exact' | 'estimate' | null;
  findings: number | null;
  digest: string | null;
  keyId: string | null;
  /** Which database (the fingerprint): system identifier (else server address) and database name; history groups by it. */
  databaseKey: string | null;
  /** What was checked, in words (schemas, tenant table and column, global tables, probe role): compare only equal scopes. */
  scope: string | null;
  /** Findings by severity, for the history chart. */
  bySeverity: { error: number; warning: number; info: number } | null;
  problem: string | null;
}

/** The database key of a report's fingerprint: one database across reports, whatever the profile's name. */
export function databaseKeyOf(fp: Record<string, unknown>): string | null {
  const db = typeof fp.database === 'string' ? fp.database : null;
  if (!db) return null;
  const where = typeof fp.systemIdentifier === 'string' ? `sysid ${fp.systemIdentifier}` : `${String(fp.serverAddress ?? 'local')}:${String(fp.serverPort ?? '')}`;
  return `${db} @ ${where}`;
}

/** The scope a report checked, in words, from its model and profile. */
export function scopeOf(model: Record<string, unknown>, profile: Record<string, unknown>): string | null {
  const list = (v: unknown) => (Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' ? `${String((x as Loose).schema)}.${String((x as Loose).table)}` : String(x))).join(', ') : '');
  if (!model.schemas) return null;
  const tt = model.tenantTable && typeof model.tenantTable === 'object' ? `${String((model.tenantTable as Loose).schema)}.${String((model.tenantTable as Loose).table)}` : 'none';
  return [
    `schemas ${list(model.schemas) || 'none'}`,
    `tenant table ${tt}`,
    `tenant column ${list(model.tenantColumns) || String(model.tenantColumn ?? 'none')}`,
    `global ${list(model.globalTables) || 'none'}`,
    `probe ${typeof profile.rlsRole === 'string' ? profile.rlsRole : 'none'}`,
  ].join(' · ');
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const VERDICTS = ['pass', 'pass-with-warnings', 'fail', 'incomplete'] as const;

/** Describe one saved report file (a file that is not a report is listed with its problem). */
export function describeSavedReport(dir: string, name: string): SavedReportInfo {
  const file = savedReportPath(dir, name);
  const size = fs.statSync(file).size;
  const html = htmlNameOf(name);
  const base: SavedReportInfo = {
    name, htmlName: fs.existsSync(path.join(dir, html)) ? html : null, size,
    createdAt: null, profile: null, environment: null, database: null, verdict: null, mode: null, findings: null, digest: null, keyId: null,
    databaseKey: null, scope: null, bySeverity: null, problem: null,
  };
  let raw: Loose;
  try {
    raw = obj(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return { ...base, problem: 'not valid JSON' };
  }
  const summary = obj(raw.summary);
  const integrity = obj(raw.integrity);
  const verdict = str(summary.verdict);
  return {
    ...base,
    createdAt: str(raw.createdAt),
    profile: str(obj(raw.profile).name),
    environment: str(obj(raw.profile).environment),
    database: str(obj(raw.database).database),
    verdict: VERDICTS.find((v) => v === verdict) ?? null,
    mode: (['exact', 'estimate'] as const).find((m) => m === obj(raw.checks).mode) ?? null,
    findings: typeof summary.findings === 'number' ? summary.findings : null,
    digest: str(integrity.digest),
    keyId: str(obj(integrity.signature).keyId),
    databaseKey: databaseKeyOf(obj(raw.database)),
    scope: scopeOf(obj(obj(raw.model).detail), obj(raw.profile)),
    bySeverity: severities(obj(summary.bySeverity)),
    problem: raw.kind === 'tenancy-console/verification-report' ? null : 'not a Tenancy Console report',
  };
}

function severities(b: Loose): SavedReportInfo['bySeverity'] {
  const n = (v: unknown) => (typeof v === 'number' ? v : null);
  const [error, warning, info] = [n(b.error), n(b.warning), n(b.info)];
  return error === null || warning === null || info === null ? null : { error, warning, info };
}

/** Every saved report, newest first. */
export function listSavedReports(dir: string): SavedReportInfo[] {
  return readDirNames(dir)
    .filter((n) => NAME_RE.test(n))
    .map((n) => describeSavedReport(dir, n))
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || b.name.localeCompare(a.name));
}

/** A saved report's JSON or HTML text, for download or printing. */
export function readSavedReport(dir: string, name: string, format: 'json' | 'html'): { fileName: string; mime: string; text: string } {
  const jsonPath = savedReportPath(dir, name);
  const fileName = format === 'json' ? name : htmlNameOf(name);
  const file = format === 'json' ? jsonPath : path.join(dir, fileName);
  try {
    return { fileName, mime: format === 'json' ? 'application/json' : 'text/html', text: fs.readFileSync(file, 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${fileName} is not in the reports folder ${dir}`, 'usage');
    throw err;
  }
}
