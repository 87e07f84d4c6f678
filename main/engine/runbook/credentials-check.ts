/**
 * Credentials stay out of the runbook (reference runbook 002: "requires repo secret
 * NETLIFY_DATABASE_URL, do NOT store credentials in code"): a CI run's target must be the URL the
 * named environment variable (the CI secret) holds, and no file of the runbook's folders may hold a
 * connection string with a password. Problems name the file and line, never the password.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseDatabaseUrl } from '../profiles.js';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'dumps']);
const MAX_FILES = 5000;
const MAX_BYTES = 1024 * 1024;

/** A password written out, not a placeholder: ${VAR}, $VAR, <...>, *** and empty are placeholders. */
function literalPassword(p: string): boolean {
  const v = p.trim().replace(/^['"]|['"]$/g, '');
  return v !== '' && !/^\$\{?[A-Za-z_]/.test(v) && !/^<.*>$/.test(v) && !/^\*+$/.test(v) && !/^%[A-Za-z_]/.test(v) && !/^\{\{.*\}\}$/.test(v);
}

const URL_WITH_PASSWORD = /postgres(?:ql)?:\/\/[^\s:@/'"]*:([^\s@/'"]*)@/gi;
const PGPASSWORD = /\bPGPASSWORD\s*[=:]\s*([^\s'"]+|'[^']*'|"[^"]*")/g;
const KEYWORD_PASSWORD = /\bpassword\s*=\s*([^\s'"]+|'[^']*')/gi;

/** Why a line holds a connection password, or null. Keyword DSNs count only with host= or dbname= on the line. */
export function passwordInLine(line: string): string | null {
  for (const m of line.matchAll(URL_WITH_PASSWORD)) if (literalPassword(m[1]!)) return 'a connection URL with a password';
  for (const m of line.matchAll(PGPASSWORD)) if (literalPassword(m[1]!)) return 'PGPASSWORD with a value';
  if (/\b(host|dbname)\s*=/.test(line)) for (const m of line.matchAll(KEYWORD_PASSWORD)) if (literalPassword(m[1]!)) return 'a connection string with password=';
  return null;
}

/** Files under `dirs` (folders walked, files as given) holding a connection password: "path:line: what". */
export function passwordsInFolders(dirs: readonly string[]): { files: number; found: string[] } {
  const found: string[] = [];
  let files = 0;
  const seen = new Set<string>();
  const visit = (p: string): void => {
    if (files >= MAX_FILES || seen.has(p)) return;
    seen.add(p);
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) if (!SKIP_DIRS.has(e)) visit(path.join(p, e));
      return;
    }
    if (!st.isFile() || st.size > MAX_BYTES) return;
    files += 1;
    const text = fs.readFileSync(p, 'utf8');
    if (text.includes('\u0000')) return;
    text.split('\n').forEach((line, i) => {
      const what = passwordInLine(line);
      if (what) found.push(`${p}:${i + 1}: ${what}`);
    });
  };
  for (const d of dirs) visit(path.resolve(d));
  return { files, found };
}

/** The target the session connects to, as the URL check compares it. */
export interface TargetAddress {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** Why the target is not the URL in `env[variable]`, or null when it is. */
export function urlFromEnvProblem(variable: string, env: Readonly<Record<string, string | undefined>>, target: TargetAddress): string | null {
  const raw = env[variable];
  if (!raw) return `the target's URL must come from ${variable} (the CI secret), which is not set in this job`;
  let fields: TargetAddress;
  try {
    fields = parseDatabaseUrl(raw).fields;
  } catch {
    return `${variable} is not a PostgreSQL URL`;
  }
  const text = (a: TargetAddress) => `${a.user}@${a.host}:${a.port}/${a.database}`;
  if (fields.host !== target.host || fields.port !== target.port || fields.database !== target.database || fields.user !== target.user) {
    return `${variable} points at ${text(fields)}, the run's target is ${text(target)}: run with --url "$${variable}"`;
  }
  return null;
}
