/** Terminal output filter: control characters shown escaped; stderr redacted as well. */
import { afterEach, describe, expect, it } from 'vitest';
import { prepareRedaction } from '../../main/engine/audit/redact.js';
import { inert, installInertOutput, writeRaw } from '../../main/cli/inert-output.js';

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

describe('inert', () => {
  it.each([
    ['cursor up, erase line', 'ok\x1b[1A\x1b[2Kforged', 'ok\\x1b[1A\\x1b[2Kforged'],
    ['carriage return', 'a\rb', 'a\\rb'],
    ['OSC title and BEL', '\x1b]0;pwned\x07', '\\x1b]0;pwned\\x07'],
    ['C1 CSI', 'x\x9b2Jy', 'x\\x9b2Jy'],
    ['bidi override', 'abc\u202edcba', 'abc\\u202edcba'],
    ['NUL and DEL', 'a\x00b\x7f', 'a\\x00b\\x7f'],
  ])('%s', (_label, input, output) => {
    expect(inert(input)).toBe(output);
  });

  it('keeps tabs, newlines and ordinary text (the clean twin)', () => {
    expect(inert('a\tb\nc é ✓')).toBe('a\tb\nc é ✓');
  });
});

describe('installInertOutput', () => {
  it('escapes stdout, redacts and escapes stderr, and lets writeRaw through', async () => {
    await prepareRedaction();
    const seen: { stream: string; text: string }[] = [];
    const stdoutWrite = process.stdout.write;
    const stderrWrite = process.stderr.write;
    process.stdout.write = ((s: string) => seen.push({ stream: 'out', text: s }) > 0) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => seen.push({ stream: 'err', text: s }) > 0) as typeof process.stderr.write;
    try {
      restore = installInertOutput();
      process.stdout.write('table "t\x1b[2K"\n');
      process.stderr.write(`tenancy: failed: CREATE ROLE r PASSWORD/**/'Sekr3t' at postgres://u:p@ss@db/x\n`);
      writeRaw(process.stderr, '\r\x1b[K');
      restore();
      restore = null;
    } finally {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
    }
    expect(seen).toEqual([
      { stream: 'out', text: 'table "t\\x1b[2K"\n' },
      { stream: 'err', text: "tenancy: failed: CREATE ROLE r PASSWORD/**/'[redacted]' at postgres://u:[redacted]@db/x\n" },
      { stream: 'err', text: '\r\x1b[K' },
    ]);
  });
});
