/** Small hardening items: bounded profile strings, the Electron fuses, the --url warning, bound passwords. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { urlPasswordWarning } from '../../main/cli/common.js';
import { decodeHeld, encodeHeld, sameTarget } from '../../main/engine/host/bound-password.js';
import { projectRoot } from '../../main/engine/paths.js';
import { ProfileSchema } from '../../shared/profile.js';

const base = { name: 'p', host: 'db.example', port: 5432, database: 'app', user: 'app' };

describe('profile strings are bounded', () => {
  it('accepts an ordinary profile (the twin)', () => {
    expect(ProfileSchema.safeParse(base).success).toBe(true);
  });
  it.each([
    ['host', 'h'.repeat(5 * 1024 * 1024), 'host names are at most 255 characters'],
    ['database', 'd'.repeat(257), 'database names are at most 256 characters'],
    ['user', 'u'.repeat(257), 'user names are at most 256 characters'],
    ['rlsRole', 'r'.repeat(257), ''],
    ['sslRootCert', '/'.repeat(4097), ''],
  ])('refuses an oversized %s', (field, value, message) => {
    const r = ProfileSchema.safeParse({ ...base, [field]: value });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues[0]!.path).toEqual([field]);
      if (message) expect(r.error.issues[0]!.message).toBe(message);
    }
  });
});

describe('electron-builder fuses', () => {
  it('turn off file:// extra privileges, running as Node, NODE_OPTIONS and --inspect', () => {
    const yml = fs.readFileSync(path.join(projectRoot(), 'electron-builder.yml'), 'utf8');
    const fuses = yml.slice(yml.indexOf('electronFuses:'));
    for (const [fuse, value] of [
      ['grantFileProtocolExtraPrivileges', 'false'], ['runAsNode', 'false'], ['enableNodeOptionsEnvironmentVariable', 'false'],
      ['enableNodeCliInspectArguments', 'false'], ['onlyLoadAppFromAsar', 'true'], ['enableEmbeddedAsarIntegrityValidation', 'true'],
    ]) expect(fuses, fuse).toMatch(new RegExp(`^  ${fuse}: ${value}$`, 'm'));
  });
});

describe('the --url password warning', () => {
  it('is shown to a person at a terminal, not to scripts', () => {
    expect(urlPasswordWarning(true, true)).toMatch(/visible to other users .*PGPASSWORD or ~\/\.pgpass/);
    expect(urlPasswordWarning(true, false)).toBeNull();
    expect(urlPasswordWarning(false, true)).toBeNull();
  });
});

describe('held passwords carry their target', () => {
  const t = { host: 'db.example', port: 5432, database: 'app', user: 'app' };
  it('round-trips, and a bare legacy entry has no target', () => {
    expect(decodeHeld(encodeHeld('p"w:{}', t))).toEqual({ password: 'p"w:{}', target: t });
    expect(decodeHeld('bare-old-password')).toEqual({ password: 'bare-old-password', target: null });
  });
  it('an unreadable bound entry binds to nothing rather than to anything', () => {
    const h = decodeHeld('bound:v1:{not json');
    expect(h.password).toBe('');
    expect(sameTarget(h.target!, t)).toBe(false);
  });
  it.each([['host', { host: 'evil.example' }], ['port', { port: 5433 }], ['database', { database: 'x' }], ['user', { user: 'root' }]])('a changed %s is another target', (_k, change) => {
    expect(sameTarget(t, { ...t, ...change })).toBe(false);
  });
  it('host case does not matter', () => {
    expect(sameTarget(t, { ...t, host: 'DB.Example' })).toBe(true);
  });
});
