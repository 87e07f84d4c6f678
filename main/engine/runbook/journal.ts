/**
 * The run journal: configDir/runs/<run-id>/journal.jsonl, append-only, one canonical JSON line per
 * event, each carrying the sha256 of the previous line (the audit log's chain, reused), so a
 * removed, reordered or edited line is caught by `tenancy runbook verify`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { JournalLineSchema, type JournalEvent, type JournalLine } from '../../../shared/runbook.js';
import { GENESIS_HASH } from '../audit/files.js';
import { configDir } from '../config.js';
import { UserError } from '../errors.js';
import { canonicalize, sha256Hex } from '../report/canonical.js';

/** The folder of all runs. */
export function runsDir(dir = configDir()): string {
  return path.join(dir, 'runs');
}

/** A new run id: run_<UTC yyyymmdd_hhmmss>_<6 hex>. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '_');
  return `run_${stamp}_${crypto.randomBytes(3).toString('hex')}`;
}

/** Check a run id typed by the operator (it becomes a folder name). */
export function checkRunId(id: string): string {
  if (!/^run_[0-9]{8}_[0-9]{6}_[0-9a-f]{6}$/.test(id)) throw new UserError(`"${id}" is not a run id (run_YYYYMMDD_HHMMSS_xxxxxx); see tenancy runbook list`, 'usage');
  return id;
}

/** The hash of a journal line: sha256 of its canonical form without `hash`. */
export function journalLineHash(line: Omit<JournalLine, 'hash'>): string {
  return sha256Hex(canonicalize({ v: line.v, seq: line.seq, prev: line.prev, time: line.time, operator: line.operator, event: line.event }));
}

/** The result of verifying a journal. */
export interface JournalVerification {
  ok: boolean;
  lines: number;
  /** The first broken line (1-based) and why. */
  brokenAt: { line: number; reason: string } | null;
  head: string;
}

/** An open run journal. */
export class Journal {
  readonly file: string;
  readonly lockFile: string;
  private lines: JournalLine[];

  private constructor(readonly run: string, readonly dir: string, lines: JournalLine[]) {
    this.file = path.join(dir, 'journal.jsonl');
    this.lockFile = path.join(dir, 'journal.lock');
    this.lines = lines;
  }

  /** Create the journal of a new run. */
  static create(run: string, base = runsDir()): Journal {
    const dir = path.join(base, checkRunId(run));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'journal.jsonl'), '', { flag: 'wx', mode: 0o600 });
    return new Journal(run, dir, []);
  }

  /** Open an existing run's journal (verified first: a broken chain is refused). */
  static open(run: string, base = runsDir()): Journal {
    const dir = path.join(base, checkRunId(run));
    if (!fs.existsSync(path.join(dir, 'journal.jsonl'))) throw new UserError(`no run ${run} in ${base}; see tenancy runbook list`, 'usage');
    const v = verifyJournalFile(path.join(dir, 'journal.jsonl'));
    if (!v.ok) throw new UserError(`the journal of ${run} is broken at line ${v.brokenAt!.line}: ${v.brokenAt!.reason}`, 'integrity');
    return new Journal(run, dir, readLines(path.join(dir, 'journal.jsonl')));
  }

  /** Every line so far. */
  get entries(): readonly JournalLine[] {
    return this.lines;
  }

  /** Append one event, chained to the last line on disk. */
  append(event: JournalEvent, operator: string): JournalLine {
    const last = this.lines[this.lines.length - 1];
    const body = { v: 1 as const, seq: (last?.seq ?? 0) + 1, prev: last?.hash ?? GENESIS_HASH, time: new Date().toISOString(), operator, event };
    const line: JournalLine = { ...body, hash: journalLineHash(body) };
    const fd = fs.openSync(this.file, 'a');
    try {
      fs.writeSync(fd, `${canonicalize(line)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.lines.push(line);
    return line;
  }

  /** Hold the run for this process (a second process on the same run is refused; a dead holder's lock is taken over). */
  lock(): () => void {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        fs.writeFileSync(this.lockFile, String(process.pid), { flag: 'wx' });
        return () => fs.rmSync(this.lockFile, { force: true });
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') throw err;
        const pid = Number(fs.readFileSync(this.lockFile, 'utf8'));
        if (pid && pid !== process.pid && alive(pid)) throw new UserError(`run ${this.run} is being run by process ${pid}; wait for it or stop it`, 'usage');
        fs.rmSync(this.lockFile, { force: true });
      }
    }
    throw new UserError(`cannot lock run ${this.run}`, 'usage');
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

function readLines(file: string): JournalLine[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JournalLineSchema.parse(JSON.parse(l)));
}

/** Check every line's hash and link; name the first broken line. */
export function verifyJournalFile(file: string): JournalVerification {
  const text = fs.readFileSync(file, 'utf8');
  const raw = text.split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  let prev = GENESIS_HASH;
  for (const [i, l] of raw.entries()) {
    const broken = (reason: string): JournalVerification => ({ ok: false, lines: raw.length, brokenAt: { line: i + 1, reason }, head: prev });
    let parsed: JournalLine;
    try {
      parsed = JournalLineSchema.parse(JSON.parse(l));
    } catch {
      return broken('not a journal line (edited or truncated)');
    }
    if (parsed.seq !== i + 1) return broken(`sequence ${parsed.seq} where ${i + 1} was expected (a line removed or reordered)`);
    if (parsed.prev !== prev) return broken('does not chain to the line before it (a line removed, inserted or reordered)');
    if (journalLineHash(parsed) !== parsed.hash) return broken('its content does not match its hash (edited)');
    if (canonicalize(parsed) !== l) return broken('not in canonical form (edited)');
    prev = parsed.hash;
  }
  return { ok: true, lines: raw.length, brokenAt: null, head: prev };
}

/** Every run in the runs folder, newest first. */
export function listRuns(base = runsDir()): string[] {
  if (!fs.existsSync(base)) return [];
  return fs.readdirSync(base).filter((d) => /^run_/.test(d) && fs.existsSync(path.join(base, d, 'journal.jsonl'))).sort().reverse();
}
