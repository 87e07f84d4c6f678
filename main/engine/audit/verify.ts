/**
 * Verify the audit log's hash chain across every file: each line's hash matches its content,
 * each line chains from the one before, sequence numbers have no gaps, and the head file agrees
 * with the last line (so a deleted tail is caught too). Names the first broken line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AuditLineSchema, type AuditVerification } from '../../../shared/audit.js';
import { GENESIS_HASH, auditDir, headPath, listAuditFiles, splitLines } from './files.js';
import { readCheckpoints, type Checkpoint } from './checkpoint.js';
import { lineHash } from './log.js';

/**
 * Walk the whole chain; `broken` names the first file and line (1-based) that fails, and why.
 * With `keyDir` (the config directory), the signed checkpoints are checked too: every line whose
 * seq was checkpointed must carry the signed hash, and the log must reach the last checkpoint.
 */
export function verifyAuditLog(dir = auditDir(), keyDir: string | null = null): AuditVerification {
  const files = listAuditFiles(dir);
  const cps = keyDir ? readCheckpoints(dir, keyDir) : { ok: true as const, bySeq: new Map<number, Checkpoint>(), last: null };
  let lastGood: Checkpoint | null = null;
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let entries = 0;
  const fail = (file: string, line: number, seq: number | null, reason: string): AuditVerification => ({
    ok: false, files: files.length, entries, lastHash: prevHash === GENESIS_HASH ? null : prevHash, broken: { file, line, seq, reason },
  });
  if (!cps.ok) return fail('checkpoints.jsonl', cps.line, null, `signed checkpoint ${cps.line}: ${cps.reason}`);

  for (const { name } of files) {
    const lines = splitLines(fs.readFileSync(path.join(dir, name), 'utf8'));
    for (let i = 0; i < lines.length; i += 1) {
      const n = i + 1;
      let raw: unknown;
      try {
        raw = JSON.parse(lines[i]!);
      } catch {
        return fail(name, n, null, 'not valid JSON (edited, or torn by a crash)');
      }
      const parsed = AuditLineSchema.safeParse(raw);
      if (!parsed.success) return fail(name, n, null, `not an audit line (${parsed.error.issues[0]?.path.join('.') || 'shape'} is wrong)`);
      const line = parsed.data;
      if (lineHash(line) !== line.hash) {
        return fail(name, n, line.seq, 'edited: its content no longer matches its hash');
      }
      if (line.seq > expectedSeq) {
        const missing = line.seq - expectedSeq;
        return fail(name, n, line.seq, `${missing} entr${missing === 1 ? 'y' : 'ies'} deleted before it (seq ${expectedSeq}${missing > 1 ? `..${line.seq - 1}` : ''} missing)`);
      }
      if (line.seq < expectedSeq) return fail(name, n, line.seq, `out of order: seq ${line.seq} where ${expectedSeq} was expected (a line was copied or moved)`);
      if (line.prev !== prevHash) {
        return fail(name, n, line.seq, n === 1 && entries === 0 && line.seq > 1
          ? 'the chain starts mid-way: earlier audit files were deleted'
          : 'chain broken: it does not continue from the previous line\'s hash (the line was replaced)');
      }
      const cp = cps.bySeq.get(line.seq);
      if (cp && cp.hash !== line.hash) {
        const since = lastGood ? `after seq ${lastGood.seq} (checkpointed ${lastGood.time}, still intact)` : 'at or before it';
        return fail(name, n, line.seq, `rewritten: its hash differs from the one signed for seq ${line.seq} at ${cp.time}; the chain was recomputed after an edit ${since}`);
      }
      if (cp) lastGood = cp;
      prevHash = line.hash;
      expectedSeq = line.seq + 1;
      entries += 1;
    }
  }

  if (cps.last && cps.last.seq >= expectedSeq) {
    const last = files.at(-1)?.name ?? 'audit log';
    return fail(last, -1, cps.last.seq, `entries after seq ${expectedSeq - 1} were deleted: a checkpoint signed at ${cps.last.time} records seq ${cps.last.seq}`);
  }
  if (keyDir && entries > 0 && !cps.last) {
    return fail('checkpoints.jsonl', -1, null, 'no signed checkpoint: checkpoints.jsonl was deleted (or the log was never written by a console that signs)');
  }
  const head = readHead(dir);
  if (head && head.seq >= expectedSeq) {
    const last = files.at(-1)?.name ?? head.file;
    return fail(last, -1, head.seq, `entries after seq ${expectedSeq - 1} were deleted: the head records seq ${head.seq}`);
  }
  if (head && head.seq === expectedSeq - 1 && head.hash !== prevHash) {
    return fail(files.at(-1)?.name ?? head.file, -1, head.seq, 'the last entry differs from the one the head records');
  }
  return { ok: true, files: files.length, entries, lastHash: entries ? prevHash : null, broken: null };
}

function readHead(dir: string): { file: string; seq: number; hash: string } | null {
  try {
    const h = JSON.parse(fs.readFileSync(headPath(dir), 'utf8')) as { file: string; seq: number; hash: string };
    return typeof h.seq === 'number' && typeof h.hash === 'string' ? h : null;
  } catch {
    return null;
  }
}
