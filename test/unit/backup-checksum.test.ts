/**
 * The row hash SQL of each checksum scheme, and which scheme a new backup gets.
 */
import { describe, expect, it } from 'vitest';
import { checksumSelectSql, rowHashSql, schemeForNewBackup } from '../../main/engine/backup/checksum.js';

describe('row hash SQL', () => {
  it.each([
    ['md5', `('x' || substr(md5(ROW(b."id", b."Label; ""x""")::text), 1, 16))::bit(64)::int8`],
    ['hashtextextended', `hashtextextended((ROW(b."id", b."Label; ""x""")::text) COLLATE "C", 0)`],
  ] as const)('%s over quoted columns in the given order', (scheme, sql) => {
    expect(rowHashSql('b', ['id', 'Label; "x"'], scheme)).toBe(sql);
  });

  it('sums the scheme\'s hash with the row count', () => {
    expect(checksumSelectSql('b', ['id'], 'hashtextextended'))
      .toBe('count(*)::int8 AS rows, coalesce(sum(hashtextextended((ROW(b."id")::text) COLLATE "C", 0)), 0)::text AS checksum');
  });

  it.each([
    [100022, 'md5'],
    [110000, 'hashtextextended'],
    [150020, 'hashtextextended'],
    [180004, 'hashtextextended'],
  ] as const)('a new backup on server %i uses %s', (version, scheme) => {
    expect(schemeForNewBackup(version)).toBe(scheme);
  });
});
