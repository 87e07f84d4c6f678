import { describe, expect, it } from 'vitest';
import { formatKey, parseScope } from '../../main/engine/backup/scope.js';

describe('--scope keys: taken exactly as typed', () => {
  it.each([
    ['keys:1,2,3', [['1'], ['2'], ['3']]],
    ['keys: x', [[' x']]],
    ['keys:y ', [['y ']]],
    ['keys:""', [['']]],
    ['keys:"a,b","c/d"', [['a,b'], ['c/d']]],
    ['keys:"q""r"', [['q"r']]],
    ['keys:1/a,2/" b"', [['1', 'a'], ['2', ' b']]],
    ['keys:"",x', [[''], ['x']]],
  ])('%s', (text, keys) => {
    expect(parseScope(text)).toEqual({ kind: 'keys', keys });
  });

  it.each([
    ['keys:', /needs primary key values/],
    ['keys:a,,b', /key 2 has an empty part; write "" for an empty key/],
    ['keys:a,', /key 2 has an empty part/],
    ['keys:"open', /a quoted key is not closed/],
    ['keys:"a"b', /after the quoted key "a" comes "b"; put , or \//],
    ['keys:a"b', /a quote inside an unquoted key/],
    [' keys:a', /nothing may come before keys:/],
  ])('refuses %s in one line naming --scope', (text, why) => {
    expect(() => parseScope(text)).toThrow(why);
    expect(() => parseScope(text)).toThrow(/^--scope/);
  });

  it('formats keys back the way they are typed', () => {
    expect(['1', ' x', '', 'a,b', 'q"r'].map((k) => formatKey([k]))).toEqual(['1', '" x"', '""', '"a,b"', '"q""r"']);
    expect(parseScope(`keys:${formatKey(['a/b', ' '])}`)).toEqual({ kind: 'keys', keys: [['a/b', ' ']] });
  });
});
