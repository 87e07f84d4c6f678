import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../main/engine/audit-sink.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { UserError } from '../../main/engine/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('CREATE TABLE t (id int PRIMARY KEY);');
});
afterAll(async () => db?.drop());

describe('session', () => {
  it('is read-only by default, names itself tenancy-console and fingerprints the server', async () => {
    const s = await db.session();
    expect(s.fingerprint.database).toBe(db.name);
    expect(s.fingerprint.readOnly).toBe(true);
    expect(s.fingerprint.serverVersionNum).toBeGreaterThanOrEqual(140000);
    expect(s.fingerprint.systemIdentifier).toMatch(/^\d+$/);
    const app = await s.query<{ name: string }>('SELECT current_setting(\'application_name\') AS name');
    expect(app.rows[0]!.name).toBe('tenancy-console');
    await expect(s.query('INSERT INTO t VALUES (1)')).rejects.toThrow(/read-only transaction/);
  });

  it('applies the profile timeouts', async () => {
    const s = await db.session({ statementTimeoutMs: 1234, lockTimeoutMs: 567 });
    const r = await s.query<{ st: string; lt: string }>("SELECT current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt");
    expect(r.rows[0]).toEqual({ st: '1234ms', lt: '567ms' });
  });

  it('writes only after write mode is switched on, and production needs the database name typed', async () => {
    const s = await db.session({ environment: 'production' });
    await expect(s.enableWrite('wrong')).rejects.toThrow(UserError);
    await s.enableWrite(db.name);
    await s.query('INSERT INTO t VALUES (2)');
    const r = await db.exec('SELECT count(*)::int AS n FROM t WHERE id = 2');
    expect(r.rows[0].n).toBe(1);
  });

  it('cancels a running statement', async () => {
    const s = await db.session();
    const running = s.query('SELECT pg_sleep(30)');
    await expect.poll(async () => (await db.exec("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'")).rows[0].n).toBe(1);
    await s.cancel();
    await expect(running).rejects.toThrow(/cancelled/);
  });

  it('a cancel that reaches the server after its statement finished does not cancel the next one', async () => {
    // The cancel request travels on a connection of its own and lands a few ms later, by when a
    // quick statement is done: what then runs on the backend must not be the one it cancels.
    let quickCancelled = 0;
    for (let i = 0; i < 10; i += 1) {
      const s = await db.session();
      const quick = s.query('SELECT 1');
      const cancelled = s.cancel();
      await quick.catch(() => { quickCancelled += 1; });
      await expect(s.query('SELECT pg_sleep(0.05) AS slept')).resolves.toMatchObject({ rowCount: 1 });
      await cancelled;
      await s.close();
    }
    expect(quickCancelled).toBeLessThan(10);
  });

  it('audits every statement, with secret parameters redacted', async () => {
    const audit = new MemoryAuditSink();
    const s = await db.session({}, { audit });
    await s.query('SELECT $1::text AS a, $2::text AS b', ['visible', 'hunter2'], { secretParams: [1] });
    const last = audit.entries.at(-1)!;
    expect(last.params).toEqual(['visible', '[redacted]']);
    expect(audit.entries.some((e) => e.sql.includes('server_version'))).toBe(true);
    expect(JSON.stringify(audit.entries)).not.toContain('hunter2');
  });

  it('explains a wrong password and a refused connection in one line', async () => {
    const bad = profileFromUrl(db.url.replace(/:[^:@/]*@/, ':wrong@'));
    await expect(Session.open(bad.profile, { password: bad.urlPassword })).rejects.toThrow(/password authentication failed for postgres@127\.0\.0\.1:\d+\/t_\w+; set PGPASSWORD/);
    const refused = profileFromUrl('postgres://postgres@127.0.0.1:1/x');
    await expect(Session.open(refused.profile)).rejects.toThrow(/connection refused/);
  });
});
