import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { adminUrl } from '../support/db.js';

const database = `rbcli_${process.pid}`;
let url: string;
let env: NodeJS.ProcessEnv;
let dir: string;
beforeAll(async () => {
  url = (await loadScenario(adminUrl(), demoScenario('drizzle')!, 500, { database, reuse: false })).url;
  dir = tempConfigDir();
  env = { TENANCY_CONFIG_DIR: dir, TENANCY_OPERATOR: 'dba-ann' };
}, 120_000);
afterAll(async () => {
  cleanCli();
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
  await c.end();
});

describe('tenancy runbook', () => {
  it('stops at a manual step, shows where it stopped, continues after sign-off, and proves the journal', async () => {
    const file = path.join(dir, 'my-runbook.yaml');
    const made = await runTenancy(['runbook', 'new', '--template', '000', '--out', file], env);
    expect(made.code).toBe(0);

    const first = await runTenancy(['runbook', 'run', file, '--url', url], env);
    expect(first.code).toBe(0);
    const run = /^run (run_\S+):/m.exec(first.stdout)![1]!;
    expect(first.stdout).toContain('[x] backup: Back up the domain tables - passed by dba-ann');
    expect(first.stdout).toContain('next: deploy: sign off "Code deploy with /sign-in, /org/select and route guards": --step deploy --yes-manual');

    const status = await runTenancy(['runbook', 'status', run], env);
    expect(status.stdout).toContain('[ ] backfill-lessons: Lessons take their student\'s organization - pending');
    expect(status.stdout).toContain('gate: waiting for deploy');

    const second = await runTenancy(['runbook', 'run', file, '--url', url, '--run', run, '--yes-manual', 'deploy 4711 live, smoke tests green'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('[x] deploy: Code deploy with /sign-in, /org/select and route guards - passed by dba-ann');
    expect(second.stdout).toContain('evidence: signed off: deploy 4711 live, smoke tests green');
    expect(second.stdout).toContain('complete: every step passed');
    expect(second.stderr).toMatch(/backfill bf_[0-9a-f]+: batch 1 committed/);

    // Every statement of the run is in the audit log under its id.
    const audit = await runTenancy(['audit', 'list', '--run', run, '--format', 'json'], env);
    expect((JSON.parse(audit.stdout) as unknown[]).length).toBeGreaterThan(20);

    expect((await runTenancy(['runbook', 'verify', run], env)).stdout).toMatch(/intact: \d+ lines/);
    const journal = path.join(dir, 'runs', run, 'journal.jsonl');
    const lines = fs.readFileSync(journal, 'utf8').split('\n');
    lines[3] = lines[3]!.replace('dba-ann', 'dba-bob');
    fs.writeFileSync(journal, lines.join('\n'));
    const broken = await runTenancy(['runbook', 'verify', run], env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('BROKEN at line 4: its content does not match its hash (edited)');
  }, 120_000);

  it('in --ci mode a manual step that is not pre-signed fails the run; a bad file names line and field', async () => {
    const file = path.join(dir, 'ci.yaml');
    fs.writeFileSync(file, 'version: 1\ntitle: CI\nsteps:\n  - id: ok\n    kind: manual\n    title: Approve\n    text: approve it\n');
    const r = await runTenancy(['runbook', 'run', file, '--url', url, '--ci'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[!] ok: Approve - failed');
    fs.writeFileSync(file, 'version: 1\ntitle: CI\nsteps:\n  - id: c\n    kind: check\n    title: C\n    expect: { no: [null-rows] }\n');
    const bad = await runTenancy(['runbook', 'run', file, '--url', url], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}:7:`);
    expect(bad.stderr).toContain('steps[0].expect.no[0]');
  }, 60_000);
});
