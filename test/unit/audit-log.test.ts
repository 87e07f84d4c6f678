import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../main/engine/audit-sink.js';
import type { AuditLine } from '../../shared/audit.js';
import { checkpointPath } from '../../main/engine/audit/checkpoint.js';
import { GENESIS_HASH, headPath, listAuditFiles, splitLines } from '../../main/engine/audit/files.js';
import { AuditLog, lineHash } from '../../main/engine/audit/log.js';
import { canonicalize } from '../../main/engine/report/canonical.js';
import { readAuditEntries } from '../../main/engine/audit/read.js';
import { redactText } from '../../main/engine/audit/redact.js';
import { verifyAuditLog } from '../../main/engine/audit/verify.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function entry(i: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
    profile: i % 2 ? 'staging' : 'prod "eu"; x',
    operator: i % 3 ? 'ana' : 'bo',
    database: 'app',
    sql: `SELECT ${i} FROM "Weird ""T"""`,
    params: [i],
    durationMs: 1.5,
    rows: 1,
    error: null,
    ...extra,
  };
}

function fill(log: AuditLog, n: number): void {
  for (let i = 1; i <= n; i += 1) log.record(entry(i));
}

function files(): string[] {
  return listAuditFiles(dir).map((f) => path.join(dir, f.name));
}

function editLine(file: string, lineNo: number, edit: (line: string) => string | null): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const next = edit(lines[lineNo - 1]!);
  if (next === null) lines.splice(lineNo - 1, 1);
  else lines[lineNo - 1] = next;
  fs.writeFileSync(file, lines.join('\n'));
}

