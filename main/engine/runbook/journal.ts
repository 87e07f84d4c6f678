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
import { loadOrCreateSigningKey } from '../report/keys.js';
import { readSignatures, signJournalHead, signaturesFile, type SignedHead } from './head.js';

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

/** Locks held by this process (a second run of the same id in the same host is refused too). */
const heldHere = new Set<string>();

/** Called after each append with the new head (the run writes it to the target database). */
export type HeadSink = (head: SignedHead) => Promise<void>;

/** An open run journal. */
export class Journal {
  readonly file: string;
  readonly lockFile: string;
  private lines: JournalLine[];
  private unlockFn: (() => void) | null = null;
  /** Where each appended head goes besides signatures.jsonl (the target database). */
  headSink: HeadSink | null = null;

  private constructor(readonly run: string, readonly dir: string, lines: JournalLine[], readonly keyDir: string) {
    this.file = path.join(dir, 'journal.jsonl');
    this.lockFile = path.join(dir, 'journal.lock');
    this.lines = lines;
  }

  /** Create the journal of a new run, locked for this process. */
  static create(run: string, base = runsDir()): Journal {
    const dir = path.join(base, checkRunId(run));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'journal.jsonl'), '', { flag: 'wx', mode: 0o600 });
    const j = new Journal(run, dir, [], path.dirname(base));
    j.unlockFn = takeLock(run, j.lockFile);
    return j;
  }

  /** Open an existing run's journal to read it (verified first: a broken chain is refused). */
  static open(run: string, base = runsDir()): Journal {
    const dir = path.join(base, checkRunId(run));
    const file = path.join(dir, 'journal.jsonl');
    if (!fs.existsSync(file)) throw new UserError(`no run ${run} in ${base}; see tenancy runbook list`, 'usage');
    const v = verifyJournalFile(file);
    if (!v.ok) throw new UserError(`the journal of ${run} is broken at line ${v.brokenAt!.line}: ${v.brokenAt!.reason}`, 'integrity');
    return new Journal(run, dir, readLines(file), path.dirname(base));
  }

  /**
   * Open an existing run's journal to continue it. The run's lock is taken BEFORE anything is read
   * or written (a refused second process leaves the journal untouched); then a torn last line is
   * cut and the repair journaled, and an unsigned last line (the process stopped between writing
   * and signing it) is signed. The chain must verify.
   */
  static async openLocked(run: string, base = runsDir(), operator = 'tenancy-console'): Promise<Journal> {
    const dir = path.join(base, checkRunId(run));
    const file = path.join(dir, 'journal.jsonl');
    if (!fs.existsSync(file)) throw new UserError(`no run ${run} in ${base}; see tenancy runbook list`, 'usage');
    const unlock = takeLock(run, path.join(dir, 'journal.lock'));
    try {
      const repaired = cutTornLine(file);
      const j = Journal.open(run, base);
      j.unlockFn = unlock;
      const signed = readSignatures(dir);
      const last = j.lines[j.lines.length - 1];
      if (last && (signed[signed.length - 1]?.seq ?? 0) === last.seq - 1) signHead(j, last);
      if (repaired) await j.append({ type: 'journal-repaired', ...repaired }, operator);
      return j;
    } catch (err) {
      unlock();
      throw err;
    }
  }

  /** Every line so far. */
  get entries(): readonly JournalLine[] {
    return this.lines;
  }

  /** Append one event, chained to the last line on disk, then sign the new head and hand it to the head sink. */
  async append(event: JournalEvent, operator: string): Promise<JournalLine> {
    const last = this.lines[this.lines.length - 1];
    const body = { v: 1 as const, seq: (last?.seq ?? 0) + 1, prev: last?.hash ?? GENESIS_HASH, time: new Date().toISOString(), operator, event };
    const line: JournalLine = { ...body, hash: journalLineHash(body) };
    appendDurably(this.file, `${canonicalize(line)}\n`);
    this.lines.push(line);
    const head = signHead(this, line);
    if (this.headSink) await this.headSink(head);
    return line;
  }

  /** Release the run's lock (safe to call twice). */
  release(): void {
    this.unlockFn?.();
    this.unlockFn = null;
  }
}

function appendDurably(file: string, text: string): void {
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function signHead(j: Journal, line: JournalLine): SignedHead {
  const head = signJournalHead(j.run, line.seq, line.hash, loadOrCreateSigningKey(j.keyDir));
  appendDurably(signaturesFile(j.dir), `${canonicalize(head)}\n`);
  return head;
}

/** Take a run's lock file (a live holder, in this process or another, is refused; a dead holder's lock is taken over). */
function takeLock(run: string, lockFile: string): () => void {
  if (heldHere.has(lockFile)) throw new UserError(`run ${run} is being run by this console now; wait for it or stop it`, 'usage');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      heldHere.add(lockFile);
      return () => {
        if (!heldHere.delete(lockFile)) return;
        fs.rmSync(lockFile, { force: true });
      };
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(lockFile, 'utf8'));
      if (pid && pid !== process.pid && alive(pid)) throw new UserError(`run ${run} is being run by process ${pid}; wait for it or stop it`, 'usage');
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new UserError(`cannot lock run ${run}`, 'usage');
}

/** Cut a torn last line (bytes after the last newline: a write cut short); what was cut, or null. */
function cutTornLine(file: string): { cutBytes: number; cutSha256: string; reason: string } | null {
  const buf = fs.readFileSync(file);
  if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return null;
  const keep = buf.lastIndexOf(0x0a) + 1;
  const cut = buf.subarray(keep);
  const head = buf.subarray(0, keep).toString('utf8');
  // Only a line cut short is repaired: everything before it must verify.
  const tmp = `${file}.verify`;
  fs.writeFileSync(tmp, head);
  const v = verifyJournalFile(tmp);
  fs.rmSync(tmp, { force: true });
  if (!v.ok) return null;
  fs.truncateSync(file, keep);
  return { cutBytes: cut.length, cutSha256: crypto.createHash('sha256').update(cut).digest('hex'), reason: `line ${v.lines + 1} was torn (a write cut short, e.g. a full disk) and was cut` };
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

/** Check every line's hash and link; name the first broken line. A torn last line is named as such. */
export function verifyJournalFile(file: string): JournalVerification {
  const text = fs.readFileSync(file, 'utf8');
  const raw = text.split('\n');
  const torn = raw[raw.length - 1] !== '';
  if (!torn) raw.pop();
  let prev = GENESIS_HASH;
  for (const [i, l] of raw.entries()) {
    const broken = (reason: string): JournalVerification => ({ ok: false, lines: raw.length, brokenAt: { line: i + 1, reason }, head: prev });
    if (torn && i === raw.length - 1) return broken('torn: the last write was cut short (continue the run to cut it and record the repair)');
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
