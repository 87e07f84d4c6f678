/**
 * The pg_dump files a run's backup steps journaled: each file's sha256 recomputed and compared with
 * the journal's, so `runbook verify` says whether the dumps are still the ones the run took.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { JournalLineSchema, type JournalLine } from '../../../shared/runbook.js';

/** One journaled dump and what its file holds now. */
export interface DumpCheck {
  step: string;
  table: string;
  file: string;
  expected: string;
  /** The file's sha256 now, or null when it is gone. */
  actual: string | null;
  ok: boolean;
  /** Why it does not verify ("missing", "sha256 ... differs"), null when it does. */
  problem: string | null;
}

function fileSha256(file: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** The journal's lines that parse (a broken chain is verify's to report; the dumps are checked all the same). */
function readLines(dir: string): JournalLine[] {
  const file = path.join(dir, 'journal.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).flatMap((l) => {
    try {
      return [JournalLineSchema.parse(JSON.parse(l))];
    } catch {
      return [];
    }
  });
}

/** Every dump the run's journal records (refs `dump:TABLE` with `sha256:TABLE` of a passed step), checked against its file. */
export function verifyRunDumps(dir: string, lines: readonly JournalLine[] = readLines(dir)): DumpCheck[] {
  const out: DumpCheck[] = [];
  for (const l of lines) {
    if (l.event.type !== 'step-passed') continue;
    const { refs } = l.event.evidence;
    for (const [key, recorded] of Object.entries(refs)) {
      if (!key.startsWith('dump:')) continue;
      const table = key.slice(5);
      const expected = refs[`sha256:${table}`] ?? '';
      // The path as journaled, else the same name in this run folder's dumps/ (a run folder copied elsewhere).
      const file = fs.existsSync(recorded) ? recorded : path.join(dir, 'dumps', path.basename(recorded));
      const actual = fs.existsSync(file) ? fileSha256(file) : null;
      const ok = actual !== null && actual === expected;
      const problem = ok ? null : actual === null ? `the dump file ${recorded} is missing` : `the dump file ${file} has sha256 ${actual.slice(0, 16)}..., the journal recorded ${expected.slice(0, 16)}... (changed since the backup)`;
      out.push({ step: l.event.step, table, file, expected, actual, ok, problem });
    }
  }
  return out;
}
