/**
 * The row hash SQL of each checksum scheme, and which scheme a new backup gets.
 */
import { describe, expect, it } from 'vitest';
import { checksumSelectSql, hashProbeSql, rowHashSql, schemeForNewBackup } from '../../main/engine/backup/checksum.js';

const COLS = [{ name: 'id', type: 'bigint' }, { name: 'Label; "x"', type: 'text' }];

describe('row hash SQL', () => {
  it.each([
    ['md5', `('x' || substr(md5(ROW(b."id", b."Label; ""x""")::text), 1, 16))::bit(64)::int8`],
    ['hashtextextended', `hashtextextended((ROW(b."id", b."Label; ""x""")::text) COLLATE "C", 0)`],
    ['hash_record_extended', `hashtextextended(hash_record_extended(ROW(b."id", b."Label; ""x""" COLLATE "C"), 0)::text COLLATE "C", 0)`],
  ] as const)('%s over quoted columns in the given order', (scheme, sql) => {
    expect(rowHashSql('b', COLS, scheme)).toBe(sql);
  });

  it.each([
    ['timestamp(3) with time zone', 'b."c"'],
    ['time without time zone', 'b."c"'],
    ['uuid', 'b."c"'],
    ['character varying(20)', 'b."c" COLLATE "C"'],
    ['numeric(10,2)', 'b."c", scale(b."c"), CASE WHEN scale(b."c") IS NULL THEN b."c"::text END'],
    ['double precision', '(ROW(b."c")::text) COLLATE "C"'],
    ['jsonb', '(ROW(b."c")::text) COLLATE "C"'],
    ['character(4)', '(ROW(b."c")::text) COLLATE "C"'],
    ['integer[]', '(ROW(b."c")::text) COLLATE "C"'],
    ['interval', '(ROW(b."c")::text) COLLATE "C"'],
    ['public.my_domain', '(ROW(b."c")::text) COLLATE "C"'],
  ])('hash_record_extended: a %s column contributes %s', (type, fields) => {
    expect(rowHashSql('b', [{ name: 'c', type }], 'hash_record_extended')).toBe(`hashtextextended(hash_record_extended(ROW(${fields}), 0)::text COLLATE "C", 0)`);
  });

  it('hash_record_extended: the columns hashed as text share one last field', () => {
    const cols = [{ name: 'doc', type: 'jsonb' }, { name: 'id', type: 'bigint' }, { name: 'f', type: 'real' }];
    expect(rowHashSql('b', cols, 'hash_record_extended'))
      .toBe('hashtextextended(hash_record_extended(ROW(b."id", (ROW(b."doc", b."f")::text) COLLATE "C"), 0)::text COLLATE "C", 0)');
  });

  it('sums the scheme\'s hash with the row count', () => {
    expect(checksumSelectSql('b', [{ name: 'id', type: 'bigint' }], 'hashtextextended'))
      .toBe('count(*)::int8 AS rows, coalesce(sum(hashtextextended((ROW(b."id")::text) COLLATE "C", 0)), 0)::text AS checksum');
  });

  it('has a probe for each of the server\'s own hashes, none for md5', () => {
    expect(hashProbeSql('md5')).toBeNull();
    expect(hashProbeSql('hashtextextended')).toMatch(/^hashtextextended\('tenancy-console checksum probe/);
    expect(hashProbeSql('hash_record_extended')).toMatch(/hash_record_extended\(ROW\(p\."t" COLLATE "C", p\."i8"/);
  });

  it.each([
    [100022, 'md5'],
    [110000, 'hashtextextended'],
    [130015, 'hashtextextended'],
    [140000, 'hash_record_extended'],
    [150020, 'hash_record_extended'],
    [180004, 'hash_record_extended'],
  ] as const)('a new backup on server %i uses %s', (version, scheme) => {
    expect(schemeForNewBackup(version)).toBe(scheme);
  });
});
