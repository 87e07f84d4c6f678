import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { startingState } from '../../main/engine/demo/starting-states.js';
import { parseRunbookText, readRunbook } from '../../main/engine/runbook/parse.js';
import { runRunbook } from '../../main/engine/runbook/run.js';
import { verifyJournalFile } from '../../main/engine/runbook/journal.js';
import { verifySignedJournal } from '../../main/engine/runbook/head.js';
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

// Templates 000, 001 and 002 have their own files (runbook-template-00N.test.ts): from the real
// starting state, with their planted defects and clean twins. 004 starts before
// add_organization_support (its starting state), 003 from the demo's credentials database.
const CASES = [
  ['003-credentials-legacy-map.yaml', 'credentials'],
  ['004-inventory-not-null-balances.yaml', 'inventory-before-organizations'],
] as const;
const START = { credentials: demoScenario('credentials')!, 'inventory-before-organizations': startingState('004')! };

describe('the five reference runbooks as templates', () => {
  it.each(CASES)('%s runs to completion against the %s scenario and leaves its promised checks clean', async (file, scenarioId) => {
    const scenario = START[scenarioId];
    const database = `rb_${scenarioId.replaceAll('-', '_')}_${process.pid}`;
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
