/**
 * Report keys this installation trusts besides its own: `${configDir}/keys/trusted-report-keys.json`
 * (mode 0600), each a key id with a label saying whose it is (and the public key when it was
 * added from a key file or a report). `report verify` fails a report signed by any other key.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ReportVerification } from '../../../shared/report.js';
import { configDir } from '../config.js';
import { UserError } from '../errors.js';
import { installationKeyId, keyIdOf, keyPaths } from './keys.js';

const TrustedKeySchema = z.object({
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  label: z.string().min(1).max(200),
  publicKey: z.string().optional(),
  addedAt: z.string(),
});
/** One trusted key. */
export type TrustedKey = z.infer<typeof TrustedKeySchema>;
const TrustFileSchema = z.object({ version: z.literal(1), keys: z.array(TrustedKeySchema) });

/** The trust file of a config directory. */
export function trustPath(dir = configDir()): string {
  return path.join(keyPaths(dir).dir, 'trusted-report-keys.json');
}

/** The trusted keys (none when the file does not exist; a UserError when it is unreadable). */
export function listTrustedKeys(dir = configDir()): TrustedKey[] {
  let text: string;
  try {
    text = fs.readFileSync(trustPath(dir), 'utf8');
  } catch {
    return [];
  }
  const parsed = TrustFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new UserError(`${trustPath(dir)} is not a trust file; fix or remove it`, 'config');
  return parsed.data.keys;
}

function writeTrusted(dir: string, keys: TrustedKey[]): void {
  fs.mkdirSync(keyPaths(dir).dir, { recursive: true, mode: 0o700 });
  const file = trustPath(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ version: 1, keys }, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The key id and public key named by `given`: a 16-hex key id, a public key PEM file, or a signed report. */
export function resolveKey(given: string): { keyId: string; publicKey?: string } {
  if (/^[0-9a-f]{16}$/i.test(given)) return { keyId: given.toLowerCase() };
  let text: string;
  try {
    text = fs.readFileSync(given, 'utf8');
  } catch {
    throw new UserError(`"${given}" is neither a key id (16 hex digits) nor a readable file (a .pub.pem key or a signed report)`, 'usage');
  }
  try {
    const der = text.includes('-----BEGIN')
      ? crypto.createPublicKey(text).export({ type: 'spki', format: 'der' })
      : Buffer.from(String((JSON.parse(text) as { integrity?: { signature?: { publicKey?: unknown } } }).integrity?.signature?.publicKey ?? ''), 'base64');
    crypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
    return { keyId: keyIdOf(der), publicKey: der.toString('base64') };
  } catch {
    throw new UserError(`${given} holds no public key: give a .pub.pem file, a signed report or a key id`, 'usage');
  }
}

/** Trust a key under a label; replaces the label of a key already trusted. */
export function addTrustedKey(given: string, label: string, dir = configDir()): TrustedKey {
  const k = resolveKey(given);
  if (k.keyId === installationKeyId(dir)) throw new UserError(`key ${k.keyId} is this installation's own key; it is always trusted`, 'usage');
  const entry: TrustedKey = { keyId: k.keyId, label, ...(k.publicKey ? { publicKey: k.publicKey } : {}), addedAt: new Date().toISOString() };
  writeTrusted(dir, [...listTrustedKeys(dir).filter((t) => t.keyId !== k.keyId), entry]);
  return entry;
}

/** Stop trusting a key; false when it was not trusted. */
export function removeTrustedKey(keyId: string, dir = configDir()): boolean {
  const all = listTrustedKeys(dir);
  const rest = all.filter((t) => t.keyId !== keyId.toLowerCase());
  if (rest.length === all.length) return false;
  writeTrusted(dir, rest);
  return true;
}

/** Whose key signed a report, in words. */
export function whoseKey(keyId: string | null, own: string | null, trusted: TrustedKey[], expected?: string): string {
  if (keyId === null) return 'no key';
  if (keyId === own) return "this installation's key";
  const t = trusted.find((k) => k.keyId === keyId);
  if (t) return `trusted: ${t.label}`;
  if (expected && keyId === expected) return 'the expected key (--expect-key)';
  return `an unknown key: neither this installation's${own ? ` (${own})` : ''} nor a trusted one`;
}

/**
 * Apply trust to an integrity verification: a report signed by a key that is neither this
 * installation's, nor trusted, nor `--expect-key` fails; `--expect-key` also fails any other key.
 */
export function applyTrust(v: ReportVerification, own: string | null, trusted: TrustedKey[], expected?: string): ReportVerification {
  const problems = [...v.problems];
  if (expected && v.keyId !== expected) {
    problems.push({ where: 'integrity.signature.keyId', what: `signed with key ${v.keyId ?? 'none'}, not the expected ${expected}` });
  } else if (v.keyId !== null && !expected && v.keyId !== own && !trusted.some((t) => t.keyId === v.keyId)) {
    problems.push({
      where: 'integrity.signature.keyId',
      what: `signed by ${v.keyId}, ${whoseKey(v.keyId, own, trusted)}; if it is the issuer's published key: tenancy report trust add ${v.keyId} --label "who it is"`,
    });
  }
  const trustedKey = v.keyId !== null && (v.keyId === own || v.keyId === expected || trusted.some((t) => t.keyId === v.keyId));
  return { ...v, ok: problems.length === 0, problems, trustedKey };
}
