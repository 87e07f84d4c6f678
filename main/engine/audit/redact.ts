/**
 * Secret redaction for everything the audit log (and so any report) keeps: passwords in
 * CREATE/ALTER ROLE statements and user mappings, passwords in connection URLs and conninfo
 * strings, and object fields named like secrets. Redaction happens before anything is written.
 */

/** What replaces a secret. */
export const REDACTED = '[redacted]';

// PASSWORD 'x', PASSWORD E'x', PASSWORD $tag$x$tag$ (ENCRYPTED PASSWORD too, and OPTIONS (password 'x')).
const SQL_PASSWORD = /(\bpassword\s+)(?:'(?:[^']|'')*'|[eE]'(?:[^'\\]|\\.|'')*'|\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?\$\2?\$)/gi;
// scheme://user:secret@host
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s@'"]*)@/gi;
// libpq conninfo: password=secret or password = 'sec ret'
const CONNINFO_PASSWORD = /(\bpassword\s*=\s*)(?:'(?:[^'\\]|\\.)*'|[^\s'",)]+)/gi;
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|private[-_]?key|credential/i;

/** Redact passwords in SQL text, URLs and conninfo strings inside any text. */
export function redactText(text: string): string {
  return text
    .replace(SQL_PASSWORD, `$1'${REDACTED}'`)
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(CONNINFO_PASSWORD, `$1${REDACTED}`);
}

/** Redact one parameter value: strings by content, objects by key name and content, recursively. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined ? REDACTED : redactValue(v, depth + 1);
  }
  return out;
}

/** Make a parameter JSON-safe (bigints as text) after redaction. */
export function auditParam(value: unknown): unknown {
  const v = redactValue(value);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (v === undefined) return null;
  return v;
}
