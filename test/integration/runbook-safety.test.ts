/**
 * Runbook safety against real PostgreSQL: SQL that ends, escapes or changes the session is refused
 * before anything runs (nothing journaled, data unchanged); probes fail only for the reason they
 * name; an `sql` step interrupted right after its COMMIT is not run again on continue; a torn last
 * line is cut and the repair journaled; rewritten, truncated and emptied journals fail verify naming
 * the line; a run continued on a second server with a same-named database is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../shared/runbook.js';
import { startEmbeddedPostgres } from '../../main/engine/pg/embedded.js';
import { verifySignedJournal } from '../../main/engine/runbook/head.js';
import { readRun } from '../../main/engine/runbook/open.js';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';
import { runRunbook, type RunOptions } from '../../main/engine/runbook/run.js';
import { HEADS_TABLE, STEP_COMMITS_TABLE } from '../../main/engine/runbook/target.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const FIXTURE = `
CREATE TABLE victim (id int PRIMARY KEY, note text);
INSERT INTO victim SELECT g, 'row ' || g FROM generate_series(1, 5) g;
CREATE TABLE counter (n int NOT NULL);
CREATE TABLE org (id text PRIMARY KEY);
CREATE TABLE item (id int PRIMARY KEY, label text NOT NULL, org_id text REFERENCES org(id));
`;

let db: TestDatabase;
let session: Session;
let runsDir: string;
beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
  session = await db.session();
  await session.enableWrite();
  runsDir = path.join(tempConfigDir(), 'runs');
});
afterAll(async () => {
  await db.drop();
});

async function count(sql: string): Promise<number> {
  return Number((await db.exec(sql)).rows[0].n);
}

function book(steps: string): { text: string; runbook: NonNullable<Extract<ReturnType<typeof parseRunbookText>, { ok: true }>['runbook']> } {
  const text = `version: 1\ntitle: Safety\nsteps:\n${steps}`;
  const r = parseRunbookText(text);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return { text, runbook: r.runbook };
}

async function run(steps: string, extra: Partial<RunOptions> = {}, s: Session = session): Promise<RunStatus> {
  const { text, runbook } = book(steps);
  return runRunbook({ session: s, file: path.join(runsDir, '..', 'safety.yaml'), runbook, text, operator: 'tester', runsDir, ci: true, ...extra });
}

const runCount = () => (fs.existsSync(runsDir) ? fs.readdirSync(runsDir).length : 0);

describe('runbook SQL is untrusted input', () => {
  it.each([
    ['a probe with COMMIT', `  - id: p\n    kind: check\n    title: P\n    expect:\n      fails: { sql: "COMMIT; DELETE FROM victim; COMMIT; SELECT 1/0", error: '22012', table: victim }\n`, 12, 'steps[1].expect.fails.sql', 'step "p": the probe statement 1 (COMMIT) is transaction control'],
    ['a check query with COMMIT', `  - id: c\n    kind: check\n    title: C\n    expect:\n      sql: "COMMIT; DELETE FROM victim"\n`, 12, 'steps[1].expect.sql', 'step "c": the check query has 2 statements'],
    ['an sql step with COMMIT', `  - id: s\n    kind: sql\n    title: S\n    sql: "DELETE FROM victim; COMMIT; BEGIN"\n`, 11, 'steps[1].sql', 'step "s": the SQL statement 2 (COMMIT) is transaction control'],
    ['an sql step with SET ROLE', `  - id: s\n    kind: sql\n    title: S\n    sql: "SET ROLE pg_read_all_data; DELETE FROM victim"\n`, 11, 'steps[1].sql', 'statement 1 (SET ROLE pg_read_all_data) is a session or transaction setting'],
    ['a probe with SET SESSION AUTHORIZATION', `  - id: p\n    kind: check\n    title: P\n    expect:\n      fails: { sql: "SET SESSION AUTHORIZATION DEFAULT; DELETE FROM victim", error: '23502', column: x }\n`, 12, 'steps[1].expect.fails.sql', 'is a session or transaction setting'],
    ['a check query calling set_config', `  - id: c\n    kind: check\n    title: C\n    expect:\n      sql: "SELECT set_config('role', 'postgres', false)"\n`, 12, 'steps[1].expect.sql', 'a call of set_config()'],
    ['an sql step releasing a savepoint', `  - id: s\n    kind: sql\n    title: S\n    sql: "RELEASE SAVEPOINT x; DELETE FROM victim"\n`, 11, 'steps[1].sql', 'transaction control'],
    ['an sql step with DISCARD ALL', `  - id: s\n    kind: sql\n    title: S\n    sql: "DELETE FROM victim; DISCARD ALL"\n`, 11, 'steps[1].sql', 'DISCARD'],
  ])('%s is refused before anything runs, naming line, field and step; data unchanged', async (_what, steps, line, field, message) => {
    const before = runCount();
    const err = await run(`  - id: first\n    kind: sql\n    title: Writes first\n    sql: INSERT INTO counter VALUES (1)\n${steps}`).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain('nothing ran');
    expect(msg).toContain(`safety.yaml:${line}:`);
    expect(msg).toContain(` ${field}: `);
    expect(msg).toContain(message);
    expect(runCount()).toBe(before);
    expect(await count('SELECT count(*) AS n FROM victim')).toBe(5);
    expect(await count('SELECT count(*) AS n FROM counter')).toBe(0);
  });

  it('an sql step that changes the role from inside a DO block is rolled back and fails', async () => {
    const s = await run(`  - id: sneaky\n    kind: sql\n    title: Sneaky\n    sql: "DELETE FROM victim; DO $$ BEGIN EXECUTE 'SET ROLE pg_read_all_data'; END $$"\n`);
    expect(s.steps[0]!.state).toBe('failed');
    expect(s.steps[0]!.error).toMatch(/^the SQL changed the session's role \(\w+ -> pg_read_all_data\); rolled back$/);
    expect(await count('SELECT count(*) AS n FROM victim')).toBe(5);
    expect((await session.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u).not.toBe('pg_read_all_data');
  });

  it('a check query runs READ ONLY: a writing CTE is refused by PostgreSQL, not run', async () => {
    const s = await run(`  - id: c\n    kind: check\n    title: C\n    expect:\n      sql: "WITH d AS (DELETE FROM victim RETURNING 1) SELECT * FROM d"\n`);
    expect(s.steps[0]!.state).toBe('failed');
    expect(s.steps[0]!.error).toContain('read-only transaction');
    expect(await count('SELECT count(*) AS n FROM victim')).toBe(5);
  });

  it('a probe\'s writes are rolled back even when it fails for the named reason', async () => {
    const s = await run(`  - id: p\n    kind: check\n    title: P\n    expect:\n      fails:\n        sql: "DELETE FROM victim; INSERT INTO item (id, label) VALUES (1, NULL)"\n        error: not_null_violation\n        column: label\n`);
    expect(s.steps[0]!.state, s.steps[0]!.error ?? '').toBe('passed');
    expect(s.steps[0]!.evidence!.refs.probeError).toContain('23502');
    expect(await count('SELECT count(*) AS n FROM victim')).toBe(5);
  });
});

describe('probes say what must fail and why', () => {
  it('a probe failing on another column fails the step "for another reason"', async () => {
    const s = await run(`  - id: p\n    kind: check\n    title: P\n    expect:\n      fails:\n        sql: "INSERT INTO item (id) VALUES (2)"\n        error: not_null_violation\n        column: org_id\n`);
    expect(s.steps[0]!.state).toBe('failed');
    expect(s.steps[0]!.error).toMatch(/^the probe failed for another reason: null value in column "label".*column label.*; it must fail with not_null_violation \(23502\) on column org_id$/);
  });

  it('a probe naming a column that does not exist fails for another reason (42703), never passes', async () => {
    const s = await run(`  - id: p\n    kind: check\n    title: P\n    expect:\n      fails:\n        sql: "INSERT INTO item (id, label, name) VALUES (3, 'x', 'y')"\n        error: not_null_violation\n        column: org_id\n`);
    expect(s.steps[0]!.error).toContain('the probe failed for another reason: column "name" of relation "item" does not exist (SQLSTATE 42703');
  });

  it('a probe that succeeds fails the step, saying what it must fail with', async () => {
    const s = await run(`  - id: p\n    kind: check\n    title: P\n    expect:\n      fails:\n        sql: "INSERT INTO item (id, label) VALUES (4, 'x')"\n        error: not_null_violation\n        column: org_id\n`);
    expect(s.steps[0]!.error).toBe('the write probe succeeded (rolled back); it must fail with not_null_violation (23502) on column org_id');
    expect(await count('SELECT count(*) AS n FROM item')).toBe(0);
  });

  it('a constraint probe passes only on that constraint', async () => {
    const s = await run(`  - id: p\n    kind: check\n    title: P\n    expect:\n      fails:\n        sql: "INSERT INTO item (id, label, org_id) VALUES (5, 'x', 'nope')"\n        error: foreign_key_violation\n        constraint: item_org_id_fkey\n`);
    expect(s.steps[0]!.state, s.steps[0]!.error ?? '').toBe('passed');
  });
});

describe('an sql step and its journal under faults', () => {
  it('a continue after a kill right after COMMIT does not run the step again; without the commit row it would', async () => {
    await db.exec('TRUNCATE counter');
    const steps = `  - id: bump\n    kind: sql\n    title: Bump\n    sql: INSERT INTO counter VALUES (1)\n  - id: after\n    kind: check\n    title: After\n    expect: { sql: "SELECT 1 WHERE false" }\n`;
    // The state a kill right after COMMIT leaves: the step's statements and its completion row
    // committed; the journal, its signatures and the database's head end at step-started.
    const first = await run(steps, { step: 'bump' });
    expect(first.steps[0]!.state).toBe('passed');
    const dir = path.join(runsDir, first.run);
    const lines = fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    const startedAt = lines.findIndex((l) => l.includes('"type":"step-started"'));
    fs.writeFileSync(path.join(dir, 'journal.jsonl'), `${lines.slice(0, startedAt + 1).join('\n')}\n`);
    const sigs = fs.readFileSync(path.join(dir, 'signatures.jsonl'), 'utf8').split('\n').filter(Boolean);
    fs.writeFileSync(path.join(dir, 'signatures.jsonl'), `${sigs.slice(0, startedAt + 1).join('\n')}\n`);
    const head = JSON.parse(sigs[startedAt]!) as { seq: number; hash: string };
    await db.exec(`UPDATE ${HEADS_TABLE} SET seq = $2, hash = $3 WHERE run = $1`, [first.run, head.seq, head.hash]);
    expect(readRun(first.run, runsDir).status.steps[0]).toMatchObject({ state: 'interrupted' });
    expect(readRun(first.run, runsDir).status.next!.action).toContain('the target database records whether the step committed');

    const again = await run(steps, { run: first.run });
    expect(again.complete).toBe(true);
    expect(again.steps[0]!.evidence!.result).toMatch(/^committed earlier \(.*\); not run again$/);
    expect(await count('SELECT count(*) AS n FROM counter')).toBe(1);

    // The twin: a fresh run whose commit row is gone runs the statement again (the row is what protects it).
    const twin = await run(steps, { step: 'bump' });
    await db.exec(`DELETE FROM ${STEP_COMMITS_TABLE} WHERE run = $1`, [twin.run]);
    const tdir = path.join(runsDir, twin.run);
    const tl = fs.readFileSync(path.join(tdir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    const ts = tl.findIndex((l) => l.includes('"type":"step-started"'));
    fs.writeFileSync(path.join(tdir, 'journal.jsonl'), `${tl.slice(0, ts + 1).join('\n')}\n`);
    const tsig = fs.readFileSync(path.join(tdir, 'signatures.jsonl'), 'utf8').split('\n').filter(Boolean);
    fs.writeFileSync(path.join(tdir, 'signatures.jsonl'), `${tsig.slice(0, ts + 1).join('\n')}\n`);
    const th = JSON.parse(tsig[ts]!) as { seq: number; hash: string };
    await db.exec(`UPDATE ${HEADS_TABLE} SET seq = $2, hash = $3 WHERE run = $1`, [twin.run, th.seq, th.hash]);
    await run(steps, { run: twin.run });
    expect(await count('SELECT count(*) AS n FROM counter')).toBe(3);
  });

  it('a torn last line is cut on continue and the repair journaled; verify names it before and passes after', async () => {
    const steps = `  - id: c1\n    kind: check\n    title: C1\n    expect: { sql: "SELECT 1 WHERE false" }\n  - id: c2\n    kind: check\n    title: C2\n    expect: { sql: "SELECT 1 WHERE false" }\n`;
    const first = await run(steps, { step: 'c1' });
    const dir = path.join(runsDir, first.run);
    const n = fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).length;
    fs.appendFileSync(path.join(dir, 'journal.jsonl'), '{"event":{"step":"c2","type":"step-pa');
    const torn = verifySignedJournal(dir, { run: first.run });
    expect(torn.brokenAt).toEqual({ line: n + 1, reason: 'torn: the last write was cut short (continue the run to cut it and record the repair)' });
    const again = await run(steps, { run: first.run });
    expect(again.complete).toBe(true);
    const text = fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8');
    expect(text).toContain(`"reason":"line ${n + 1} was torn (a write cut short, e.g. a full disk) and was cut"`);
    expect(text).toContain('"cutBytes":37');
    expect(verifySignedJournal(dir, { run: first.run })).toMatchObject({ ok: true, brokenAt: null });
  });

  it('every step records its duration; status works from the journal alone', async () => {
    const s = await run(`  - id: c\n    kind: check\n    title: C\n    expect: { sql: "SELECT 1 WHERE false" }\n`);
    const st = readRun(s.run, runsDir).status.steps[0]!;
    expect(st.state).toBe('passed');
    expect(typeof st.durationMs).toBe('number');
    expect(st.durationMs).toBeGreaterThanOrEqual(0);
    // The runbook file never existed at its path: the content captured at start is enough.
    expect(fs.existsSync(path.join(runsDir, '..', 'safety.yaml'))).toBe(false);
  });
});

describe('a journal nobody can quietly rewrite', () => {
  async function finishedRun(): Promise<{ run: string; dir: string; lines: string[] }> {
    const s = await run(`  - id: a\n    kind: check\n    title: A\n    expect: { sql: "SELECT 1 WHERE false" }\n  - id: b\n    kind: check\n    title: B\n    expect: { sql: "SELECT 1 WHERE false" }\n`);
    const dir = path.join(runsDir, s.run);
    return { run: s.run, dir, lines: fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean) };
  }

  it('a rewritten operator with the chain recomputed fails verify at that line', async () => {
    const { run: id, dir, lines } = await finishedRun();
    expect(verifySignedJournal(dir, { run: id })).toMatchObject({ ok: true });
    const { journalLineHash } = await import('../../main/engine/runbook/journal.js');
    const { canonicalize } = await import('../../main/engine/report/canonical.js');
    let prev = '0'.repeat(64);
    const rewritten = lines.map((l, i) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      if (i === 2) o.operator = 'someone-else';
      o.prev = prev;
      o.hash = journalLineHash(o as never);
      prev = o.hash as string;
      return canonicalize(o);
    });
    fs.writeFileSync(path.join(dir, 'journal.jsonl'), `${rewritten.join('\n')}\n`);
    const v = verifySignedJournal(dir, { run: id });
    expect(v.brokenAt).toEqual({ line: 3, reason: 'it is not the line that was signed (rewritten, and the chain recomputed)' });
  });

  it('a removed tail fails verify at the first missing line; so does an emptied file', async () => {
    const { run: id, dir, lines } = await finishedRun();
    fs.writeFileSync(path.join(dir, 'journal.jsonl'), `${lines.slice(0, 3).join('\n')}\n`);
    expect(verifySignedJournal(dir, { run: id }).brokenAt).toEqual({ line: 4, reason: `line 4 to ${lines.length} were signed and are gone (the tail was removed)` });
    // Signatures cut too: the target database's head still knows.
    const sigs = fs.readFileSync(path.join(dir, 'signatures.jsonl'), 'utf8').split('\n').filter(Boolean);
    fs.writeFileSync(path.join(dir, 'signatures.jsonl'), `${sigs.slice(0, 3).join('\n')}\n`);
    const dbHead = (await db.exec(`SELECT seq, hash, key_id AS "keyId" FROM ${HEADS_TABLE} WHERE run = $1`, [id])).rows[0] as { seq: number; hash: string; keyId: string };
    expect(dbHead.seq).toBe(lines.length);
    expect(verifySignedJournal(dir, { run: id, database: dbHead }).brokenAt).toEqual({ line: 4, reason: `the target database's head is line ${lines.length}; the journal ends at line 3 (the tail was removed)` });
    fs.writeFileSync(path.join(dir, 'journal.jsonl'), '');
    expect(verifySignedJournal(dir, { run: id }).brokenAt).toEqual({ line: 1, reason: 'the journal is empty but 3 line(s) were signed (emptied)' });
  });

  it('verify with an expected key refuses heads signed with another key', async () => {
    const { run: id, dir } = await finishedRun();
    expect(verifySignedJournal(dir, { run: id, expectKey: '0123456789abcdef' }).brokenAt!.reason).toMatch(/^signed with key [0-9a-f]{16}, not the expected key 0123456789abcdef$/);
  });
});

describe('a run is bound to its target', () => {
  it('continuing on a second server with a same-named database is refused with one line naming both', async () => {
    const other = await startEmbeddedPostgres({ fast: true });
    try {
      const c = new pg.Client({ connectionString: other.adminUrl });
      await c.connect();
      await c.query(`CREATE DATABASE ${pg.escapeIdentifier(db.name)}`);
      await c.end();
      const u = new URL(other.adminUrl);
      u.pathname = `/${db.name}`;
      const { profile, urlPassword } = profileFromUrl(u.toString());
      const second = await Session.open(profile, { password: urlPassword });
      await second.enableWrite();
      try {
        const steps = `  - id: a\n    kind: check\n    title: A\n    expect: { sql: "SELECT 1 WHERE false" }\n  - id: b\n    kind: check\n    title: B\n    expect: { sql: "SELECT 1 WHERE false" }\n`;
        const first = await run(steps, { step: 'a' });
        const before = fs.readFileSync(path.join(runsDir, first.run, 'journal.jsonl'), 'utf8');
        const err = (await run(steps, { run: first.run }, second).catch((e: Error) => e)) as Error;
        expect(err.message).toMatch(new RegExp(`^run ${first.run} was started on database ${db.name} \\(oid \\d+\\) on server \\S+ \\(system identifier \\d+\\); this is database ${db.name} \\(oid \\d+\\) on server \\S+ \\(system identifier \\d+\\): not the same target, start a new run$`));
        const ids = [...err.message.matchAll(/system identifier (\d+)/g)].map((m) => m[1]);
        expect(ids[0]).not.toBe(ids[1]);
        expect(fs.readFileSync(path.join(runsDir, first.run, 'journal.jsonl'), 'utf8')).toBe(before);
      } finally {
        await second.close();
      }
    } finally {
      await other.stop();
    }
  }, 180_000);
});