describe('audit log', () => {
  it('chains every line and verifies clean across rotated files', () => {
    const log = new AuditLog({ dir, maxBytes: 2_000 });
    fill(log, 40);
    expect(files().length).toBeGreaterThan(2);
    for (const f of files()) expect(fs.statSync(f).size).toBeLessThanOrEqual(2_000);
    const v = verifyAuditLog(dir);
    expect(v).toMatchObject({ ok: true, entries: 40, broken: null });
    expect(v.files).toBe(files().length);
    // A second writer (another process) continues the same chain.
    fill(new AuditLog({ dir, maxBytes: 2_000 }), 3);
    expect(verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 43 });
  });

  it('names an edited line', () => {
    fill(new AuditLog({ dir }), 10);
    editLine(files()[0]!, 4, (l) => l.replace('SELECT 4', 'SELECT 5'));
    expect(verifyAuditLog(dir).broken).toEqual({ file: 'audit-000001.jsonl', line: 4, seq: 4, reason: expect.stringMatching(/^edited/) });
  });

  it('names the line after a deleted one, including across a rotation', () => {
    fill(new AuditLog({ dir }), 10);
    editLine(files()[0]!, 6, () => null);
    expect(verifyAuditLog(dir).broken).toMatchObject({ file: 'audit-000001.jsonl', line: 6, seq: 7, reason: expect.stringMatching(/1 entry deleted before it \(seq 6 missing\)/) });

    fs.rmSync(dir, { recursive: true });
    fill(new AuditLog({ dir, maxBytes: 1_500 }), 20);
    const second = files()[1]!;
    editLine(second, 1, () => null);
    expect(verifyAuditLog(dir).broken).toMatchObject({ file: path.basename(second), line: 1, reason: expect.stringMatching(/deleted before it/) });
  });

  it('catches a deleted tail and a line rewritten with a recomputed hash', () => {
    fill(new AuditLog({ dir }), 5);
    editLine(files()[0]!, 5, () => null);
    expect(verifyAuditLog(dir).broken?.reason).toMatch(/entries after seq 4 were deleted: the head records seq 5/);

    fs.rmSync(dir, { recursive: true });
    fill(new AuditLog({ dir }), 5);
    // A forger rewrites line 3 consistently (own prev and hash): line 3 verifies, line 4 no longer chains.
    const lines = fs.readFileSync(files()[0]!, 'utf8').split('\n');
    const forged = JSON.parse(lines[2]!) as { prev: string; seq: number; v: 1; entry: AuditEntry; hash: string };
    forged.entry.sql = 'SELECT harmless';
    return import('../../main/engine/audit/log.js').then(({ lineHash }) => {
      forged.hash = lineHash(forged);
      lines[2] = JSON.stringify(forged);
      fs.writeFileSync(files()[0]!, lines.join('\n'));
      expect(verifyAuditLog(dir).broken).toMatchObject({ line: 4, seq: 4, reason: expect.stringMatching(/chain broken/) });
    });
  });

  it('filters by time, profile, operator, run and text', () => {
    const log = new AuditLog({ dir });
    fill(log, 12);
    log.record(entry(13, { run: 'run-1', sql: 'UPDATE t SET x = 1', error: 'permission denied for table t' }));
    expect(readAuditEntries({ profile: 'staging' }, dir).map((e) => e.seq)).toEqual([1, 3, 5, 7, 9, 11, 13]);
    expect(readAuditEntries({ operator: 'bo' }, dir).map((e) => e.seq)).toEqual([3, 6, 9, 12]);
    expect(readAuditEntries({ from: '2025-01-01T00:00:05Z', to: '2025-01-01T00:00:08Z' }, dir).map((e) => e.seq)).toEqual([5, 6, 7]);
    expect(readAuditEntries({ text: 'PERMISSION' }, dir).map((e) => e.seq)).toEqual([13]);
    expect(readAuditEntries({ run: 'run-1' }, dir).map((e) => e.sql)).toEqual(['UPDATE t SET x = 1']);
    expect(readAuditEntries({ errorsOnly: true, limit: 5 }, dir)).toHaveLength(1);
    expect(readAuditEntries({ limit: 2 }, dir).map((e) => e.seq)).toEqual([12, 13]);
    expect(() => readAuditEntries({ from: 'yesterday' }, dir)).toThrow(/from "yesterday" is not a date/);
  });

  it('never writes a password', () => {
    const log = new AuditLog({ dir });
    log.record(entry(1, { sql: "ALTER ROLE app PASSWORD 'hunter2'" }));
    log.record(entry(2, { sql: "CREATE ROLE \"x\" LOGIN ENCRYPTED PASSWORD E'hun\\'ter2'" }));
    log.record(entry(3, { sql: 'CREATE USER u WITH PASSWORD $pw$hunter2$pw$' }));
    log.record(entry(4, { sql: "CREATE USER MAPPING FOR u SERVER s OPTIONS (user 'u', password 'hunter2')" }));
    log.record(entry(5, { sql: "SELECT dblink_connect('host=h password=hunter2 dbname=d')", params: ['postgres://u:hunter2@h/db', { password: 'hunter2', nested: ['x', 'mysql://a:hunter2@b'] }] }));
    log.record(entry(6, { error: 'could not connect to postgresql://app:hunter2@db:5432/x' }));
    const text = files().map((f) => fs.readFileSync(f, 'utf8')).join('');
    expect(text).not.toContain('hunter2');
    expect(text.match(/\[redacted\]/g)).toHaveLength(9);
    expect(verifyAuditLog(dir).ok).toBe(true);
  });

  it.each([
    ["ALTER ROLE a PASSWORD 'p''w'", "ALTER ROLE a PASSWORD '[redacted]'"],
    ['alter user a with password null', 'alter user a with password null'],
    ["SELECT 'PASSWORD' AS word", "SELECT 'PASSWORD' AS word"],
    ['see https://docs.example/x?q=1', 'see https://docs.example/x?q=1'],
    ['postgres://user@host/db', 'postgres://user@host/db'],
    ['postgres://user:s3cr3t@host/db', 'postgres://user:[redacted]@host/db'],
    ["host=a password='x y' user=b", 'host=a password=[redacted] user=b'],
  ])('redacts %s', (input, output) => {
    expect(redactText(input)).toBe(output);
  });
});

