import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { readRunbook } from '../../main/engine/runbook/parse.js';
import { runRunbook } from '../../main/engine/runbook/run.js';
import { verifyJournalFile } from '../../main/engine/runbook/journal.js';
import { verifySignedJournal } from '../../main/engine/runbook/head.js';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { loadModel } from '../../main/engine/model/load.js';
import { adminUrl } from '../support/db.js';
import { pgDumpCanDump, withoutDumps } from '../support/pg-dump.js';
import { tempConfigDir } from '../support/cli.js';
import pg from 'pg';

const TEMPLATES = path.resolve(import.meta.dirname, '../../runbooks/templates');
const made: string[] = [];
afterAll(async () => {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  for (const d of made) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(d)} WITH (FORCE)`);
  await c.end();
});

const CASES = [
  ['000-drizzle-two-phase.yaml', 'drizzle'],
  ['001-supabase-organizations.yaml', 'supabase'],
  ['002-prisma-ci-strict.yaml', 'prisma'],
  ['003-credentials-legacy-map.yaml', 'credentials'],
  ['004-inventory-not-null-balances.yaml', 'inventory'],
] as const;

describe('the five reference runbooks as templates', () => {
  it.each(CASES)('%s runs to completion against the %s scenario and leaves its promised checks clean', async (file, scenarioId) => {
    const scenario = demoScenario(scenarioId)!;
    const database = `rb_${scenarioId}_${process.pid}`;
    made.push(database);
    const db = await loadScenario(adminUrl(), scenario, 2000, { database, reuse: false });
    const runsDir = path.join(tempConfigDir(), 'runs');
    const { profile, urlPassword } = profileFromUrl(db.url, { statementTimeoutMs: 120_000 });
    const session = await Session.open(profile, { password: urlPassword });
    await session.enableWrite();
    // Where this machine's pg_dump is older than the server, the backup steps keep only their tables.
    const original = readRunbook(path.join(TEMPLATES, file)).text;
    const edited = (await pgDumpCanDump(session)) ? original : withoutDumps(original);
    const parsedTemplate = parseRunbookText(edited);
    if (!parsedTemplate.ok) throw new Error(JSON.stringify(parsedTemplate.issues));
    const { runbook, text } = parsedTemplate;
    const log: string[] = [];
    try {
      const status = await runRunbook({
        session, file: path.join(TEMPLATES, file), runbook, text, operator: 'template-test', runsDir, ci: true,
        env: { GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'octo-approver', GITHUB_RUN_ID: '4242', GITHUB_WORKFLOW: 'tenant-migrations', GITHUB_ENVIRONMENT: 'production' },
        signOff: (s) => ({ note: s.checklist.length ? undefined : `rehearsal: ${s.title}`, lines: Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) }),
        onStep: (s, state, detail) => log.push(`${s.id} ${state} ${detail ?? ''}`),
      });
      expect(status.steps.filter((s) => s.state !== 'passed').map((s) => `${s.id}: ${s.error}`), log.join('\n')).toEqual([]);
      expect(status.complete).toBe(true);
      expect(verifyJournalFile(path.join(runsDir, status.run, 'journal.jsonl'))).toMatchObject({ ok: true, brokenAt: null });
      expect(verifySignedJournal(path.join(runsDir, status.run), { run: status.run })).toMatchObject({ ok: true, brokenAt: null });
      // Every step that ran records how long it took.
      expect(status.steps.filter((s) => s.kind !== 'manual' && s.durationMs === null).map((s) => s.id)).toEqual([]);
      const reports = fs.readdirSync(path.join(runsDir, status.run)).filter((f) => f.startsWith('report-'));
      expect(reports).toHaveLength(1);
      // The final check run, independently of the runbook: the promised checks are clean.
      const model = await loadModel(session, { ...runbook.settings.tenancy });
      const run = await runChecks(session, model, { mode: 'exact', rlsRole: runbook.settings.rlsRole, rlsSetting: runbook.settings.rlsSetting });
      expect(runbook.promises.length).toBeGreaterThan(0);
      expect(run.findings.filter((f) => runbook.promises.includes(f.check)).map((f) => `${f.check} ${f.table}`)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 180_000);
});

const withoutNotNull = (t: string) => t.replace('steps: [not-null, unique]', 'steps: [unique]');
const PLANTED: [string, string, string, (text: string) => string, string, RegExp][] = [
  ['000-drizzle-two-phase.yaml', 'drizzle', 'organization_id left nullable (no NOT NULL step)', withoutNotNull, 'column-hardening',
    /^the query returned 1 row\(s\), expected 0$/],
  ['000-drizzle-two-phase.yaml', 'drizzle', 'organization_id left nullable and the hardening check removed', (t) => withoutNotNull(t).replace(/ {2}- id: column-hardening\n[\s\S]*?(?= {2}- id: inserts-must-fail)/, ''), 'inserts-must-fail',
    /^the write probe succeeded \(rolled back\); it must fail with not_null_violation \(23502\) on column organization_id$/],
  ['002-prisma-ci-strict.yaml', 'prisma', 'the default tenant put back on tenantId', (t) => t.replace('  - id: strict-mode\n', '  - id: plant-default\n    kind: sql\n    title: Planted - the default tenant is back\n    sql: ALTER TABLE "ApiKey" ALTER COLUMN "tenantId" SET DEFAULT \'tenant_default\'\n  - id: strict-mode\n'), 'strict-mode',
    /^the (write probe succeeded \(rolled back\)|probe failed for another reason: .*); it must fail with not_null_violation \(23502\) on column tenantId$/],
];

describe('the templates stop at the step whose defect is planted', () => {
  it.each(PLANTED)('%s (%s) with %s stops at the step that catches it', async (file, scenarioId, _what, plant, stopAt, message) => {
    const database = `rb_planted_${scenarioId}_${stopAt.replace(/-/g, '_')}_${process.pid}`;
    made.push(database);
    const db = await loadScenario(adminUrl(), demoScenario(scenarioId)!, 500, { database, reuse: false });
    const original = fs.readFileSync(path.join(TEMPLATES, file), 'utf8');
    const text = plant(original);
    expect(text).not.toBe(original);
    const parsed = parseRunbookText(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const { profile, urlPassword } = profileFromUrl(db.url, { statementTimeoutMs: 120_000 });
    const session = await Session.open(profile, { password: urlPassword });
    await session.enableWrite();
    // Where this machine's pg_dump is older than the server, the backup steps keep only their tables.
    const runnableText = (await pgDumpCanDump(session)) ? text : withoutDumps(text);
    const runnable = parseRunbookText(runnableText);
    if (!runnable.ok) throw new Error(JSON.stringify(runnable.issues));
    try {
      const status = await runRunbook({
        session, file: path.join(TEMPLATES, file), runbook: runnable.runbook, text: runnableText, operator: 'template-test', runsDir: path.join(tempConfigDir(), 'runs'), ci: true,
        env: { GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'octo-approver', GITHUB_RUN_ID: '4242', GITHUB_WORKFLOW: 'tenant-migrations', GITHUB_ENVIRONMENT: 'production' },
        signOff: (s) => ({ note: s.checklist.length ? undefined : `rehearsal: ${s.title}`, lines: Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) }),
      });
      const failed = status.steps.filter((s) => s.state === 'failed');
      expect(failed.map((s) => s.id)).toEqual([stopAt]);
      expect(failed[0]!.error).toMatch(message);
      expect(status.complete).toBe(false);
    } finally {
      await session.close();
    }
  }, 180_000);
});
