/**
 * `--format json` failures: the same `{ok: false, error: {message, code}}` envelope the IPC and HTTP
 * doors return (shared/contract/channel.ts), printed on stdout so a machine reading stdout always
 * gets one JSON object, success or not. The one-line human message still goes to stderr.
 */
import { EnvelopeSchema } from '../../shared/contract/channel.js';

/** Whether the command line asks for JSON output (`--format json` or `--format=json`). */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'));
}

/** The failure envelope as one line of JSON (validated against the contract's schema). */
export function jsonFailure(message: string, code: string): string {
  const envelope = EnvelopeSchema.parse({ ok: false, error: { message, code } });
  return `${JSON.stringify(envelope)}\n`;
}