describe('signed checkpoints', () => {
  let keyDir: string;
  beforeEach(() => {
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-key-'));
  });
  afterEach(() => fs.rmSync(keyDir, { recursive: true, force: true }));

  /** Rewrite the log as an attacker with write access but no key would: edit, recompute, fix the head. */
  function rewrite(mutate: (lines: AuditLine[]) => AuditLine[]): void {
    const file = files()[0]!;
    const lines = splitLines(fs.readFileSync(file, 'utf8')).map((l) => JSON.parse(l) as AuditLine);
    const out: AuditLine[] = [];
    let prev = GENESIS_HASH;
    for (const l of mutate(lines)) {
      const body = { v: l.v, seq: l.seq, prev, entry: l.entry };
      const hash = lineHash(body);
      out.push({ ...body, hash });
      prev = hash;
    }
    fs.writeFileSync(file, out.map((l) => `${canonicalize(l)}\n`).join(''));
    const last = out.at(-1)!;
    fs.writeFileSync(headPath(dir), `${JSON.stringify({ file: path.basename(file), seq: last.seq, hash: last.hash })}\n`);
  }

  it('an untouched log verifies, checkpoints and all (the clean twin)', () => {
    fill(new AuditLog({ dir, keyDir }), 6);
    expect(verifyAuditLog(dir, keyDir)).toMatchObject({ ok: true, entries: 6 });
    expect(splitLines(fs.readFileSync(checkpointPath(dir), 'utf8'))).toHaveLength(6);
    expect(fs.statSync(checkpointPath(dir)).mode & 0o777).toBe(0o600);
  });

  it('an edited entry with the chain recomputed fails, naming the line', () => {
    fill(new AuditLog({ dir, keyDir }), 6);
    rewrite((lines) => lines.map((l) => (l.seq === 3 ? { ...l, entry: { ...l.entry, sql: 'SELECT 1 -- nothing to see' } } : l)));
    expect(verifyAuditLog(dir).ok).toBe(true); // the chain alone cannot tell
    const v = verifyAuditLog(dir, keyDir);
    expect(v.ok).toBe(false);
    expect(v.broken).toMatchObject({ line: 3, seq: 3 });
    expect(v.broken!.reason).toMatch(/rewritten: its hash differs from the one signed for seq 3 .* after seq 2 \(checkpointed/);
  });

  it('a removed tail (head rewritten to match) fails, naming the last signed seq', () => {
    fill(new AuditLog({ dir, keyDir }), 6);
    rewrite((lines) => lines.slice(0, 4));
    expect(verifyAuditLog(dir).ok).toBe(true);
    const v = verifyAuditLog(dir, keyDir);
    expect(v.ok).toBe(false);
    expect(v.broken!.seq).toBe(6);
    expect(v.broken!.reason).toMatch(/entries after seq 4 were deleted: a checkpoint signed at .* records seq 6/);
  });

  it('deleted or forged checkpoints fail', () => {
    fill(new AuditLog({ dir, keyDir }), 3);
    const good = fs.readFileSync(checkpointPath(dir), 'utf8');
    fs.rmSync(checkpointPath(dir));
    expect(verifyAuditLog(dir, keyDir).broken!.reason).toMatch(/no signed checkpoint/);
    fs.writeFileSync(checkpointPath(dir), good.replace(/"sig":"[^"]+"/, '"sig":"AAAA"'));
    expect(verifyAuditLog(dir, keyDir).broken!.reason).toMatch(/signature does not verify/);
    const lines = splitLines(good);
    const forged = JSON.parse(lines[0]!) as { keyId: string };
    forged.keyId = 'ffffffffffffffff';
    fs.writeFileSync(checkpointPath(dir), `${JSON.stringify(forged)}\n`);
    expect(verifyAuditLog(dir, keyDir).broken!.reason).toMatch(/signed by key ffffffffffffffff, not this installation's key/);
  });
});
