import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../main/engine/backup/create.js';
import { restoreBackup } from '../../main/engine/backup/restore.js';
import { applyContract, planContract } from '../../main/engine/contract/apply.js';
import { loadModel } from '../../main/engine/model/load.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { cleanCli, spawnTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { writeFolder } from '../support/migration-folders.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('CREATE TABLE busy (id int PRIMARY KEY); INSERT INTO busy SELECT generate_series(1, 10);');
});
afterAll(async () => {
  cleanCli();
  await db?.drop();
});

describe('messages that tell the truth', () => {
  it('a host that accepts and closes the connection is named with its port', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const { profile } = profileFromUrl(`postgresql://ana@127.0.0.1:${port}/app`);
      await expect(Session.open(profile, { password: 'x' })).rejects.toThrow(
        new RegExp(`^cannot connect to ana@127\\.0\\.0\\.1:${port}/app: the server closed the connection before the session began`));
    } finally {
      server.close();
    }
  });

  it('statement_timeout in backup create names the statement and the profile setting', async () => {
    const blocker = await db.holding('LOCK TABLE busy IN ACCESS EXCLUSIVE MODE');
    try {
      const s = await db.session({ statementTimeoutMs: 300, lockTimeoutMs: 60_000 });
      await s.enableWrite();
      await expect(createBackup(s, { schema: 'public', table: 'busy' })).rejects.toThrow(
        "the copy (CREATE TABLE ... AS SELECT) in the backup of public.busy exceeded statement_timeout (300 ms, the profile's statementTimeoutMs); nothing of it was kept");
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect((await db.exec("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'tenancy_console' AND tablename LIKE 'bk_%'")).rows[0].n).toBe(0);
  });

  it('Ctrl-C during migrate apply names the migrations committed and how to continue', async () => {
    const folder = writeFolder('plain', [
      { name: 'first', sql: 'CREATE TABLE first_done (id int);\n' },
      { name: 'second', sql: 'ALTER TABLE busy ADD COLUMN org_id int;\n' },
    ]);
    const blocker = await db.holding('SELECT count(*) FROM busy');
    const child = await spawnTenancy(['migrate', 'apply', '--dir', folder.dir, '--url', db.url, '--write', '--ack-all', '--lock-timeout-ms', '60000'], { TENANCY_CONFIG_DIR: tempConfigDir() });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await db.until("SELECT EXISTS (SELECT 1 FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid WHERE NOT l.granted AND a.query LIKE 'ALTER TABLE busy%') AS ok");
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    await blocker.query('ROLLBACK');
    await blocker.end();
    expect(stderr).toContain('tenancy: cancelled by the operator: 1 migration(s) committed before the cancel stay applied (001_first.sql); 002_second.sql was rolled back; run migrate apply again to continue');
    expect((await db.exec("SELECT to_regclass('first_done') IS NOT NULL AS ok")).rows[0].ok).toBe(true);
  });
});

describe('one restore and one contract per table at a time', () => {
  const waitingOnRow = "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted AND locktype <> 'advisory') AS ok";

  it('a second restore into the same table waits up to lock_timeout, then is refused naming the first', async () => {
    await db.exec('CREATE TABLE tgt (id int PRIMARY KEY, v int); INSERT INTO tgt SELECT g, g FROM generate_series(1, 5) g;');
    const a = await db.session();
    await a.enableWrite();
    const b = await createBackup(a, { schema: 'public', table: 'tgt' });
    await db.exec('UPDATE tgt SET v = 0');
    const blocker = await db.holding('SELECT 1 FROM tgt WHERE id = 1 FOR UPDATE');
    const first = restoreBackup(a, { backupId: b.id, scope: { kind: 'table' }, strategy: 'replace', dryRun: false, lockTimeoutMs: 60_000 });
    await db.until(waitingOnRow, [a.pid]);
    const other = await db.session();
    await other.enableWrite();
    await expect(restoreBackup(other, { backupId: b.id, scope: { kind: 'table' }, strategy: 'replace', dryRun: false, lockTimeoutMs: 200 }))
      .rejects.toThrow(new RegExp(`^a restore into public\\.tgt is held by pid ${a.pid} .*waited 200 ms \\(lock_timeout\\) and gave up; run it again once that restore has finished \\(nothing was changed\\)$`));
    await blocker.query('ROLLBACK');
    await blocker.end();
    expect(await first).toMatchObject({ status: 'verified' });
  });

  it('a second contract run on the same table is refused naming the first', async () => {
    await db.exec(`CREATE TABLE orgs (id int PRIMARY KEY); INSERT INTO orgs VALUES (1);
      CREATE TABLE c_t (id int PRIMARY KEY, org_id int REFERENCES orgs); CREATE INDEX ON c_t (org_id); INSERT INTO c_t VALUES (1, 1);`);
    const a = await db.session();
    await a.enableWrite();
    const settings = { schemas: ['public'], tenantTable: 'public.orgs', tenantColumn: 'org_id' };
    const plan = await planContract(await loadModel(a, settings), 'public.c_t', ['not-null'], { session: a });
    const blocker = await db.holding('SELECT 1 FROM c_t');
    const first = applyContract(a, plan, { lockTimeoutMs: 60_000 });
    await db.until(waitingOnRow, [a.pid]);
    const other = await db.session();
    await other.enableWrite();
    await expect(applyContract(other, plan, { lockTimeoutMs: 200 })).rejects.toThrow(new RegExp(`^a contract run on public\\.c_t is held by pid ${a.pid} `));
    await blocker.query('ROLLBACK');
    await blocker.end();
    expect(await first).toMatchObject({ failed: null, applied: 4 });
  });
});
