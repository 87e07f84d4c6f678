/**
 * The console reads migration files only from inside the folder it was given: a Drizzle journal tag
 * that climbs out (`../../secret`) or a symlink out of the folder is refused in one line, and the
 * same folder without them reads normally (the clean twin).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSource } from '../../main/engine/migrations/sources.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'contain-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function drizzleFolder(name: string, tags: string[]): string {
  const dir = path.join(work, name);
  fs.mkdirSync(path.join(dir, 'meta'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({
    version: '7', dialect: 'postgresql',
    entries: tags.map((tag, idx) => ({ idx, version: '7', when: 1700000000000 + idx, tag, breakpoints: true })),
  }));
  fs.writeFileSync(path.join(dir, '0000_init.sql'), 'CREATE TABLE a (id int);');
  return dir;
}

fs.writeFileSync(path.join(work, 'secret.sql'), "SELECT 'the text of a file outside the folder';");

describe('migration folders contain their files', () => {
  it('refuses a Drizzle journal tag that points outside the folder, naming it', () => {
    const dir = drizzleFolder('climb', ['0000_init', '../secret']);
    expect(() => readSource(dir)).toThrow(/^\.\.\/secret\.sql is outside the migration folder .*climb/);
  });

  it('refuses a migration file that is a symlink out of the folder', () => {
    const dir = path.join(work, 'plain-link');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, '0001_init.sql'), 'CREATE TABLE b (id int);');
    fs.symlinkSync(path.join(work, 'secret.sql'), path.join(dir, '0002_more.sql'));
    expect(() => readSource(dir)).toThrow(/^0002_more\.sql is outside the migration folder/);
  });

  it('reads the same kinds of folder when every file is inside', () => {
    const dir = drizzleFolder('clean', ['0000_init']);
    const src = readSource(dir);
    expect(src.kind).toBe('drizzle');
    expect(src.migrations.map((m) => m.file)).toEqual(['0000_init.sql']);
    expect(JSON.stringify(src)).not.toContain('outside the folder');
  });
});
