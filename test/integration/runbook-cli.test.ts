import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_OUTPUT } from '../../shared/cli-output.js';
import { loadScenario } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { cleanCli, runTenancy, spawnTenancy, tempConfigDir } from '../support/cli.js';
import { adminUrl } from '../support/db.js';
import { fakePrograms, startFakeApp, type FakeApp } from '../support/fake-app.js';
import { withoutDumps } from '../support/pg-dump.js';
import { pgDumpCanDumpUrl } from '../support/template-run.js';

const database = `rbcli_${process.pid}`;
let url: string;
let env: NodeJS.ProcessEnv;
let dir: string;
/** Template 000's application steps check this fake app and run the fake `pnpm`. */
let app: FakeApp;
beforeAll(async () => {
  app = await startFakeApp();
  url = (await loadScenario(adminUrl(), demoScenario('drizzle')!, 500, { database, reuse: false })).url;
  dir = tempConfigDir();
  env = { TENANCY_CONFIG_DIR: dir, TENANCY_OPERATOR: 'dba-ann' };
}, 120_000);
afterAll(async () => {
  await app?.close();
  cleanCli();
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
  await c.end();
});

async function waitFor<T>(what: string, probe: () => Promise<T | null>, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('tenancy runbook', () => {
  it('needs --write, prints every write\'s SQL, signs each checklist line on its own, and proves the journal', async () => {
    const file = path.join(dir, 'my-runbook.yaml');
    const made = await runTenancy(['runbook', 'new', '--template', '000', '--out', file], env);
    expect(made.code).toBe(0);
    // Where this machine's pg_dump is older than the server, the backup step keeps only its tables.
    if (!(await pgDumpCanDumpUrl(url))) fs.writeFileSync(file, withoutDumps(fs.readFileSync(file, 'utf8')));
    expect((await runTenancy(['runbook', 'validate', file], env)).stdout).toContain(`${file}: 24 step(s), valid`);

    const noWrite = await runTenancy(['runbook', 'run', file, '--url', url], env);
    expect(noWrite.code).toBe(2);
    expect(noWrite.stderr).toContain('runbook run writes to the database: pass --write');
    expect(fs.existsSync(path.join(dir, 'runs'))).toBe(false);

    const first = await runTenancy(['runbook', 'run', file, '--url', url, '--write'], env);
    expect(first.code, first.stderr).toBe(0);
    const run = /^run (run_\S+):/m.exec(first.stdout)![1]!;
    expect(first.stdout).toMatch(/\[x\] backup: Back up the domain tables - passed by dba-ann \(override; os user \S+\) at \S+ in \d/);
    expect(first.stdout).toContain('next: deploy: sign each checklist line of "Code deploy with /sign-in, /org/select and route guards": --sign deploy:1="what you checked" --sign deploy:2="what you checked"');

    const status = await runTenancy(['runbook', 'status', run], env);
    expect(status.stdout).toContain('[ ] backfill-lessons: Lessons written without organization_id take their student\'s - pending');
    expect(status.stdout).toContain('gate: waiting for deploy');

    // One note does not tick every line.
    const oneNote = await runTenancy(['runbook', 'run', file, '--url', url, '--write', '--run', run, '--yes-manual', 'all good'], env);
    expect(oneNote.stdout).toContain('[ ] deploy: Code deploy with /sign-in, /org/select and route guards - pending');
    const partly = await runTenancy(['runbook', 'run', file, '--url', url, '--write', '--run', run, '--sign', 'deploy:1=guards live in build 4711'], { ...env, TENANCY_OPERATOR: 'dba-bob' });
    expect(partly.stdout).toContain('[x] 1. /sign-in, /org/select and app route guards are live - signed by dba-bob (override; os user');
    expect(partly.stdout).toContain('[ ] 2. every mutation checks ownership');
    expect(partly.stdout).toContain('next: deploy: sign each checklist line of "Code deploy with /sign-in, /org/select and route guards": --sign deploy:2="what you checked"');

    // The application steps: the deploy checked over http, the team's smoke tests run (--allow-commands).
    const appEnv = { ...env, ...app.env, ...fakePrograms().env };
    const second = await runTenancy(['runbook', 'run', file, '--url', url, '--write', '--run', run, '--sign', 'deploy:2=ownership checks reviewed in build 4711', '--allow-commands'], appEnv);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('complete: every step passed');
    expect(second.stderr).toMatch(/backfill bf_[0-9a-f]+: batch 1 committed/);
    // Every write's full SQL, before it runs.
    expect(second.stderr).toMatch(/contract: SQL:\n {4}ALTER TABLE .*"students".* ALTER COLUMN "organization_id" SET NOT NULL/);
    expect(second.stderr).toMatch(/migrate-0008: SQL:\n {4}-- migration 0008_remove_bootstrap_org_defaults \(0008_remove_bootstrap_org_defaults\.sql\)\n[\s\S]*?\n {4}ALTER TABLE "students" ALTER COLUMN "organization_id" DROP DEFAULT;\n/);
    expect(second.stderr).toContain('inserts-must-fail: SQL:\n    INSERT INTO students (first_name, last_name, email, grade) VALUES (\'Probe\', \'Row\', \'probe@example.test\', 1) -- probe, rolled back');

    // Every statement of the run is in the audit log under its id.
    const audit = await runTenancy(['audit', 'list', '--run', run, '--format', 'json'], env);
    expect(CLI_OUTPUT['audit list'].parse(JSON.parse(audit.stdout)).entries.length).toBeGreaterThan(20);

    const intact = await runTenancy(['runbook', 'verify', run, '--url', url], env);
    expect(intact.stdout, intact.stderr).toMatch(/intact: (\d+) lines, head [0-9a-f]{64}, every line signed by key [0-9a-f]{16}; the target database's head is line \1/);
    const exported = path.join(dir, 'export.json');
    const ex = await runTenancy(['runbook', 'export', run, '--out', exported], env);
    expect(ex.stdout).toMatch(/export\.json: (\d+) lines, \1 signed heads, key [0-9a-f]{16}/);
    expect(JSON.parse(fs.readFileSync(exported, 'utf8'))).toMatchObject({ run, verification: { ok: true } });
    const wrongKey = await runTenancy(['runbook', 'verify', run, '--expect-key', 'ffffffffffffffff'], env);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/BROKEN at line 1: signed with key [0-9a-f]{16}, not the expected key ffffffffffffffff/);

    const journal = path.join(dir, 'runs', run, 'journal.jsonl');
    const lines = fs.readFileSync(journal, 'utf8').split('\n');
    lines[3] = lines[3]!.replace('dba-ann', 'dba-eve');
    fs.writeFileSync(journal, lines.join('\n'));
    const broken = await runTenancy(['runbook', 'verify', run], env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('BROKEN at line 4: its content does not match its hash (edited)');
  }, 180_000);

  it('a second runbook run --run ID while the first runs is refused and leaves the first run\'s journal intact', async () => {
    const file = path.join(dir, 'held.yaml');
    fs.writeFileSync(file, 'version: 1\ntitle: Held\nsteps:\n  - id: touch\n    kind: sql\n    title: Touch a student\n    sql: UPDATE students SET grade = grade WHERE id = 1\n');
    const password = new URL(url).password;
    const add = await runTenancy(['profile', 'add', 'held', '--url', url, '--lock-timeout-ms', '0'], env);
    expect(add.code, add.stderr).toBe(0);
    const penv = { ...env, PGPASSWORD: password };
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    // A second client looks: pg_stat_activity is a snapshot inside the holder's transaction.
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM students WHERE id = 1 FOR UPDATE');
      const before = new Set(fs.existsSync(path.join(dir, 'runs')) ? fs.readdirSync(path.join(dir, 'runs')) : []);
      const child = await spawnTenancy(['runbook', 'run', file, '--profile', 'held', '--write'], penv);
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const done = new Promise<number | null>((r) => child.on('close', r));
      // Wait until the first run's UPDATE waits on our row lock.
      await waitFor('the first run to wait on the row lock', async () => {
        const r = await watcher.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE students%'");
        if (child.exitCode !== null) throw new Error(`the first run ended: ${out} ${err}`);
        return r.rowCount ? true : null;
      });
      const id = fs.readdirSync(path.join(dir, 'runs')).find((d) => !before.has(d))!;
      const journal = path.join(dir, 'runs', id, 'journal.jsonl');
      const held = fs.readFileSync(journal, 'utf8');
      const refused = await runTenancy(['runbook', 'run', file, '--profile', 'held', '--write', '--run', id], penv);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(new RegExp(`run ${id} is being run by process \\d+; wait for it or stop it`));
      expect(fs.readFileSync(journal, 'utf8')).toBe(held);
      await holder.query('COMMIT');
      expect(await done).toBe(0);
      expect(out).toContain('complete: every step passed');
      expect((await runTenancy(['runbook', 'verify', id], env)).stdout).toMatch(/intact: \d+ lines/);
    } finally {
      await holder.end();
      await watcher.end();
    }
  }, 120_000);

  it('on production, --write also needs --confirm-db with the database name; refused before anything is journaled', async () => {
    const file = path.join(dir, 'prod.yaml');
    fs.writeFileSync(file, 'version: 1\ntitle: Prod\nsteps:\n  - id: c\n    kind: check\n    title: C\n    expect: { sql: "SELECT 1 WHERE false" }\n');
    const add = await runTenancy(['profile', 'add', 'prod', '--url', url, '--env', 'production'], env);
    expect(add.code, add.stderr).toBe(0);
    const penv = { ...env, PGPASSWORD: new URL(url).password };
    const runs = () => (fs.existsSync(path.join(dir, 'runs')) ? fs.readdirSync(path.join(dir, 'runs')).length : 0);
    const before = runs();
    const refused = await runTenancy(['runbook', 'run', file, '--profile', 'prod', '--write'], penv);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`write mode on production needs confirmation: type the database name "${database}"`);
    expect(runs()).toBe(before);
    const ok = await runTenancy(['runbook', 'run', file, '--profile', 'prod', '--write', '--confirm-db', database], penv);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('complete: every step passed');
  }, 60_000);

  it('in --ci mode a manual step that cannot be signed fails the run; a pre-signed or bad file names line and field', async () => {
    const file = path.join(dir, 'ci.yaml');
    fs.writeFileSync(file, 'version: 1\ntitle: CI\nsteps:\n  - id: ok\n    kind: manual\n    title: Approve\n    text: approve it\n');
    const r = await runTenancy(['runbook', 'run', file, '--url', url, '--ci', '--write'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[!] ok: Approve - failed');
    fs.writeFileSync(file, 'version: 1\ntitle: CI\nsteps:\n  - id: ok\n    kind: manual\n    title: Approve\n    text: approve it\n    signedOff: { operator: ci-gate, note: approved }\n');
    const pre = await runTenancy(['runbook', 'run', file, '--url', url, '--ci', '--write'], env);
    expect(pre.code).toBe(2);
    expect(pre.stderr).toContain(`${file}:8:16 steps[0].signedOff: a sign-off written into the runbook is never a sign-off`);
    fs.writeFileSync(file, 'version: 1\ntitle: CI\nsteps:\n  - id: c\n    kind: check\n    title: C\n    expect: { no: [null-rows] }\n');
    const bad = await runTenancy(['runbook', 'run', file, '--url', url, '--write'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}:7:`);
    expect(bad.stderr).toContain('steps[0].expect.no[0]');
  }, 60_000);

  it('an approval in GitHub Actions records the CI\'s actor, run and workflow; outside it, it fails in --ci', async () => {
    const file = path.join(dir, 'approval.yaml');
    fs.writeFileSync(file, 'version: 1\ntitle: Approval\nsteps:\n  - id: approve\n    kind: manual\n    title: Approved\n    text: the production environment\'s reviewers approve\n    approval: { environment: production }\n');
    const plain = await runTenancy(['runbook', 'run', file, '--url', url, '--ci', '--write'], env);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('approval: not running in GitHub Actions (GITHUB_ACTOR, GITHUB_RUN_ID, GITHUB_WORKFLOW are not set)');
    const gh = { GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'octo-reviewer', GITHUB_RUN_ID: '987654', GITHUB_WORKFLOW: 'tenant-migrations', GITHUB_REPOSITORY: 'acme/app' };
    const wrongEnv = await runTenancy(['runbook', 'run', file, '--url', url, '--ci', '--write'], { ...env, ...gh, GITHUB_ENVIRONMENT: 'staging' });
    expect(wrongEnv.stdout).toContain('approval: the job must run in the GitHub environment "production" (GITHUB_ENVIRONMENT is staging)');
    const ok = await runTenancy(['runbook', 'run', file, '--url', url, '--ci', '--write', '--format', 'json'], { ...env, ...gh, GITHUB_ENVIRONMENT: 'production' });
    expect(ok.code, ok.stderr).toBe(0);
    const st = CLI_OUTPUT['runbook run'].parse(JSON.parse(ok.stdout)).status;
    expect(st.complete).toBe(true);
    expect(st.steps[0]!.operator).toBe('octo-reviewer (github-actions run 987654)');
    expect(st.steps[0]!.evidence!.result).toBe('approved in CI by octo-reviewer (environment production)');
    expect(st.steps[0]!.evidence!.refs).toMatchObject({ actor: 'octo-reviewer', runId: '987654', workflow: 'tenant-migrations' });
  }, 60_000);
});
