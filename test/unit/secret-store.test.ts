/** The encrypted password file keeps only ciphertext, survives a restart, and forgets on remove. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EncryptedFileSecretStore, type Cipher } from '../../main/engine/host/secret-store.js';

// A stand-in for safeStorage: reversible, and never the plain text on disk.
const cipher: Cipher = {
  encrypt: (s) => Buffer.from([...Buffer.from(s, 'utf8')].map((b) => b ^ 0x5a)),
  decrypt: (b) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString('utf8'),
};
const storage = { persistent: true, backend: 'test', note: null };
const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('EncryptedFileSecretStore', () => {
  it('stores ciphertext only, readable by a new instance, mode 0600', async () => {
    const dir = tmp();
    await new EncryptedFileSecretStore(dir, cipher, storage).set('prod "main"', 'pa55-Секрет');
    const text = fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8');
    expect(text).not.toContain('pa55');
    expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    const again = new EncryptedFileSecretStore(dir, cipher, storage);
    expect(await again.get('prod "main"')).toBe('pa55-Секрет');
    await again.rename('prod "main"', 'prod');
    expect(await again.get('prod')).toBe('pa55-Секрет');
    await again.remove('prod');
    expect(await again.has('prod')).toBe(false);
  });

  it('asks again (undefined) when the keyring can no longer decrypt', async () => {
    const dir = tmp();
    await new EncryptedFileSecretStore(dir, cipher, storage).set('p', 'x');
    const broken: Cipher = { encrypt: cipher.encrypt, decrypt: () => { throw new Error('key changed'); } };
    expect(await new EncryptedFileSecretStore(dir, broken, storage).get('p')).toBeUndefined();
  });
});
