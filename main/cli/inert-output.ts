/**
 * Terminal output that cannot drive the terminal: identifiers and data (a table named with
 * cursor-up and erase-line, an organisation name with an OSC sequence) reach the screen escaped,
 * in every human format, because the CLI's stdout and stderr pass through `inert()`. Only the
 * progress line's own `\r\x1b[K` and the demo's own throwaway credentials go around it, through
 * `writeRaw`. Both streams are also redacted (errors, progress, server notices, migration
 * results, statement text): passwords never reach a terminal or a CI log.
 */
import { redactText } from '../engine/audit/redact.js';

// C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides (matching them is the point).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character shown as an escape (`\x1b`, `\r`, `\u202e`). */
export function inert(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

type Write = typeof process.stdout.write;
const originals = new WeakMap<NodeJS.WriteStream, Write>();

/** Write to a stream bypassing the filter (the progress line's own control sequences only). */
export function writeRaw(stream: NodeJS.WriteStream, text: string): void {
  (originals.get(stream) ?? stream.write).call(stream, text);
}

function filter(stream: NodeJS.WriteStream, transform: (s: string) => string): () => void {
  if (originals.has(stream)) return () => undefined;
  const original = stream.write;
  originals.set(stream, original);
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const out = typeof chunk === 'string' ? transform(chunk) : chunk;
    return (original as (...a: unknown[]) => boolean).call(this, out, ...rest);
  } as Write;
  return () => {
    stream.write = original;
    originals.delete(stream);
  };
}

/** Route the process's stdout and stderr through the filter (redacted, escaped); returns undo. */
export function installInertOutput(): () => void {
  const a = filter(process.stdout, (s) => inert(redactText(s)));
  const b = filter(process.stderr, (s) => inert(redactText(s)));
  return () => {
    a();
    b();
  };
}
