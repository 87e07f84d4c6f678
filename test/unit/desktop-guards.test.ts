/** The pure guards of the desktop app and browser mode, exhaustively. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { containedPath } from '../../main/serve/contained-path.js';
import { hostAllowed, originAllowed, parseCookies, tokenMatches } from '../../main/serve/guard.js';
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

describe('cookies and tokens', () => {
  it('parses cookies', () => {
    expect(parseCookies('a=1; tenancy_token_1=xyz; b=')).toEqual(new Map([['a', '1'], ['tenancy_token_1', 'xyz'], ['b', '']]));
    expect(parseCookies(undefined).size).toBe(0);
  });
  it.each([['abc', 'abc', true], ['abd', 'abc', false], ['ab', 'abc', false], [undefined, 'abc', false], ['', 'abc', false]])('%s vs %s -> %s', (given, token, ok) => {
    expect(tokenMatches(given, token)).toBe(ok);
  });
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
