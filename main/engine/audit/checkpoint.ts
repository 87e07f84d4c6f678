/**
 * Signed checkpoints of the audit log: after every append the writer adds one line to
 * `checkpoints.jsonl`, the new head (seq and hash) signed with the installation's Ed25519 key
 * (the report-signing key, same files and format). A hash chain alone can be recomputed after an
 * edit; a checkpoint cannot be forged without the private key, so `audit verify` catches a
 * recomputed chain (a line's hash differs from the one signed for its seq) and a removed tail
 * (a signed checkpoint names a seq the log no longer has).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalize } from '../report/canonical.js';
import { installationKeyId, keyPaths, loadOrCreateSigningKey, type SigningKey } from '../report/keys.js';
import { splitLines } from './files.js';

/** One signed checkpoint. */
export interface Checkpoint {
  v: 1;
  seq: number;
  hash: string;
  time: string;
  keyId: string;
  /** base64 Ed25519 signature over the canonical checkpoint without `sig`, prefixed by DOMAIN. */
  sig: string;
}

const DOMAIN = 'tenancy-audit-checkpoint\n';

/** The checkpoint file of an audit directory. */
export function checkpointPath(dir: string): string {
  return path.join(dir, 'checkpoints.jsonl');
}

function payload(c: Omit<Checkpoint, 'sig'>): Buffer {
  return Buffer.from(DOMAIN + canonicalize({ v: c.v, seq: c.seq, hash: c.hash, time: c.time, keyId: c.keyId }), 'utf8');
}

/** Sign and append a checkpoint for the head `seq`/`hash` (the caller holds the log's lock). */
export function appendCheckpoint(dir: string, key: SigningKey, seq: number, hash: string): void {
  const body = { v: 1 as const, seq, hash, time: new Date().toISOString(), keyId: key.keyId };
  const sig = crypto.sign(null, payload(body), key.privateKey).toString('base64');
  const fd = fs.openSync(checkpointPath(dir), 'a', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify({ ...body, sig })}\n`);
  } finally {
    fs.closeSync(fd);
  }
}

/** The installation key of a config directory, created on first use (the writer's side). */
export function checkpointKey(keyDir: string): SigningKey {
  return loadOrCreateSigningKey(keyDir);
}

/** What reading the checkpoints found: the valid ones by seq, or the first bad line. */
export type CheckpointRead =
  | { ok: true; bySeq: Map<number, Checkpoint>; last: Checkpoint | null }
  | { ok: false; line: number; reason: string };

/** Read and check every checkpoint against this installation's public key (never the file's own). */
export function readCheckpoints(dir: string, keyDir: string): CheckpointRead {
  let text: string;
  try {
    text = fs.readFileSync(checkpointPath(dir), 'utf8');
  } catch {
    return { ok: true, bySeq: new Map(), last: null };
  }
  const keyId = installationKeyId(keyDir);
  let publicKey: crypto.KeyObject;
  try {
    publicKey = crypto.createPublicKey(fs.readFileSync(keyPaths(keyDir).privateKey, 'utf8'));
  } catch {
    return { ok: false, line: 1, reason: `checkpoints exist but this installation has no signing key in ${keyPaths(keyDir).dir} to check them with` };
  }
  const bySeq = new Map<number, Checkpoint>();
  let last: Checkpoint | null = null;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i += 1) {
    let c: Checkpoint;
    try {
      c = JSON.parse(lines[i]!) as Checkpoint;
    } catch {
      if (i === lines.length - 1) break; // torn by a crash mid-append: the chain itself still verifies
      return { ok: false, line: i + 1, reason: 'not valid JSON (edited)' };
    }
    if (typeof c.seq !== 'number' || typeof c.hash !== 'string' || typeof c.sig !== 'string' || typeof c.time !== 'string') {
      return { ok: false, line: i + 1, reason: 'not a checkpoint line' };
    }
    if (c.keyId !== keyId) return { ok: false, line: i + 1, reason: `signed by key ${String(c.keyId)}, not this installation's key ${keyId}` };
    if (!crypto.verify(null, payload(c), publicKey, Buffer.from(c.sig, 'base64'))) {
      return { ok: false, line: i + 1, reason: 'its signature does not verify with this installation\'s key (edited or forged)' };
    }
    bySeq.set(c.seq, c);
    if (!last || c.seq >= last.seq) last = c;
  }
  return { ok: true, bySeq, last };
}
