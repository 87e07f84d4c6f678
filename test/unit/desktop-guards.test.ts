/** The pure guards of the desktop app and browser mode, exhaustively. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { containedPath } from '../../main/serve/contained-path.js';
import { hostAllowed, originAllowed, SessionKeys, tokenMatches } from '../../main/serve/guard.js';
import { isJsonContentType, requestPath } from '../../main/serve/server.js';
import { writeForwardingFile } from '../../main/serve/open-browser.js';
import fs from 'node:fs';
import { isTrustedSenderUrl } from '../../main/trusted-sender.js';

const root = path.resolve('/srv/renderer');

describe('containedPath', () => {
  it.each([
    ['/', path.join(root, 'index.html')],
    ['/index.html', path.join(root, 'index.html')],
    ['/assets/index-abc.js', path.join(root, 'assets', 'index-abc.js')],
    ['/assets/a%20b.css', path.join(root, 'assets', 'a b.css')],
    ['/assets/../index.html', path.join(root, 'index.html')],
  ])('maps %s inside the root', (url, expected) => {
    expect(containedPath(root, url)).toBe(expected);
  });

  it.each(['/../etc/passwd', '/%2e%2e/etc/passwd', '/assets/../../x', '/..%2f..%2fx', '/a%5c..%5c..%5cx', '/a\\b', '/%00', '/%E0%A4%A', '//etc/passwd/../../..'])('refuses %s', (url) => {
    const got = containedPath(root, url);
    if (got !== null) expect(got.startsWith(root + path.sep)).toBe(true);
    else expect(got).toBeNull();
  });

  it.each(['/../renderer-evil/x', '/%2e%2e/renderer2/index.html'])('refuses a sibling folder sharing the prefix: %s', (url) => {
    expect(containedPath(root, url)).toBeNull();
  });
});

describe('hostAllowed', () => {
  it.each([
    ['127.0.0.1:8080', true], ['localhost:8080', true], ['LOCALHOST:8080', true],
    ['127.0.0.1', false], ['127.0.0.1:8081', false], ['evil.example:8080', false], ['localhost.evil.example:8080', false], [undefined, false], ['[::1]:8080', false],
  ])('%s -> %s', (h, ok) => {
    expect(hostAllowed(h, 8080)).toBe(ok);
  });
});

describe('originAllowed', () => {
  it.each([
    [undefined, 'GET', true], [undefined, 'HEAD', true], [undefined, 'POST', false],
    ['http://127.0.0.1:8080', 'POST', true], ['http://localhost:8080', 'POST', true],
    ['http://127.0.0.1:8081', 'POST', false], ['https://127.0.0.1:8080', 'POST', false], ['null', 'POST', false],
    ['http://evil.example', 'GET', false], ['http://127.0.0.1:8080.evil.example', 'POST', false],
  ])('%s on %s -> %s', (origin, method, ok) => {
    expect(originAllowed(origin, 8080, method)).toBe(ok);
  });
});

describe('sign-in tokens and sessions', () => {
  it('a sign-in token is exchanged once, for a session only it knows', () => {
    const keys = new SessionKeys();
    const token = keys.issueSignIn();
    const first = keys.exchange(token);
    expect(first.ok).toBe(true);
    expect(keys.exchange(token)).toEqual({ ok: false, reason: 'used' });
    expect(keys.exchange('x'.repeat(token.length))).toEqual({ ok: false, reason: 'unknown' });
    expect(keys.exchange(undefined)).toEqual({ ok: false, reason: 'unknown' });
    if (!first.ok) throw new Error('unreachable');
    expect(first.session).not.toBe(token);
    expect(keys.sessionValid(first.session)).toBe(true);
    expect(keys.sessionValid(token)).toBe(false);
    expect(keys.sessionValid([first.session])).toBe(false);
    expect(keys.sessionValid(undefined)).toBe(false);
  });
  it.each([['abc', 'abc', true], ['abd', 'abc', false], ['ab', 'abc', false], [undefined, 'abc', false], ['', 'abc', false]])('%s vs %s -> %s', (given, token, ok) => {
    expect(tokenMatches(given, token)).toBe(ok);
  });
});

describe('--open forwarding file', () => {
  it('holds the URL in a 0600 file in a 0700 folder, never on a command line, and is removed', () => {
    const url = 'http://127.0.0.1:4321/?token=abc_DEF-123';
    const f = writeForwardingFile(url);
    expect(fs.statSync(f.file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(f.file)).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(f.file, 'utf8')).toContain(`content="0;url=${url}"`);
    expect(f.file).not.toContain('abc_DEF');
    f.remove();
    expect(fs.existsSync(path.dirname(f.file))).toBe(false);
  });
  it.each(['http://evil.example/?token=x', 'http://127.0.0.1:1/?token=x"><script>', 'file:///etc/passwd'])('refuses %s', (url) => {
    expect(() => writeForwardingFile(url)).toThrow(/not a browser-mode sign-in URL/);
  });
});

describe('request targets and content types', () => {
  it.each([['/', '/'], ['/api/app/info?x=1', '/api/app/info'], ['/a%20b', '/a%20b']])('%s is a path', (t, p) => {
    expect(requestPath(t)?.pathname).toBe(p);
  });
  it.each(['', '*', 'http://evil.example/', '//evil.example/x', 'api/app/info', undefined])('%s is malformed', (t) => {
    expect(requestPath(t)).toBeNull();
  });
  it.each([['application/json', true], ['application/json; charset=utf-8', true], ['Application/JSON', true], ['application/jsonfoo', false], ['application/json-patch+json', false], ['text/plain', false], [undefined, false]])(
    '%s -> %s',
    (t, ok) => {
      expect(isJsonContentType(t)).toBe(ok);
    },
  );
});

describe('isTrustedSenderUrl', () => {
  it.each([
    ['app://renderer/index.html', true], ['app://renderer/', true],
    ['app://other/index.html', false], ['file:///etc/passwd', false], ['https://evil.example', false], ['http://127.0.0.1:5173/', false],
    ['data:text/html,<script>', false], ['about:blank', false], ['', false], [undefined, false], ['app://user:pw@renderer/', false],
  ])('%s -> %s', (url, ok) => {
    expect(isTrustedSenderUrl(url)).toBe(ok);
  });
});
