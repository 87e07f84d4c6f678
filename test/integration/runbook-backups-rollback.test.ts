/**
 * Backups you can restore from, and a way back, on real PostgreSQL: a backup step also pg_dumps each
 * table into the run's folder (0600, sha256 journaled and checked by verify) or, where this machine's
 * pg_dump is older than the server, fails naming the fix and takes nothing; a rehearsal that puts
 * nothing back fails; a rollback section restores the run's backups and undoes its contract,
 * journaled in the run's journal, after which the run's own steps never run again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../shared/runbook.js';
import { findPgDumpFor, pgDumpVersion } from '../../main/engine/backup/pg-dump.js';
import { listBackups } from '../../main/engine/backup/store.js';
import { verifyRunDumps } from '../../main/engine/runbook/dumps.js';
import { verifySignedJournal } from '../../main/engine/runbook/head.js';
import { readRun } from '../../main/engine/runbook/open.js';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';
import { rollbackRun } from '../../main/engine/runbook/rollback.js';
import { runRunbook, type RunOptions } from '../../main/engine/runbook/run.js';
import { assertRunbookSql } from '../../main/engine/runbook/sql-guard.js';
import type { Session } from '../../main/engine/session.js';
import { tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const FIXTURE = `
CREATE TABLE org (id text PRIMARY KEY);
INSERT INTO org VALUES ('org_a'), ('org_b');
CREATE TABLE item (id int PRIMARY KEY, label text NOT NULL, org_id text);
INSERT INTO item SELECT g, 'item ' || g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'org_a' END FROM generate_series(1, 40) g;
`;

let db: TestDatabase;
let session: Session;
let runsDir: string;
let dumpWorks: boolean;
let dumpVersion: string;
let serverMajor: number;
beforeAll(async () => {
  db = await createTestDatabase(FIXTURE);
  session = await db.session();
  await session.enableWrite();
  runsDir = path.join(tempConfigDir(), 'runs');
  serverMajor = Math.floor(session.fingerprint.serverVersionNum / 10000);
  const v = await pgDumpVersion(await findPgDumpFor(serverMajor));
  dumpWorks = v.major >= serverMajor;
  dumpVersion = v.text;
});
afterAll(async () => {
  await session.close();
  await db.drop();
});

function book(body: string) {
  const text = `version: 1\ntitle: Backups and rollback\n${body}`;
  const r = parseRunbookText(text);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return { text, runbook: r.runbook };
}

async function run(body: string, extra: Partial<RunOptions> = {}): Promise<RunStatus> {
  const { text, runbook } = book(body);
  return runRunbook({ session, file: path.join(runsDir, '..', 'backups.yaml'), runbook, text, operator: 'tester', runsDir, ci: true, ...extra });
}

const items = async () => (await db.exec('SELECT id, label, org_id FROM item ORDER BY id')).rows;

describe('a backup step takes a pg_dump of each table it protects', () => {
  it('dumps into the run folder (0600), journals path and sha256, and verify notices a changed dump; or fails naming the fix', async () => {
    const before = (await listBackups(session)).length;
    const status = await run('steps:\n  - id: backup\n    kind: backup\n    title: Backup\n    dump: true\n    tables: [public.item, public.org]\n');
    const step = status.steps[0]!;
    const dir = path.join(runsDir, status.run);
    if (!dumpWorks) {
      // PostgreSQL newer than every pg_dump here: the step fails, says which pg_dump and the fix, and takes no backup.
      expect(step.state).toBe('failed');
      expect(step.error).toMatch(new RegExp(`^backup of public.item: pg_dump ${dumpVersion.replace('.', '\\.')} at .* is older than the server \\(PostgreSQL ${serverMajor}.*; install pg_dump ${serverMajor} or newer .*\\(or remove dump: true from the step`));
      expect((await listBackups(session)).length).toBe(before);
      expect(verifyRunDumps(dir)).toEqual([]);
      return;
    }
    expect(step.state, step.error ?? '').toBe('passed');
    const refs = step.evidence!.refs;
    for (const t of ['public.item', 'public.org']) {
      const file = refs[`dump:${t}`]!;
      expect(path.dirname(file)).toBe(path.join(dir, 'dumps'));
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(refs[`sha256:${t}`]).toBe(crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    }
    expect(fs.readFileSync(refs['dump:public.item']!, 'utf8')).toContain('item 39');
    expect(verifyRunDumps(dir).map((d) => [d.table, d.ok])).toEqual([['public.item', true], ['public.org', true]]);
    fs.appendFileSync(refs['dump:public.org']!, '-- edited\n');
    const after = verifyRunDumps(dir);
    expect(after.filter((d) => !d.ok).map((d) => d.table)).toEqual(['public.org']);
    expect(after.find((d) => !d.ok)!.problem).toMatch(/has sha256 .* the journal recorded .* \(changed since the backup\)$/);
    fs.rmSync(refs['dump:public.item']!);
    expect(verifyRunDumps(dir).find((d) => d.table === 'public.item')!.problem).toMatch(/is missing$/);
  });

  it('without dump: true takes only the backup tables, and says so in the evidence', async () => {
    const status = await run('steps:\n  - id: backup\n    kind: backup\n    title: Backup\n    dump: false\n    tables: [public.item]\n');
    expect(status.steps[0]!.state).toBe('passed');
    expect(status.steps[0]!.evidence!.result).toBe('1 backup(s) made, no pg_dump (the step does not ask for dump: true)');
    expect(Object.keys(status.steps[0]!.evidence!.refs)).toEqual(['public.item']);
  });
});

const CHANGE = `
  - id: backup
    kind: backup
    title: Backup
    dump: false
    tables: [public.item]
  - id: fill
    kind: sql
    title: Fill org_id and make it NOT NULL
    sql: |
      UPDATE public.item SET org_id = 'org_b' WHERE org_id IS NULL;
      ALTER TABLE public.item ALTER COLUMN org_id SET NOT NULL;
`;

describe('a restore rehearsal must put something back', () => {
  it('fails when the table did not change since its backup, and passes (rolled back) on a table the run changed', async () => {
    await db.exec('ALTER TABLE item ALTER COLUMN org_id DROP NOT NULL');
    await db.exec("UPDATE item SET org_id = NULL WHERE id % 4 = 0");
    const rehearse = `  - id: rehearsal\n    kind: restore\n    title: Rehearse\n    backup: backup\n    table: public.org\n`;
    const idle = await run(`steps:\n  - id: backup\n    kind: backup\n    title: Backup\n    dump: false\n    tables: [public.org]\n${rehearse}`);
    expect(idle.steps[1]!.state).toBe('failed');
    expect(idle.steps[1]!.error).toMatch(/^the rehearsal restored 0 rows of public.org: nothing of it changed since backup \d+, so it proves nothing/);

    const changed = await run(`steps:\n${CHANGE.replace('SET NOT NULL', 'SET DEFAULT \'org_b\'')}  - id: rehearsal\n    kind: restore\n    title: Rehearse\n    backup: backup\n    table: public.item\n`);
    expect(changed.steps.map((s) => s.state), JSON.stringify(changed.steps.map((s) => s.error))).toEqual(['passed', 'passed', 'passed']);
    expect(changed.steps[2]!.evidence!.counts.updated).toBe(10);
    expect(changed.steps[2]!.evidence!.result).toMatch(/^dry run \(rolled back\): 10 row\(s\) put back/);
    // Rolled back: the run's change is still there.
    expect((await items()).filter((r) => r.org_id === null)).toEqual([]);
  });
});

describe('a rollback section', () => {
  const ROLLBACK = `rollback:
  - id: undo-not-null
    kind: sql
    title: org_id nullable again
    sql: ALTER TABLE public.item ALTER COLUMN org_id DROP NOT NULL
  - id: restore-item
    kind: restore
    title: item as it was
    backup: backup
    table: public.item
  - id: back-as-before
    kind: check
    title: The rows without org_id are back
    expect:
      sql: SELECT 1 FROM public.item WHERE org_id IS NULL HAVING count(*) <> 10
`;

  it('restores the backups and undoes the contract, journaled in the run; the run then never continues', async () => {
    await db.exec('ALTER TABLE item ALTER COLUMN org_id DROP NOT NULL');
    await db.exec('ALTER TABLE item ALTER COLUMN org_id DROP DEFAULT');
    await db.exec("UPDATE item SET org_id = CASE WHEN id % 4 = 0 THEN NULL ELSE 'org_a' END");
    const original = await items();
    const { text, runbook } = book(`steps:${CHANGE}${ROLLBACK}`);
    const file = path.join(runsDir, '..', 'rollback.yaml');
    const done = await runRunbook({ session, file, runbook, text, operator: 'tester', runsDir, ci: true });
    expect(done.complete).toBe(true);
    expect(done.rollback).toMatchObject({ startedAt: null, complete: false });
    expect((await items()).filter((r) => r.org_id === null)).toEqual([]);

    const back = await rollbackRun({ session, run: done.run, reason: 'smoke test failed', operator: 'dba', runsDir, ci: true });
    expect(back.rollback!.steps.map((s) => `${s.id} ${s.state}`), JSON.stringify(back.rollback!.steps.map((s) => s.error))).toEqual(['undo-not-null passed', 'restore-item passed', 'back-as-before passed']);
    expect(back.rollback).toMatchObject({ startedBy: 'dba', reason: 'smoke test failed', complete: true, next: null });
    expect(back.complete).toBe(false);
    expect(back.rollback!.steps[1]!.evidence!.result).toMatch(/^restored: 10 row\(s\) put back .* checksum verified \(backup side: (recorded|intact)\)$/);
    expect(await items()).toEqual(original);
    const nullable = await db.exec("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'org_id'");
    expect(nullable.rows[0].is_nullable).toBe('YES');

    // Journaled in the run's own journal, which still verifies; status reads it from the journal alone.
    expect(verifySignedJournal(path.join(runsDir, done.run), { run: done.run })).toMatchObject({ ok: true });
    const reread = readRun(done.run, runsDir).status;
    expect(reread.rollback!.complete).toBe(true);
    expect(reread.rollback!.steps.every((s) => s.durationMs !== null)).toBe(true);

    // The run's own steps never run again, and a second rollback has nothing left to do.
    await expect(runRunbook({ session, file, runbook, text, run: done.run, operator: 'tester', runsDir, ci: true })).rejects.toThrow(/^run .* is being rolled back \(tenancy runbook rollback\): its steps do not run again/);
    const again = await rollbackRun({ session, run: done.run, reason: 'again', operator: 'dba', runsDir, ci: true });
    expect(again.rollback!.complete).toBe(true);
    expect(await items()).toEqual(original);
  });

  it('a rollback that fails stops at its step, naming it, and continues from there', async () => {
    const { text, runbook } = book(`steps:${CHANGE}${ROLLBACK.replace(/ {2}- id: undo-not-null[\s\S]*?(?= {2}- id: restore-item)/, '')}`);
    await db.exec('ALTER TABLE item ALTER COLUMN org_id DROP NOT NULL');
    await db.exec("UPDATE item SET org_id = CASE WHEN id % 4 = 0 THEN NULL ELSE 'org_a' END");
    const done = await runRunbook({ session, file: path.join(runsDir, '..', 'rollback2.yaml'), runbook, text, operator: 'tester', runsDir, ci: true });
    expect(done.complete).toBe(true);
    const back = await rollbackRun({ session, run: done.run, reason: 'planted: no undo of NOT NULL', operator: 'dba', runsDir, ci: true });
    const failed = back.rollback!.steps.filter((s) => s.state === 'failed');
    expect(failed.map((s) => s.id)).toEqual(['restore-item']);
    expect(failed[0]!.error).toMatch(/column "org_id" of public.item is NOT NULL and the backup has no value for it/);
    expect(back.next!.step).toBe('restore-item');
    expect((await items()).filter((r) => r.org_id === null)).toEqual([]);
  });

  it('is refused for a runbook without one, and checked like the steps: ids, backups, SQL', async () => {
    const { text, runbook } = book(`steps:${CHANGE}`);
    await db.exec('ALTER TABLE item ALTER COLUMN org_id DROP NOT NULL');
    const done = await runRunbook({ session, file: path.join(runsDir, '..', 'none.yaml'), runbook, text, operator: 'tester', runsDir, ci: true });
    await expect(rollbackRun({ session, run: done.run, reason: 'x', operator: 'dba', runsDir, ci: true })).rejects.toThrow(/has no rollback: section/);
    const clash = parseRunbookText(`version: 1\ntitle: t\nsteps:${CHANGE}rollback:\n  - id: fill\n    kind: sql\n    title: t\n    sql: SELECT 1\n  - id: r\n    kind: restore\n    title: r\n    backup: fill\n    table: public.item\n  - id: m\n    kind: migrate\n    title: m\n    folder: x\n`);
    expect(clash.ok ? [] : clash.issues.map((i) => `${i.field}: ${i.message}`)).toEqual(['rollback[2].kind: a rollback step\'s kind must be one of manual, check, sql, restore, command, http, notify, rehearsal, got "migrate"']);
    const ids = parseRunbookText(`version: 1\ntitle: t\nsteps:${CHANGE}rollback:\n  - id: fill\n    kind: sql\n    title: t\n    sql: SELECT 1\n  - id: r\n    kind: restore\n    title: r\n    backup: fill\n    table: public.item\n`);
    expect(ids.ok ? [] : ids.issues.map((i) => `${i.field}: ${i.message}`)).toEqual([
      'rollback[0].id: step id "fill" is also a step of the run (steps[1]): rollback steps need their own ids',
      'rollback[1].backup: "fill" is not a backup step of the run',
    ]);
    const commit = book(`steps:${CHANGE}rollback:\n  - id: undo\n    kind: sql\n    title: t\n    sql: "COMMIT; DELETE FROM public.item"\n`);
    await expect(assertRunbookSql('x.yaml', commit.text, commit.runbook)).rejects.toThrow(/x.yaml:\d+:\d+ rollback\[0\]\.sql: /);
  });
});
