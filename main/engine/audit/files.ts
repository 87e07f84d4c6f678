/**
 * Where the audit log lives and how its files are named: `${configDir()}/audit/audit-000001.jsonl`,
 * numbered in chain order; a new file starts when the current one reaches the size limit.
 */
import path from 'node:path';
import { configDir } from '../config.js';
import { readDirNames } from '../fs-util.js';

/** The audit directory (created by the writer on first use). */
export function auditDir(dir = configDir()): string {
  return path.join(dir, 'audit');
}

/** The hash the first entry of a log chains from. */
export const GENESIS_HASH = '0'.repeat(64);

const FILE_RE = /^audit-(\d{6,})\.jsonl$/;

/** The name of audit file number `n`. */
export function auditFileName(n: number): string {
  return `audit-${String(n).padStart(6, '0')}.jsonl`;
}

/** Audit files in chain order, with their numbers. */
export function listAuditFiles(dir: string): { name: string; n: number }[] {
  return readDirNames(dir)
    .map((name) => ({ name, m: FILE_RE.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map(({ name, m }) => ({ name, n: Number(m[1]) }))
    .sort((a, b) => a.n - b.n);
}

/** The head file: the seq and hash of the last entry written, so a truncated tail is detected. */
export function headPath(dir: string): string {
  return path.join(dir, 'head.json');
}

/** Lines of a file's text; a final line without a newline (a torn write) is kept. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
