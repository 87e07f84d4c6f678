/**
 * Canonical JSON (RFC 8785, JSON Canonicalization Scheme): object keys sorted by UTF-16 code
 * units, no insignificant whitespace, numbers and strings serialised as ECMAScript does. Two
 * equal JSON values always give the same bytes, so a digest of the canonical form proves content.
 */
import crypto from 'node:crypto';

/** Serialise a JSON value canonically. Throws on values JSON cannot carry (NaN, Infinity, functions). */
export function canonicalize(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`cannot canonicalize ${value} at ${path}`);
      // ECMAScript Number-to-String is exactly what RFC 8785 prescribes; -0 becomes 0.
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => (v === undefined ? 'null' : write(v, `${path}[${i}]`))).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort(compareUtf16);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write(obj[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new Error(`cannot canonicalize a ${typeof value} at ${path}`);
  }
}

/** RFC 8785 sorts keys by UTF-16 code units, which is what plain string comparison does in JS. */
function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** sha256 of a string's UTF-8 bytes, as lowercase hex. */
export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** sha256 of the canonical form of a value. */
export function canonicalDigest(value: unknown): string {
  return sha256Hex(canonicalize(value));
}
