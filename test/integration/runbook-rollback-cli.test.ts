/**
 * The CLI of backups, rollback and expected times: `runbook verify` checks the pg_dump files,
 * `runbook rollback` needs --write and a reason, prints every write's SQL, journals into the run and
 * leaves the rows as before; `runbook run --run` is then refused; `runbook plan --from-run` and
 * `status --expected-from` print the expected time per step.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { pgDumpCanDump } from '../support/pg-dump.js';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
let dir: string;
let dumps: boolean;
beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE org (id text PRIMARY KEY);
    INSERT INTO org VALUES ('org_a'), ('org_b');
    CREATE TABLE item (id int PRIMARY KEY, label text NOT NULL, org_id text);
    INSERT INTO item SELECT g, 'item ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'org_a' END FROM generate_series(1, 30) g;
  `);
  const s = await db.session();
  dumps = await pgDumpCanDump(s);
  await s.close();
  dir = tempConfigDir();
  env = { TENANCY_CONFIG_DIR: dir, TENANCY_OPERATOR: 'dba-ann' };
});
afterAll(async () => {
  cleanCli();
  await db.drop();
});

const RUNBOOK = (dump: boolean) => `version: 1
title: Rollback from the CLI
steps:
  - id: backup
    kind: backup
    title: Backup
    dump: ${dump}
    tables: [public.item]
  - id: fill
    kind: sql
    title: Fill org_id, NOT NULL
    sql: |
      UPDATE public.item SET org_id = 'org_b' WHERE org_id IS NULL;
      ALTER TABLE public.item ALTER COLUMN org_id SET NOT NULL
rollback:
  - id: undo-not-null
    kind: sql
    title: org_id nullable again
    sql: ALTER TABLE public.item ALTER COLUMN org_id DROP NOT NULL
  - id: restore-item
    kind: restore
    title: item as it was
    backup: backup
    table: public.item
`;

describe('tenancy runbook rollback, verify and plan', () => {
  it('runs, verifies the dumps, rolls back with --write and a reason, refuses to continue, and prints expected times', async () => {
    const file = path.join(dir, 'rollback.yaml');
    fs.writeFileSync(file, RUNBOOK(dumps));
    const before = (await db.exec('SELECT md5(string_agg(i::text, \',\' ORDER BY id)) AS h FROM item i')).rows[0].h;
    const ran = await runTenancy(['runbook', 'run', file, '--url', db.url, '--write'], env);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('complete: every step passed');
    expect(ran.stdout).toContain('rollback (not started; tenancy runbook rollback --run');
    const run = /^run (\S+):/.exec(ran.stdout)![1]!;

    const verified = await runTenancy(['runbook', 'verify', run], env);
    expect(verified.code, verified.stdout).toBe(0);
    if (dumps) {
      expect(verified.stdout).toContain('pg_dump files: 1 match the sha256 the journal recorded');
      const dump = fs.readdirSync(path.join(dir, 'runs', run, 'dumps'))[0]!;
      const dumpFile = path.join(dir, 'runs', run, 'dumps', dump);
      const kept = fs.readFileSync(dumpFile);
      fs.appendFileSync(dumpFile, '-- changed\n');
      const broken = await runTenancy(['runbook', 'verify', run], env);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/pg_dump of public\.item \(step backup\) does NOT verify: the dump file .* has sha256 .* \(changed since the backup\)/);
      fs.writeFileSync(dumpFile, kept);
    }

    const noWrite = await runTenancy(['runbook', 'rollback', '--run', run, '--url', db.url], env);
    expect(noWrite.code).toBe(2);
    expect(noWrite.stderr).toContain('runbook rollback writes to the database: pass --write');
    const noReason = await runTenancy(['runbook', 'rollback', '--run', run, '--url', db.url, '--write'], env);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('say why the run is rolled back: --reason');

    const back = await runTenancy(['runbook', 'rollback', '--run', run, '--url', db.url, '--write', '--reason', 'smoke tests red'], env);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain('undo-not-null: SQL:\n    ALTER TABLE public.item ALTER COLUMN org_id DROP NOT NULL');
    expect(back.stdout).toMatch(/rollback, started by dba-ann \(override; os user \S+\) at \S+: smoke tests red/);
    expect(back.stdout).toContain('rolled back: every rollback step passed');
    expect((await db.exec('SELECT md5(string_agg(i::text, \',\' ORDER BY id)) AS h FROM item i')).rows[0].h).toBe(before);

    const status = await runTenancy(['runbook', 'status', run, '--expected-from', run], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/\[x\] restore-item: item as it was - passed by dba-ann \(override; os user \S+\) at \S+ in \d/);
    expect(status.stdout).toMatch(/expected times \(from run \S+\):\n {2}backup: [\d.]+ m?s - reference \d+ ms x 1\.00 \(public\.item: \d+ bytes here, \d+ in the reference run\)/);
    expect(status.stdout).toContain('  fill: ');
    const again = await runTenancy(['runbook', 'run', file, '--url', db.url, '--write', '--run', run], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`run ${run} is being rolled back (tenancy runbook rollback): its steps do not run again`);
    expect((await runTenancy(['runbook', 'verify', run], env)).code).toBe(0);

    const plan = await runTenancy(['runbook', 'plan', file, '--url', db.url, '--from-run', run, '--format', 'json'], env);
    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout) as { steps: { id: string; factor: number | null; expectedMs: number | null }[] };
    expect(planned.steps.map((s) => s.id)).toEqual(['backup', 'fill', 'undo-not-null', 'restore-item']);
    expect(planned.steps[0]!.factor).toBeGreaterThan(0);
    expect(planned.steps[1]!.factor).toBeNull();
  }, 120_000);
});
