/**
 * The installation's report-signing key: Ed25519, generated on first use, kept in
 * `${configDir()}/keys/` (private key file mode 0600, directory 0700). Its public half travels
 * inside every report; its key id (first 16 hex digits of sha256 of the SPKI DER) is what an
 * issuer publishes so an auditor can tell this installation's reports from anyone else's.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { configDir } from '../config.js';
import { createFileAtomicSync, writeFileAtomicSync } from '../fs-util.js';

/** A loaded signing key. */
export interface SigningKey {
  privateKey: crypto.KeyObject;
  /** SPKI DER of the public key. */
  publicKeyDer: Buffer;
  keyId: string;
}

/** The key files' paths in a config directory. */
export function keyPaths(dir = configDir()): { dir: string; privateKey: string; publicKey: string } {
  const keys = path.join(dir, 'keys');
  return { dir: keys, privateKey: path.join(keys, 'report-signing-ed25519.pem'), publicKey: path.join(keys, 'report-signing-ed25519.pub.pem') };
}

/** The key id of an SPKI DER public key. */
export function keyIdOf(publicKeyDer: Buffer): string {
  return crypto.createHash('sha256').update(publicKeyDer).digest('hex').slice(0, 16);
}

function fromPrivatePem(pem: string): SigningKey {
  const privateKey = crypto.createPrivateKey(pem);
  const publicKeyDer = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return { privateKey, publicKeyDer, keyId: keyIdOf(publicKeyDer) };
}

/** Load the installation key, generating it on first use (two processes racing get the same key). */
export function loadOrCreateSigningKey(dir = configDir()): SigningKey {
  const p = keyPaths(dir);
  try {
    return fromPrivatePem(fs.readFileSync(p.privateKey, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    createFileAtomicSync(p.privateKey, pem, { mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return fromPrivatePem(fs.readFileSync(p.privateKey, 'utf8'));
  }
  writeFileAtomicSync(p.publicKey, publicKey.export({ type: 'spki', format: 'pem' }).toString(), { mode: 0o644 });
  return fromPrivatePem(pem);
}

/** This installation's key id, or null when no key was made yet (never creates one). */
export function installationKeyId(dir = configDir()): string | null {
  try {
    return fromPrivatePem(fs.readFileSync(keyPaths(dir).privateKey, 'utf8')).keyId;
  } catch {
    return null;
  }
}
