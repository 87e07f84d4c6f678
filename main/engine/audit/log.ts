/**
 * The audit log writer: every statement a session sends, one JSON line each, hash-chained
 * (sha256 over the canonical line, which includes the previous line's hash), append-only, rotated
 * by size (a new file continues the chain). Safe to share between processes: each append takes a
 * lock file and chains from whatever the last line on disk is.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AuditLine, AuditRecord } from '../../../shared/audit.js';
import type { AuditEntry, AuditSink } from '../audit-sink.js';
import { canonicalize, sha256Hex } from '../report/canonical.js';
import { GENESIS_HASH, auditDir, auditFileName, headPath, listAuditFiles, splitLines } from './files.js';
import { configDir } from '../config.js';
import type { SigningKey } from '../report/keys.js';
import { appendCheckpoint, checkpointKey } from './checkpoint.js';
import { auditParam, redactText } from './redact.js';

/** How to open the audit log. */
export interface AuditLogOptions {
  /** The audit directory (default `${configDir()}/audit`). */
  dir?: string;
  /** Start a new file when the current one would exceed this many bytes (default 10 MiB). */
  maxBytes?: number;
  /** Run id stamped on entries that carry none. */
  run?: string;
  /** Told about a write failure (default: one line on stderr, once). */
  onError?: (err: Error) => void;
  /**
   * The config directory whose installation key signs a checkpoint after every append; default:
   * the config directory when `dir` is not given, no signing when it is (tests' scratch logs).
   */
  keyDir?: string | null;
}

/** The hash of an audit line: sha256 of the canonical line without its own hash (it includes `prev`). */
export function lineHash(line: Omit<AuditLine, 'hash'>): string {
  return sha256Hex(canonicalize({ v: line.v, seq: line.seq, prev: line.prev, entry: line.entry }));
}

/** Redact and normalise an entry as the log stores it. */
export function toAuditRecord(entry: AuditEntry, run?: string): AuditRecord {
  const rec: AuditRecord = {
    time: entry.time,
    profile: entry.profile,
    operator: entry.operator,
    database: entry.database,
    sql: redactText(entry.sql),
    params: entry.params.map(auditParam),
    durationMs: entry.durationMs,
    rows: entry.rows,
    error: entry.error === null ? null : redactText(entry.error),
  };
  const r = entry.run ?? run;
  if (r) rec.run = r;
  return rec;
}

interface Tail {
  file: string;
  size: number;
  seq: number;
  hash: string;
}

/** The append-only, hash-chained JSONL audit log; an AuditSink for sessions. */
export class AuditLog implements AuditSink {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly run: string | undefined;
  private readonly onError: (err: Error) => void;
  private tail: Tail | null = null;
  private reported = false;
  private failure: string | null = null;
  private readonly keyDir: string | null;
  private key: SigningKey | null = null;

  constructor(opts: AuditLogOptions = {}) {
    this.dir = opts.dir ?? auditDir();
    this.maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
    this.run = opts.run;
    this.keyDir = opts.keyDir !== undefined ? opts.keyDir : opts.dir ? null : configDir();
    this.onError = opts.onError ?? ((err) => {
      if (this.reported) return;
      this.reported = true;
      process.stderr.write(`tenancy: cannot write the audit log in ${this.dir}: ${err.message}\n`);
    });
  }

  /** Append one statement. Never throws; a failure goes to onError. */
  record(entry: AuditEntry): void {
    try {
      this.append(toAuditRecord(entry, this.run));
      this.failure = null;
    } catch (err) {
      this.failure = `cannot write the audit log in ${this.dir}: ${(err as Error).message}`;
      this.onError(err as Error);
    }
  }

  /** Why the last record was not written (null when it was). */
  lastFailure(): string | null {
    return this.failure;
  }

