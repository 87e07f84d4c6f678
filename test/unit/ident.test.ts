import { describe, expect, it } from 'vitest';
import { displayName, parseQualifiedName, qualified, quoteIdent } from '../../main/engine/ident.js';
import { parseDatabaseUrl, redactUrl } from '../../main/engine/profiles.js';
import { UserError } from '../../main/engine/errors.js';

describe('quoteIdent / qualified', () => {
  it.each([
    ['plain', '"plain"'],
    ['Mixed Case', '"Mixed Case"'],
    ['we"ird', '"we""ird"'],
    ['semi;colon --', '"semi;colon --"'],
    ['Zürich 🚀', '"Zürich 🚀"'],
  ])('quotes %s as %s', (name, quoted) => {
    expect(quoteIdent(name)).toBe(quoted);
  });

  it('qualifies schema and table separately', () => {
    expect(qualified('a"b', 'c.d')).toBe('"a""b"."c.d"');
    expect(displayName('a"b', 'c.d')).toBe('a"b.c.d');
  });
});

describe('parseQualifiedName', () => {
  it.each([
    ['orgs', { schema: 'public', table: 'orgs' }],
    ['app.orgs', { schema: 'app', table: 'orgs' }],
    ['"My Schema"."a.b"', { schema: 'My Schema', table: 'a.b' }],
    ['"we""ird".t', { schema: 'we"ird', table: 't' }],
    ['  public."Tenant"  ', { schema: 'public', table: 'Tenant' }],
  ])('parses %s', (text, expected) => {
    expect(parseQualifiedName(text)).toEqual(expected);
  });

  it.each(['a.b.c', '"unterminated', '', '.t', 'a.'])('rejects %j', (text) => {
    expect(() => parseQualifiedName(text)).toThrow();
  });
});

describe('parseDatabaseUrl', () => {
  it('splits a URL into profile fields and keeps the password apart', () => {
    expect(parseDatabaseUrl('postgres://alice:s3cr%40t@db.example:6543/app?sslmode=verify-full')).toEqual({
      fields: { host: 'db.example', port: 6543, database: 'app', user: 'alice', sslmode: 'verify-full' },
      password: 's3cr@t',
    });
  });

  it.each([
    ['mysql://x@y/z', /not a PostgreSQL URL/],
    ['postgres://x@y:99999/z', /bad port/],
    ['postgres://x@y/z?sslmode=maybe', /unknown sslmode "maybe"/],
  ])('rejects %s with a one-line reason', (url, pattern) => {
    expect(() => parseDatabaseUrl(url)).toThrow(UserError);
    expect(() => parseDatabaseUrl(url)).toThrow(pattern);
  });

  it('never echoes a password in its errors', () => {
    expect(() => parseDatabaseUrl('mysql://bob:hunter2@h/d')).toThrow(/bob:\*\*\*@h/);
    expect(redactUrl('postgres://bob:hunter2@h/d')).toBe('postgres://bob:***@h/d');
  });
});
