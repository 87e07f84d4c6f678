import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFileAtomicSync, writeFileAtomic, writeFileAtomicSync } from '../../main/engine/fs-util.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-atomic-unit-'));
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
afterEach(() => vi.restoreAllMocks());

describe('atomic file writes', () => {
  it('a full disk while overwriting leaves the old file whole and no temp file behind (sync and async)', async () => {
    const d = dir();
    const file = path.join(d, 'report.json');
    fs.writeFileSync(file, 'old signed report');
    const real = fs.writeFileSync;
    vi.spyOn(fs, 'writeFileSync').mockImplementation((target, ...rest) => {
      if (typeof target === 'number') throw enospc();
      return real(target, ...(rest as [never]));
    });
    expect(() => writeFileAtomicSync(file, 'new report '.repeat(1000))).toThrow(/ENOSPC/);
    vi.restoreAllMocks();
    const realOpen = fs.promises.open.bind(fs.promises);
    vi.spyOn(fs.promises, 'open').mockImplementationOnce(async (...args: Parameters<typeof fs.promises.open>) => {
      const h = await realOpen(...args);
      h.writeFile = async () => { throw enospc(); };
      return h;
    });
    await expect(writeFileAtomic(file, 'new')).rejects.toThrow(/ENOSPC/);
    expect(fs.readFileSync(file, 'utf8')).toBe('old signed report');
    expect(fs.readdirSync(d)).toEqual(['report.json']);
  });

  it('new files are 0600 unless asked; an existing file keeps its mode', () => {
    const d = dir();
    writeFileAtomicSync(path.join(d, 'a'), 'x');
    expect(fs.statSync(path.join(d, 'a')).mode & 0o777).toBe(0o600);
    writeFileAtomicSync(path.join(d, 'pub.pem'), 'x', { mode: 0o644 });
    expect(fs.statSync(path.join(d, 'pub.pem')).mode & 0o777).toBe(0o644);
    fs.chmodSync(path.join(d, 'a'), 0o640);
    writeFileAtomicSync(path.join(d, 'a'), 'y');
    expect([fs.readFileSync(path.join(d, 'a'), 'utf8'), fs.statSync(path.join(d, 'a')).mode & 0o777]).toEqual(['y', 0o640]);
  });

  it('create-only refuses an existing file and leaves it alone', () => {
    const d = dir();
    const key = path.join(d, 'key.pem');
    createFileAtomicSync(key, 'first');
    expect(() => createFileAtomicSync(key, 'second')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(fs.readFileSync(key, 'utf8')).toBe('first');
    expect(fs.readdirSync(d)).toEqual(['key.pem']);
  });
});