  /** Append a record and return the line written (throws on I/O errors). */
  append(record: AuditRecord): AuditLine {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    return withLock(path.join(this.dir, '.lock'), () => {
      const tail = this.currentTail();
      const body = { v: 1 as const, seq: tail.seq + 1, prev: tail.hash, entry: record };
      const line: AuditLine = { ...body, hash: lineHash(body) };
      let text = `${canonicalize(line)}\n`;
      let file = tail.file;
      let size = tail.size;
      if (size > 0 && size + Buffer.byteLength(text) > this.maxBytes) {
        file = auditFileName(fileNumber(file) + 1);
        size = 0;
      } else if (size > 0 && !endsWithNewline(path.join(this.dir, file), size)) {
        text = `\n${text}`; // a torn line from a crash stays visible to verify; we start clean after it
      }
      const fd = fs.openSync(path.join(this.dir, file), 'a', 0o600);
      try {
        fs.writeSync(fd, text);
      } finally {
        fs.closeSync(fd);
      }
      writeHead(this.dir, { file, seq: line.seq, hash: line.hash });
      if (this.keyDir) {
        this.key ??= checkpointKey(this.keyDir);
        appendCheckpoint(this.dir, this.key, line.seq, line.hash);
      }
      this.tail = { file, size: size + Buffer.byteLength(text), seq: line.seq, hash: line.hash };
      return line;
    });
  }

  /** The last line on disk (another process may have written since our last append). */
  private currentTail(): Tail {
    const files = listAuditFiles(this.dir);
    const last = files.at(-1);
    if (!last) return { file: auditFileName(1), size: 0, seq: 0, hash: GENESIS_HASH };
    const size = fs.statSync(path.join(this.dir, last.name)).size;
    if (this.tail && this.tail.file === last.name && this.tail.size === size) return this.tail;
    const found = lastLine(path.join(this.dir, last.name));
    if (found) return { file: last.name, size, seq: found.seq, hash: found.hash };
    // An empty newest file: chain from the file before it.
    const before = files.at(-2);
    const prev = before ? lastLine(path.join(this.dir, before.name)) : null;
    return { file: last.name, size, seq: prev?.seq ?? 0, hash: prev?.hash ?? GENESIS_HASH };
  }
}

/**
 * Overwrite the head record in place: fixed width, no truncation (a truncating rewrite costs
 * milliseconds on some filesystems; this costs what an append does).
 */
function writeHead(dir: string, head: { file: string; seq: number; hash: string }): void {
  const text = `${JSON.stringify(head).padEnd(255)}\n`;
  let fd: number;
  try {
    fd = fs.openSync(headPath(dir), 'r+');
  } catch {
    fd = fs.openSync(headPath(dir), 'w', 0o600);
  }
  try {
    fs.writeSync(fd, text, 0);
  } finally {
    fs.closeSync(fd);
  }
}

function fileNumber(name: string): number {
  return Number(/(\d+)/.exec(name)![1]);
}

function endsWithNewline(file: string, size: number): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

/** The seq and hash of the last complete, parseable line of a file (reads only the tail when it can). */
function lastLine(file: string): { seq: number; hash: string } | null {
  const size = fs.statSync(file).size;
  const chunk = 256 * 1024;
  if (size > chunk) {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(chunk);
      fs.readSync(fd, buf, 0, chunk, size - chunk);
      const text = buf.toString('utf8');
      // Drop the first (probably partial) line of the chunk.
      const found = lastParseable(splitLines(text.slice(text.indexOf('\n') + 1)));
      if (found) return found;
    } finally {
      fs.closeSync(fd);
    }
  }
  return lastParseable(splitLines(fs.readFileSync(file, 'utf8')));
}

function lastParseable(lines: string[]): { seq: number; hash: string } | null {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    try {
      const l = JSON.parse(lines[i]!) as { seq?: unknown; hash?: unknown };
      if (typeof l.seq === 'number' && typeof l.hash === 'string') return { seq: l.seq, hash: l.hash };
    } catch {
      // a torn line: keep looking backwards
    }
  }
  return null;
}

const waitCell = new Int32Array(new SharedArrayBuffer(4));

/** Run `fn` holding an exclusive lock file; a lock older than 10 s is taken over as stale. */
function withLock<T>(lockFile: string, fn: () => T): T {
  for (let attempt = 0; ; attempt += 1) {
    try {
      fs.closeSync(fs.openSync(lockFile, 'wx', 0o600));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - fs.statSync(lockFile).mtimeMs > 10_000) fs.rmSync(lockFile, { force: true });
      } catch {
        // gone already: retry
      }
      if (attempt > 5_000) throw new Error(`audit lock ${lockFile} is held by another process`, { cause: err });
      Atomics.wait(waitCell, 0, 0, 2); // back off 2 ms: appends are synchronous, so block briefly
    }
  }
  try {
    return fn();
  } finally {
    fs.unlinkSync(lockFile);
  }
}
