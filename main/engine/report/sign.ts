/**
 * Seal a report body: canonical digest, per-section digest map, Ed25519 signature over the
 * canonical integrity block. The file written is exactly `canonicalize(report)` plus a newline.
 */
import crypto from 'node:crypto';
import type { Report, ReportBody, ReportIntegrity } from '../../../shared/report.js';
import { canonicalDigest, canonicalize } from './canonical.js';
import type { SigningKey } from './keys.js';
import { sectionDigests } from './sections.js';

/** The bytes the signature covers: the integrity block without the signature value. */
export function signedPayload(integrity: Omit<ReportIntegrity, 'signature'> & { signature: Omit<ReportIntegrity['signature'], 'value'> & { value?: string } }): Buffer {
  const { value: _value, ...sig } = integrity.signature;
  return Buffer.from(canonicalize({ ...integrity, signature: sig }), 'utf8');
}

/** Digest and sign a body with the installation key. */
export function signReport(body: ReportBody, key: SigningKey): Report {
  const plain = JSON.parse(canonicalize(body)) as Record<string, unknown>;
  const unsigned = {
    algorithm: 'sha256' as const,
    canonicalization: 'RFC8785' as const,
    digest: canonicalDigest(plain),
    sections: sectionDigests(plain),
    signature: { algorithm: 'Ed25519' as const, publicKey: key.publicKeyDer.toString('base64'), keyId: key.keyId },
  };
  const value = crypto.sign(null, signedPayload(unsigned), key.privateKey).toString('base64');
  return { ...body, integrity: { ...unsigned, signature: { ...unsigned.signature, value } } };
}

/** The exact file text of a signed report. */
export function reportFileText(report: Report): string {
  return `${canonicalize(report)}\n`;
}
