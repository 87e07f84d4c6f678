/**
 * Reading and writing report files: write the exact canonical bytes; read back with a one-line
 * UserError when the file is missing, not JSON, or not a report this console understands.
 */
import fs from 'node:fs';
import { ReportSchema, type Report } from '../../../shared/report.js';
import { UserError } from '../errors.js';
import { reportFileText } from './sign.js';

/** Read a file's text, or a UserError naming it. */
export function readReportText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read report ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 'usage');
  }
}

/** Parse a report file (no integrity check: use verifyReportText for that). */
export function readReport(file: string): Report {
  const text = readReportText(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file} is not JSON: ${(err as Error).message.split('\n')[0]}`, 'usage');
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > 1) throw new UserError(`${file} is a schema ${version} report; this console reads schema 1: upgrade the console`, 'usage');
  const parsed = ReportSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${file} is not a Tenancy Console report: ${issue.path.join('.') || 'top level'}: ${issue.message}`, 'usage');
  }
  return parsed.data;
}

/** Write a signed report as its canonical bytes. */
export function writeReportJson(report: Report, file: string): void {
  fs.writeFileSync(file, reportFileText(report), { mode: 0o600 });
}
