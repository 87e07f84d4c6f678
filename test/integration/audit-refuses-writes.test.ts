/**
 * A write the audit log cannot record is not made (issue 12): with the audit folder unwritable,
 * switching write mode on is refused and the data is unchanged; reads go on; once the log can
 * record again, writes work. The clean twin: the same session with a working log writes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../main/engine/audit/log.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let work: string;
beforeAll(async () => {
  db = await createTestDatabase('CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, \'a\');');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-refuse-'));
});
afterAll(async () => {
  cleanCli();
  await db.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('writes refused when the audit log cannot record them', () => {
  it('refuses write mode while the log fails, reads still work, and writes resume once it records again', async () => {
    const blocked = path.join(work, 'blocked');
    fs.writeFileSync(blocked, 'a file where the audit folder should be');
    const log = new AuditLog({ dir: blocked, keyDir: null, onError: () => undefined });
    const session = await db.session({}, { audit: log });
    const { rows } = await session.query<{ n: number }>('SELECT count(*)::int AS n FROM notes');
    expect(rows[0]!.n).toBe(1);
    await expect(session.enableWrite()).rejects.toThrow(/^writes are refused: cannot write the audit log in .*blocked/);
    await expect(session.query("INSERT INTO notes VALUES (2, 'b')")).rejects.toThrow(/read-only transaction/);
    expect((await db.exec('SELECT count(*)::int AS n FROM notes')).rows[0].n).toBe(1);

    fs.rmSync(blocked);
    await session.query('SELECT 1'); // recorded: the log works again
    expect(log.lastFailure()).toBeNull();
    await session.enableWrite();
    await session.query("INSERT INTO notes VALUES (3, 'c')");
    expect((await db.exec('SELECT count(*)::int AS n FROM notes')).rows[0].n).toBe(2);
  });

  it('a write-mode session whose log starts failing refuses the next statement', async () => {
    const dir = path.join(work, 'ok');
    const log = new AuditLog({ dir, keyDir: null, onError: () => undefined });
    const session = await db.session({}, { audit: log });
    await session.enableWrite();
    await session.query("INSERT INTO notes VALUES (4, 'd')");
    fs.rmSync(dir, { recursive: true });
    fs.writeFileSync(dir, 'not a folder');
    await session.query('SELECT 1'); // its record fails
    await expect(session.query("INSERT INTO notes VALUES (5, 'e')")).rejects.toThrow(/^writes are refused: cannot write the audit log/);
    expect((await db.exec('SELECT count(*)::int AS n FROM notes WHERE id = 5')).rows[0].n).toBe(0);
  });

  it('the CLI: backup create with an unwritable audit folder exits 2 in one line and writes nothing', async () => {
    const configDir = tempConfigDir();
    fs.writeFileSync(path.join(configDir, 'audit'), 'a file where the audit folder should be');
    const r = await runTenancy(['backup', 'create', '--url', db.url, '--table', 'public.notes', '--write'], { TENANCY_CONFIG_DIR: configDir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/tenancy: writes are refused: cannot write the audit log in /);
    const { rows } = await db.exec("SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = to_regnamespace('tenancy_console') AND relname LIKE 'bk\\_%'");
    expect(rows[0]?.n ?? 0).toBe(0);
  });
});
