/**
 * `notify` and `rehearsal` steps on real PostgreSQL. A notify step POSTs {text, run, step,
 * runbook} to the webhook in the environment and fails when the variable is unset or the webhook
 * answers non-2xx (its URL, secret path and all, never reaches the journal). A rehearsal step on
 * production passes only once the same runbook (same steps) completed on staging: no staging run,
 * a failed staging run, a staging run of another version, a stale one and one whose journal was
 * edited each fail naming what is missing; the completed rehearsal passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runbook, RunStatus, StepStatus } from '../../shared/runbook.js';
import { Journal } from '../../main/engine/runbook/journal.js';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';
import { runRehearsalStep } from '../../main/engine/runbook/rehearsal-step.js';
import { runRunbook } from '../../main/engine/runbook/run.js';
import type { Session } from '../../main/engine/session.js';
import { tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startFakeApp, type FakeApp } from '../support/outside.js';

let stagingDb: TestDatabase;
let productionDb: TestDatabase;
let staging: Session;
let production: Session;
let hook: FakeApp;
let hookStatus = 200;
let dir: string;
let runsDir: string;

const FIXTURE = "CREATE TABLE org (id text PRIMARY KEY); INSERT INTO org VALUES ('org_a');";

beforeAll(async () => {
  stagingDb = await createTestDatabase(`${FIXTURE} INSERT INTO org VALUES ('bad org');`);
  productionDb = await createTestDatabase(FIXTURE);
  staging = await stagingDb.session({ name: 'app-staging', environment: 'staging' });
  production = await productionDb.session({ name: 'app-production', environment: 'production' });
  await staging.enableWrite();
  await production.enableWrite(productionDb.name);
  hook = await startFakeApp((r) => (r.url.startsWith('/hooks/') ? { status: hookStatus, body: hookStatus === 200 ? 'ok' : 'no' } : null));
  dir = tempConfigDir();
  runsDir = path.join(dir, 'runs');
}, 120_000);
afterAll(async () => {
  await hook.close();
  await stagingDb.drop();
  await productionDb.drop();
});

const RUNBOOK = (extra = '') => `version: 1
title: Tenant cutover
steps:
  - id: rehearsed
    kind: rehearsal
    title: Rehearsed on staging
    environment: staging
    withinDays: 14
  - id: no-bad-orgs
    kind: check
    title: No org id with a space
    expect: { sql: "SELECT id FROM org WHERE id LIKE '% %'", rows: 0 }
${extra}`;

async function run(session: Session, text: string, o: { run?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunStatus> {
  const parsed = parseRunbookText(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const file = path.join(dir, 'cutover.yaml');
  fs.writeFileSync(file, text);
  return runRunbook({ session, file, runbook: parsed.runbook, text, run: o.run, operator: 'dba-ann', runsDir, env: o.env ?? process.env });
}

const step = (s: RunStatus, id: string): StepStatus => s.steps.find((x) => x.id === id)!;

describe('rehearsal steps', () => {
  it('production waits for a completed staging run of the same runbook; each gap is named', async () => {
    // No staging run yet.
    const none = await run(production, RUNBOOK());
    expect(step(none, 'rehearsed').error).toBe('no completed run on staging: no run of "Tenant cutover" recorded environment staging');
    expect(step(none, 'no-bad-orgs').state).toBe('pending');

    // The staging run: the rehearsal step is the staging run itself; it fails at the planted bad row.
    const stagingRun = await run(staging, RUNBOOK());
    expect(step(stagingRun, 'rehearsed').state).toBe('passed');
    expect(step(stagingRun, 'rehearsed').evidence!.result).toBe('this run is on staging: it is the rehearsal (a run elsewhere passes this step once this one completes)');
    expect(step(stagingRun, 'no-bad-orgs').state).toBe('failed');
    const failed = await run(production, RUNBOOK());
    expect(step(failed, 'rehearsed').error).toBe(`the staging run ${stagingRun.run} failed at step no-bad-orgs: the query returned 1 row(s), expected 0: (bad org)`);

    // Fixed on staging, the same run continued to completion: production may go.
    await stagingDb.exec("DELETE FROM org WHERE id = 'bad org'");
    const completed = await run(staging, RUNBOOK(), { run: stagingRun.run });
    expect(completed.complete).toBe(true);
    const ok = await run(production, RUNBOOK());
    expect(step(ok, 'rehearsed').state).toBe('passed');
    expect(step(ok, 'rehearsed').evidence!.refs.run).toBe(stagingRun.run);
    expect(step(ok, 'rehearsed').evidence!.result).toMatch(new RegExp(`^run ${stagingRun.run} on staging \\(database ${stagingDb.name}\\) completed every step at \\S+ \\(0 day\\(s\\) ago, within 14\\); same runbook version$`));
    expect(ok.complete).toBe(true);

    // Another version of the runbook (one more step): the staging rehearsal no longer counts.
    const changed = RUNBOOK('  - id: one-more\n    kind: check\n    title: One more\n    expect: { sql: "SELECT 1 WHERE false" }\n');
    const other = await run(production, changed);
    expect(step(other, 'rehearsed').error).toMatch(new RegExp(`^the staging run ${stagingRun.run} ran another version of the runbook \\(steps sha256 [0-9a-f]{12}, this one [0-9a-f]{12}\\): rehearse this version on staging$`));

    // Too long ago.
    const parsed = parseRunbookText(RUNBOOK());
    const runbook = (parsed as { runbook: Runbook }).runbook;
    const rehearsal = runbook.steps[0] as Extract<Runbook['steps'][number], { kind: 'rehearsal' }>;
    const later = new Date(Date.now() + 15 * 86_400_000);
    expect(() => runRehearsalStep(rehearsal, { runsDir, run: ok.run, title: runbook.title, steps: runbook.steps, environment: 'production', now: later }))
      .toThrow(new RegExp(`^the staging run ${stagingRun.run} completed 15 day\\(s\\) ago \\(\\S+\\), more than withinDays 14: rehearse again$`));
    expect(runRehearsalStep(rehearsal, { runsDir, run: ok.run, title: runbook.title, steps: runbook.steps, environment: 'production' }).refs.run).toBe(stagingRun.run);

    // An edited staging journal proves nothing.
    const file = path.join(runsDir, stagingRun.run, 'journal.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[lines.length - 2] = lines[lines.length - 2]!.replace('"dba-ann"', '"dba-eve"');
    fs.writeFileSync(file, lines.join('\n'));
    expect(() => Journal.open(stagingRun.run, runsDir)).toThrow(/broken/);
    const edited = await run(production, RUNBOOK());
    expect(step(edited, 'rehearsed').error).toMatch(new RegExp(`^the staging run ${stagingRun.run}'s journal does not verify \\(.*\\): see tenancy runbook verify ${stagingRun.run}$`));
  }, 120_000);
});

const NOTIFY = `version: 1
title: Window notice
steps:
  - id: notify-start
    kind: notify
    title: Notify users of the window
    webhookEnv: MAINTENANCE_WEBHOOK_URL
    message: "Maintenance on {database} starts now (run {run}, {environment})"
`;

describe('notify steps', () => {
  it('posts the message to the webhook from the environment; an unset variable and a non-2xx answer fail', async () => {
    const secretUrl = `${hook.url}/hooks/T000-s3cr3t-path`;
    const unset = await run(production, NOTIFY, { env: {} });
    expect(step(unset, 'notify-start').error).toBe('${MAINTENANCE_WEBHOOK_URL} is not set (step notify-start, webhookEnv): export the webhook URL before the run');
    expect(hook.received.length).toBe(0);

    hookStatus = 500;
    const refused = await run(production, NOTIFY, { env: { MAINTENANCE_WEBHOOK_URL: secretUrl } });
    expect(step(refused, 'notify-start').error).toBe(`the webhook at ${new URL(hook.url).host} answered 500, expected 2xx: nobody was told`);

    hookStatus = 200;
    const sent = await run(production, NOTIFY, { env: { MAINTENANCE_WEBHOOK_URL: secretUrl } });
    const st = step(sent, 'notify-start');
    expect(st.state).toBe('passed');
    expect(st.evidence!.refs.host).toBe(new URL(hook.url).host);
    expect(st.evidence!.refs.status).toBe('200');
    const got = hook.received.at(-1)!;
    expect(got.method).toBe('POST');
    expect(got.headers['content-type']).toBe('application/json');
    expect(JSON.parse(got.body)).toEqual({ text: `Maintenance on ${productionDb.name} starts now (run ${sent.run}, production)`, run: sent.run, step: 'notify-start', runbook: 'Window notice' });
    // The webhook's URL (its secret path) is in no journal.
    for (const r of [unset, refused, sent]) expect(fs.readFileSync(path.join(runsDir, r.run, 'journal.jsonl'), 'utf8')).not.toContain('s3cr3t');
  }, 60_000);
});
