/**
 * Secret redaction for everything the console keeps or prints: the audit log (and so any report),
 * CLI errors and progress lines. Password literals in SQL are found with PostgreSQL's own lexer
 * (libpg-query's scanner): the string constant after the PASSWORD keyword in any spelling, with
 * comments in between, as '', E'', U&'' or a dollar quote, also inside string literals and
 * function bodies (a DO block that EXECUTEs a CREATE ROLE). Passwords in URLs and conninfo
 * strings are cut with any characters in them. Object fields named like secrets are replaced.
 * Until the scanner is loaded (`prepareRedaction()`), or when the text does not lex, a regular
 * expression fallback redacts, erring on the side of cutting more.
 */
import { loadModule, scanSync, type ScanToken } from 'libpg-query';

/** What replaces a secret. */
export const REDACTED = '[redacted]';

let scanner: typeof scanSync | null = null;
let loading: Promise<void> | null = null;

/** Load the SQL scanner (WASM) once; sessions await it before their first statement. */
export function prepareRedaction(): Promise<void> {
  loading ??= loadModule().then(
    () => {
      scanner = scanSync;
    },
    () => undefined, // the fallback keeps redacting
  );
  return loading;
}

const SCONST = 261;
const USCONST = 262;
const COMMENT_TOKENS = new Set(['C_COMMENT', 'SQL_COMMENT']);

// Fallback: PASSWORD [comments] then a literal in any spelling; an unterminated one to the end.
const SQL_PASSWORD =
  /((?<!')\bpassword\b"?(?:\s|\/\*[\s\S]*?\*\/|--[^\n]*\n)*)(?:[eE]'(?:[^'\\]|\\[\s\S]|'')*(?:'|$)|[uU]&'(?:[^']|'')*(?:'|$)|''(?:[^']|'''')*''|'(?:[^']|'')*(?:'|$)|\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?(?:\$\2?\$|$))/gi;
// scheme://user:secret@host: the secret runs to the last "@" on the line (it may hold @, " or spaces).
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)[^\n]*@/gi;
// libpq conninfo and environment: password=secret, password = 'sec ret', PGPASSWORD=secret.
const CONNINFO_PASSWORD = /(\b(?:pg)?password\s*=\s*)(?:'(?:[^'\\]|\\.)*(?:'|$)|[^\s']+)/gi;
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|private[-_]?key|credential/i;

function isPasswordWord(t: ScanToken): boolean {
  const w = t.text.startsWith('"') ? t.text.slice(1, -1).replace(/""/g, '"') : t.text;
  return w.toLowerCase() === 'password';
}

function isStringToken(t: ScanToken): boolean {
  return t.tokenType === SCONST || t.tokenType === USCONST || /^(?:[eEuU]&?)?'|^\$/.test(t.text);
}

/** Redact inside a string constant that mentions a password (SQL built at run time). */
function redactInsideLiteral(text: string, depth: number): string {
  const dollar = /^(\$[A-Za-z_0-9]*\$)([\s\S]*)\1$/.exec(text);
  if (dollar) return `${dollar[1]}${redactSql(dollar[2]!, depth + 1)}${dollar[1]}`;
  if (text.startsWith("'")) {
    const inner = text.slice(1, -1).replace(/''/g, "'");
    return `'${redactSql(inner, depth + 1).replace(/'/g, "''")}'`;
  }
  return text.replace(SQL_PASSWORD, `$1'${REDACTED}'`);
}

/** Password literals in SQL text, by the scanner (fallback: the regular expression). */
function redactSql(text: string, depth = 0): string {
  if (!/password/i.test(text)) return text;
  if (!scanner || depth > 4) return text.replace(SQL_PASSWORD, `$1'${REDACTED}'`);
  let tokens: ScanToken[];
  try {
    tokens = scanner(text).tokens;
  } catch {
    return text.replace(SQL_PASSWORD, `$1'${REDACTED}'`);
  }
  const bytes = Buffer.from(text, 'utf8');
  const cuts: { start: number; end: number; with: string }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isPasswordWord(t)) {
      let j = i + 1;
      while (j < tokens.length && COMMENT_TOKENS.has(tokens[j]!.tokenName)) j++;
      const next = tokens[j];
      if (next && isStringToken(next)) {
        cuts.push({ start: next.start, end: next.end, with: `'${REDACTED}'` });
        i = j;
      }
    } else if (isStringToken(t) && /password/i.test(t.text)) {
      const raw = bytes.subarray(t.start, t.end).toString('utf8');
      const redacted = redactInsideLiteral(raw, depth);
      if (redacted !== raw) cuts.push({ start: t.start, end: t.end, with: redacted });
    }
  }
  if (cuts.length === 0) return text;
  const parts: Buffer[] = [];
  let at = 0;
  for (const c of cuts) {
    parts.push(bytes.subarray(at, c.start), Buffer.from(c.with, 'utf8'));
    at = c.end;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts).toString('utf8');
}

/** Redact passwords in SQL text, URLs and conninfo strings inside any text. */
export function redactText(text: string): string {
  return redactSql(text)
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
