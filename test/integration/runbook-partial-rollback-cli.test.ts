/**
 * `tenancy runbook rollback --run ID --section NAME`: a named partial rollback (rollbacks:) runs
 * its own steps, stops at its sign-off, continues with the same command, is shown by `runbook
 * status`, and does not end the run (its steps can still continue); an unknown section is named.
 * `runbook follow-up` is refused before the follow-up is due, and status lists its due time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE item (id int PRIMARY KEY, org_id text NOT NULL);
    INSERT INTO item SELECT g, 'org_a' FROM generate_series(1, 20) g;
    CREATE INDEX item_org_id_idx ON item (org_id);
  `);
  dir = tempConfigDir();
  env = { TENANCY_CONFIG_DIR: dir, TENANCY_OPERATOR: 'dba-ann' };
});
afterAll(async () => {
  cleanCli();
  await db.drop();
});

const RUNBOOK = `version: 1
title: Partial rollbacks from the CLI
steps:
  - id: rls
    kind: sql
    title: RLS on item
    sql: ALTER TABLE public.item ENABLE ROW LEVEL SECURITY
rollbacks:
  indexes:
    - id: drop-index
      kind: sql
      title: The org index dropped
      sql: DROP INDEX public.item_org_id_idx
    - id: off-peak
      kind: manual
      title: Off-peak
      text: wait for off-peak
      checklist: [it is off-peak]
    - id: add-back
      kind: sql
      title: The org index added back
      sql: CREATE INDEX item_org_id_idx ON public.item (org_id)
followUps:
  day-1:
    afterDays: 1
    steps:
      - id: day1-rows
        kind: check
        title: Items still there a day later
        expect: { sql: "SELECT count(*) FROM public.item", rows: 1 }
`;

const hasIndex = async () => (await db.exec("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'item_org_id_idx'")).rows[0].n === 1;

describe('tenancy runbook rollback --section', () => {
  it('runs a named partial rollback to its sign-off, continues it, shows it in status, and leaves the run complete', async () => {
    const file = path.join(dir, 'partial.yaml');
    fs.writeFileSync(file, RUNBOOK);
    const ran = await runTenancy(['runbook', 'run', file, '--url', db.url, '--write'], env);
    expect(ran.code, ran.stderr).toBe(0);
    const run = /^run (\S+):/.exec(ran.stdout)![1]!;

    const unknown = await runTenancy(['runbook', 'rollback', '--run', run, '--section', 'rls', '--url', db.url, '--write', '--reason', 'x'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`--section rls: the runbook of run ${run} has the partial rollbacks indexes`);

    const held = await runTenancy(['runbook', 'rollback', '--run', run, '--section', 'indexes', '--url', db.url, '--write', '--reason', 'writes slow'], env);
    expect(held.code, held.stderr).toBe(1);
    expect(held.stderr).toContain('drop-index: SQL:\n    DROP INDEX public.item_org_id_idx');
    expect(held.stdout).toMatch(/partial rollback indexes, started by dba-ann .* at \S+: writes slow \(next: off-peak: sign each checklist line of "Off-peak"/);
    expect(await hasIndex()).toBe(false);

    const done = await runTenancy(['runbook', 'rollback', '--run', run, '--section', 'indexes', '--url', db.url, '--write', '--sign', 'off-peak:1=02:00, no traffic'], env);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('(every step passed)');
    expect(done.stdout).toContain('complete: every step passed');
    expect(await hasIndex()).toBe(true);

    const status = await runTenancy(['runbook', 'status', run, '--format', 'json'], env);
    const view = JSON.parse(status.stdout) as { status: { complete: boolean; partialRollbacks: Record<string, { complete: boolean; reason: string }> } };
    expect(view.status.complete).toBe(true);
    expect(view.status.partialRollbacks.indexes).toMatchObject({ complete: true, reason: 'writes slow' });
    // Follow-ups: listed with their due time, refused before it.
    expect(done.stdout).toMatch(/^follow-up day-1: due at \S+$/m);
    const early = await runTenancy(['runbook', 'follow-up', '--run', run, '--name', 'day-1', '--url', db.url, '--write'], env);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/follow-up day-1 of run \S+ is due at \S+ \(1 day\(s\) after the run completed\); run it then/);
    // Not the whole way back: the run can still be continued.
    const again = await runTenancy(['runbook', 'run', file, '--url', db.url, '--write', '--run', run], env);
    expect(again.code, again.stderr).toBe(0);
    expect((await runTenancy(['runbook', 'verify', run], env)).code).toBe(0);
  }, 120_000);
});
