/**
 * Verify a report file: the bytes are the canonical form, the body matches its digest, the
 * integrity block carries a valid Ed25519 signature, and the content fits the schema. When it
 * fails, name where: the byte where the text stops being canonical JSON, the deepest section
 * whose signed digest no longer matches (e.g. `checks.findings[3]`), or the integrity field.
 */
import crypto from 'node:crypto';
import { ReportSchema, type ReportVerification } from '../../../shared/report.js';
import { canonicalDigest, canonicalize } from './canonical.js';
import { jsonErrorOffset } from './json-position.js';
import { keyIdOf } from './keys.js';
import { compareSections, sectionDigests } from './sections.js';
import { signedPayload } from './sign.js';

type Problem = ReportVerification['problems'][number];

/** "byte N (line L, column C)" for a character index: N counts UTF-8 bytes, as a hex editor shows. */
function lineCol(text: string, index: number): string {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return `byte ${Buffer.byteLength(before, 'utf8')} (line ${line}, column ${index - before.lastIndexOf('\n')})`;
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return i;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Verify report text. `trustedKeyIds` are keys the caller trusts (this installation's, or one given). */
export function verifyReportText(text: string, file: string, trustedKeyIds: string[] = []): ReportVerification {
  const problems: Problem[] = [];
  const result = (digest: string | null, keyId: string | null): ReportVerification => ({
    ok: problems.length === 0, file, digest, keyId, trustedKey: keyId !== null && trustedKeyIds.includes(keyId), problems,
  });

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorOffset(text);
    problems.push({ where: at >= 0 ? lineCol(text, at) : 'the file', what: `not valid JSON: ${(err as Error).message.split('\n')[0]}` });
    return result(null, null);
  }
  if (!isRecord(parsed) || !isRecord(parsed.integrity)) {
    problems.push({ where: 'integrity', what: 'no integrity block: this is not a signed Tenancy Console report' });
    return result(null, null);
  }
  const canonical = canonicalize(parsed);
  const expected = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (canonical !== expected) {
    const pos = firstDifference(canonical, expected);
    problems.push({ where: lineCol(text, pos), what: 'the text is not the canonical form it was written in (whitespace, key order or the spelling of a value changed)' });
  }

  const { integrity, ...body } = parsed;
  const signedSections = isRecord(integrity.sections) ? (integrity.sections as Record<string, string>) : {};
  const nowSections = sectionDigests(body);
  const changes = compareSections(signedSections, nowSections);
  const digest = canonicalDigest(body);
  const digestOk = integrity.digest === digest;
  if (!digestOk) {
    const shown = changes.slice(0, 20);
    for (const c of shown) {
      problems.push({ where: c.path, what: c.change === 'changed' ? 'changed since the report was signed' : c.change === 'added' ? 'added since the report was signed' : 'removed since the report was signed' });
    }
    if (changes.length > shown.length) problems.push({ where: `${changes.length - shown.length} more sections`, what: 'also differ' });
    if (changes.length === 0) problems.push({ where: 'integrity.digest', what: 'does not match the content (the digest was rewritten)' });
  } else {
    for (const c of changes.slice(0, 20)) {
      problems.push({ where: `integrity.sections[${JSON.stringify(c.path)}]`, what: `the signed section map was edited (${c.change})` });
    }
  }

  const sig = isRecord(integrity.signature) ? integrity.signature : {};
  let keyId: string | null = null;
  try {
    const der = Buffer.from(String(sig.publicKey ?? ''), 'base64');
    const publicKey = crypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
    keyId = keyIdOf(der);
    if (sig.keyId !== keyId) problems.push({ where: 'integrity.signature.keyId', what: `does not match the embedded public key (whose id is ${keyId})` });
    const valid = crypto.verify(null, signedPayload(integrity as never), publicKey, Buffer.from(String(sig.value ?? ''), 'base64'));
    if (!valid) {
      const untouched = digestOk && changes.length === 0;
      problems.push({
        where: untouched ? 'integrity.signature' : 'integrity',
        what: untouched
          ? 'the Ed25519 signature does not verify: its value, the public key or an integrity field was changed'
          : 'the Ed25519 signature does not cover this integrity block: the digest or section map was rewritten',
      });
    }
  } catch (err) {
    problems.push({ where: 'integrity.signature.publicKey', what: `not an Ed25519 public key: ${(err as Error).message}` });
  }

  const schema = ReportSchema.safeParse(parsed);
  if (!schema.success) {
    for (const issue of schema.error.issues.slice(0, 5)) {
      problems.push({ where: issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || 'the report', what: `does not fit report schema 1: ${issue.message}` });
    }
  }
  return result(digest, keyId);
}
