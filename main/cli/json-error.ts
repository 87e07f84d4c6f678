/**
 * `--format json` failures: `{ok: false, error: {code, message, field}}` (shared/cli-output.ts),
 * printed on stdout so a machine reading stdout always gets one JSON object, success or not.
 * The one-line human message still goes to stderr.
 */
import { CliFailureSchema } from '../../shared/cli-output.js';

/** Whether the command line asks for JSON output (`--format json` or `--format=json`). */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'));
}

/** The option a message is about, when it names one first or in quotes (`--samples must be ...`, `unknown option '--x'`). */
export function fieldOf(message: string): string | null {
  const m = /^(--[a-z][a-z0-9-]*)\b/.exec(message) ?? /'(--[a-z][a-z0-9-]*)/.exec(message);
  return m ? m[1]! : null;
}

/** The failure envelope as one line of JSON (validated against its schema). */
export function jsonFailure(message: string, code: string, field?: string | null): string {
  const envelope = CliFailureSchema.parse({ ok: false, error: { code, message, field: field ?? fieldOf(message) } });
  return `${JSON.stringify(envelope)}\n`;
}
