/**
 * `${VAR}` in the fields of command, http and notify steps: substituted from the environment of
 * the console (never from the YAML, never through a shell). `$$` is a literal `$`; any other `$`
 * followed by a letter, `_` or `{` that is not `${NAME}` is a syntax error, named at validation.
 */

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What is wrong with the `${VAR}` syntax of `text`, or null. */
export function envTemplateProblem(text: string): string | null {
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] !== '$') continue;
    const next = text[i + 1];
    if (next === '$') {
      i += 1;
      continue;
    }
    if (next === '{') {
      const end = text.indexOf('}', i + 2);
      const name = end < 0 ? null : text.slice(i + 2, end);
      if (name === null) return `unclosed "\${" at character ${i + 1}: write \${NAME}`;
      if (!NAME.test(name)) return `"\${${name}}" is not a variable: write \${NAME} (letters, digits, _; no defaults or spaces), or $$ for a literal $`;
      i = end;
      continue;
    }
    if (next !== undefined && /[A-Za-z_]/.test(next)) {
      const word = /^[A-Za-z0-9_]+/.exec(text.slice(i + 1))![0];
      return `"$${word}" is not substituted (there is no shell): write \${${word}}, or $$${word} for a literal $`;
    }
  }
  return null;
}

/** The variable names `text` refers to, in order. */
export function envTemplateNames(text: string): string[] {
  const out: string[] = [];
  text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name?: string) => {
    if (name) out.push(name);
    return m;
  });
  return out;
}

/** `text` with each `${NAME}` replaced from `env`; the first unset (or empty) variable is returned instead. */
export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): { ok: true; value: string } | { ok: false; missing: string } {
  let missing: string | null = null;
  const value = text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name?: string) => {
    if (!name) return '$';
    const v = env[name];
    if (v === undefined || v === '') {
      missing ??= name;
      return m;
    }
    return v;
  });
  return missing === null ? { ok: true, value } : { ok: false, missing };
}

/** A variable whose value is a secret by its name (a token, key, password...): shown and journaled as `${NAME}`, never its value. */
export function isSecretName(name: string): boolean {
  return /TOKEN|SECRET|PASSW|PWD|KEY|AUTH|CREDENTIAL|COOKIE|SESSION|SIGNATURE/i.test(name);
}

/** `text` as the journal and the screen show it: substituted, except secret variables, left as `${NAME}`. */
export function shownEnv(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name?: string) => {
    if (!name) return '$';
    const v = env[name];
    return v === undefined || v === '' || isSecretName(name) ? m : v;
  });
}

/** An argv as one line a POSIX shell reads back as the same arguments (for display and copy-paste). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** The placeholders a notify message may use. */
export const NOTIFY_PLACEHOLDERS = ['database', 'run', 'runbook', 'step', 'profile', 'environment'] as const;

/** What is wrong with a notify message's `{placeholders}`, or null. */
export function notifyMessageProblem(text: string): string | null {
  for (const m of text.matchAll(/\{([^{}]*)\}/g)) {
    if (!(NOTIFY_PLACEHOLDERS as readonly string[]).includes(m[1]!)) return `{${m[1]}} is not a placeholder: use ${NOTIFY_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`;
  }
  return null;
}
