import { describe, expect, it } from 'vitest';
import { canonicalize } from '../../main/engine/report/canonical.js';

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops whitespace', () => {
    // The key-ordering example from RFC 8785 section 3.2.3.
    const value = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    const keys = Object.keys(JSON.parse(canonicalize(value)) as object);
    expect(canonicalize(value).startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":')).toBe(true);
    expect(keys).toHaveLength(7);
    expect(canonicalize({ b: [1, { d: true, c: null }], a: 'x' })).toBe('{"a":"x","b":[1,{"c":null,"d":true}]}');
  });

  it('serialises numbers and strings as RFC 8785 does', () => {
    expect(canonicalize([1e21, 1e-7, -0, 0.1, 333333333.3333333, 4.5, 2 ** 53])).toBe('[1e+21,1e-7,0,0.1,333333333.3333333,4.5,9007199254740992]');
    expect(canonicalize('\u0000\u001f"\\/\u2028é')).toBe('"\\u0000\\u001f\\"\\\\/\u2028é"');
  });

  it('gives equal values equal bytes whatever the key order', () => {
    expect(canonicalize({ x: 1, y: { b: 2, a: 1 } })).toBe(canonicalize({ y: { a: 1, b: 2 }, x: 1 }));
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalize({ a: NaN })).toThrow(/NaN at \$\.a/);
    expect(() => canonicalize({ a: [Infinity] })).toThrow(/\$\.a\[0\]/);
  });
});
