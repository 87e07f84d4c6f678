/**
 * Signed journal heads. After every append the journal's head (run, seq, hash) is signed with the
 * installation's Ed25519 key (the report key, main/engine/report/keys.ts) and appended to
 * signatures.jsonl beside the journal; the run also writes it to the target database's console
 * schema. A recomputed chain (its hashes no longer match what was signed), a removed tail (the
 * signatures, or the database, know of more lines) and an emptied file all fail verification,
 * naming the line.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalize } from '../report/canonical.js';
import { keyIdOf, type SigningKey } from '../report/keys.js';
import { verifyJournalFile, type JournalVerification } from './journal.js';

/** One signed head: line `seq` of run `run` has hash `hash`. */
export interface SignedHead {
  run: string;
  seq: number;
  hash: string;
  keyId: string;
  /** SPKI DER, base64. */
  publicKey: string;
  /** Ed25519 over canonicalize({run, seq, hash}), base64. */
  signature: string;
}

/** The head as the target database holds it. */
export interface DatabaseHead {
  seq: number;
  hash: string;
  keyId: string;
}

/** signatures.jsonl of a run folder. */
export function signaturesFile(dir: string): string {
  return path.join(dir, 'signatures.jsonl');
}

function payload(run: string, seq: number, hash: string): Buffer {
  return Buffer.from(canonicalize({ run, seq, hash }), 'utf8');
}

/** Sign a head with the installation key. */
export function signJournalHead(run: string, seq: number, hash: string, key: SigningKey): SignedHead {
  const signature = crypto.sign(null, payload(run, seq, hash), key.privateKey).toString('base64');
  return { run, seq, hash, keyId: key.keyId, publicKey: key.publicKeyDer.toString('base64'), signature };
}

/** Whether a head's signature is good and its key id is its public key's. */
export function headSignatureValid(h: SignedHead): boolean {
  try {
    const der = Buffer.from(h.publicKey, 'base64');
    if (keyIdOf(der) !== h.keyId) return false;
    const key = crypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
    return crypto.verify(null, payload(h.run, h.seq, h.hash), key, Buffer.from(h.signature, 'base64'));
  } catch {
    return false;
  }
}

/** The complete signature lines of a run folder (a torn last line is ignored: it was never finished). */
export function readSignatures(dir: string): SignedHead[] {
  const file = signaturesFile(dir);
  if (!fs.existsSync(file)) return [];
  const out: SignedHead[] = [];
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!l) continue;
    try {
      out.push(JSON.parse(l) as SignedHead);
    } catch {
      // a torn last line
    }
  }
  return out;
}

/** A journal's verification with its signatures (and the database's head when one was read). */
export interface SignedVerification extends JournalVerification {
  /** The key that signed the heads, or null when none did. */
  keyId: string | null;
  /** The last signed line. */
  signedSeq: number;
  /** The database's head when it was compared, else null. */
  database: DatabaseHead | null;
}

/**
 * Verify a run folder: the chain, then every line against the head signed for it, then the end of
 * the file against the last signature and the database's head. `expectKey` (a key id) is the key
 * the heads must be signed with.
 */
export function verifySignedJournal(dir: string, opts: { run: string; expectKey?: string | null; database?: DatabaseHead | null }): SignedVerification {
  const chain = verifyJournalFile(path.join(dir, 'journal.jsonl'));
  const lines = fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
  const sigs = readSignatures(dir);
  const base = { keyId: sigs[0]?.keyId ?? null, signedSeq: sigs[sigs.length - 1]?.seq ?? 0, database: opts.database ?? null };
  const broken = (line: number, reason: string): SignedVerification => ({ ...chain, ...base, ok: false, brokenAt: { line, reason } });
  const bySeq = new Map<number, SignedHead>();
  for (const [i, s] of sigs.entries()) {
    if (s.run !== opts.run || !headSignatureValid(s)) return broken(s.seq || i + 1, `signature ${i + 1} in signatures.jsonl is not a valid signature of this run's head`);
    if (opts.expectKey && s.keyId !== opts.expectKey) return broken(s.seq, `signed with key ${s.keyId}, not the expected key ${opts.expectKey}`);
    bySeq.set(s.seq, s);
  }
  if (lines.length === 0) return broken(1, sigs.length ? `the journal is empty but ${base.signedSeq} line(s) were signed (emptied)` : 'the journal is empty (a run always starts with run-started)');
  // Every line whose head was signed must still have the hash that was signed: a recomputed chain is caught at the first rewritten line.
  for (const [i, l] of lines.entries()) {
    const s = bySeq.get(i + 1);
    if (!s) continue;
    let hash: string | undefined;
    try {
      hash = (JSON.parse(l) as { hash?: string }).hash;
    } catch {
      hash = undefined;
    }
    if (hash !== s.hash) return broken(i + 1, 'it is not the line that was signed (rewritten, and the chain recomputed)');
  }
  if (!chain.ok) return { ...chain, ...base };
  if (sigs.length === 0) return broken(1, 'no signed head (signatures.jsonl missing): the journal cannot be proven');
  if (base.signedSeq > lines.length) return broken(lines.length + 1, `line ${lines.length + 1} to ${base.signedSeq} were signed and are gone (the tail was removed)`);
  if (opts.database && opts.database.seq > lines.length) {
    return broken(lines.length + 1, `the target database's head is line ${opts.database.seq}; the journal ends at line ${lines.length} (the tail was removed)`);
  }
  if (opts.database) {
    const l = lines[opts.database.seq - 1];
    if (l && (JSON.parse(l) as { hash: string }).hash !== opts.database.hash) return broken(opts.database.seq, 'it is not the line whose head the target database holds (rewritten)');
  }
  if (base.signedSeq < lines.length) return broken(base.signedSeq + 1, `line ${base.signedSeq + 1} and after are not signed`);
  return { ...chain, ...base };
}
