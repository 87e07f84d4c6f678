import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { CONSOLE_SCHEMA } from '../../main/engine/config.js';
import { loadScenario } from '../../main/engine/demo/load.js';
import { demoScenario } from '../../main/engine/demo/scenarios.js';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';
import { runRunbook } from '../../main/engine/runbook/run.js';
import { Session } from '../../main/engine/session.js';
import { profileFromUrl } from '../../main/engine/target.js';
import type { RunStatus } from '../../shared/runbook.js';
import { tempConfigDir } from '../support/cli.js';
import { adminUrl } from '../support/db.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TEMPLATE = path.join(ROOT, 'runbooks/templates/000-drizzle-two-phase.yaml');
const TEMPLATE_TEXT = fs.readFileSync(TEMPLATE, 'utf8');

const made: string[] = [];
afterAll(async () => {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  for (const d of made) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(d)} WITH (FORCE)`);
  await c.end();
});

let n = 0;
/** A fresh database: a demo scenario, or empty. */
async function database(scenario: string | null): Promise<string> {
  const name = `rb_pf_${scenario ?? 'empty'}_${(n += 1)}_${process.pid}`;
  made.push(name);
  if (scenario) return (await loadScenario(adminUrl(), demoScenario(scenario)!, 300, { database: name, reuse: false })).url;
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await c.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function withSession<T>(url: string, fn: (s: Session) => Promise<T>, pin?: { systemIdentifier?: string }): Promise<T> {
  const { profile, urlPassword } = profileFromUrl(url, { statementTimeoutMs: 120_000 });
  const session = await Session.open({ ...profile, ...pin }, { password: urlPassword });
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** Run the (edited) 000 template; only its preflight step unless `all`. */
async function run(url: string, text: string, o: { all?: boolean; pin?: { systemIdentifier?: string } } = {}): Promise<RunStatus> {
  const parsed = parseRunbookText(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return withSession(url, async (session) => {
    await session.enableWrite();
    return runRunbook({
      session, file: TEMPLATE, runbook: parsed.runbook, text, operator: 'preflight-test', runsDir: path.join(tempConfigDir(), 'runs'), ci: true,
      step: o.all ? undefined : 'preflight',
      signOff: (s) => ({ note: s.checklist.length ? undefined : 'rehearsal', lines: Object.fromEntries(s.checklist.map((_, i) => [i + 1, 'rehearsal'])) }),
    });
  }, o.pin);
}

const preflightOf = (s: RunStatus) => s.steps.find((x) => x.id === 'preflight')!;
const withExpect = (extra: string) => TEMPLATE_TEXT.replace('    expect:\n      after: 0006_lesson_notes\n', `    expect:\n${extra}      after: 0006_lesson_notes\n`);

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

describe('preflight proves the target positively', () => {
  it('the clean twin: the demo database with the server and database pinned to what they are passes', async () => {
    const url = await database('drizzle');
    const { sys, db } = await withSession(url, async (s) => ({ sys: s.fingerprint.systemIdentifier!, db: s.fingerprint.database }));
    expect(sys).toMatch(/^\d+$/);
    const status = await run(url, withExpect(`      systemIdentifier: "${sys}"\n      database: ${db}\n`), { pin: { systemIdentifier: sys } });
    expect(preflightOf(status)).toMatchObject({ state: 'passed', error: null });
    expect(preflightOf(status).evidence!.ran).toEqual(expect.arrayContaining([`pin: system identifier ${sys}`, `pin: database ${db}`, 'marker: table public.students']));
  }, 120_000);

  it('an empty database fails: none of the application tables', async () => {
    const status = await run(await database(null), TEMPLATE_TEXT);
    expect(preflightOf(status).state).toBe('failed');
    expect(preflightOf(status).error).toMatch(/the target has none of the \d+ table\(s\) the folder's migrations create or alter \(public\.\w+/);
    expect(preflightOf(status).error).toContain('expected the application\'s table public.students, found no such table');
  }, 120_000);

  it('another application\'s database (the inventory demo) fails', async () => {
    const status = await run(await database('inventory'), TEMPLATE_TEXT);
    expect(preflightOf(status).state).toBe('failed');
    expect(preflightOf(status).error).toMatch(/none of the \d+ table\(s\).*an empty database or another application's\?/);
  }, 120_000);

  it('the application\'s tables with an emptied ledger ("0 applied") fail', async () => {
    const url = await database('drizzle');
    await sql(url, 'DELETE FROM drizzle.__drizzle_migrations');
    const status = await run(url, TEMPLATE_TEXT);
    expect(preflightOf(status).error).toMatch(/the application's tables are here \(public\.\w+.*\) but the ledger drizzle\.__drizzle_migrations says 0 applied: the ledger is empty or foreign/);
    expect(preflightOf(status).error).toContain('the runbook starts after 0006_lesson_notes; the ledger has it pending (0 applied)');
  }, 120_000);

  it('a wrong system identifier pin fails naming expected and found, in the runbook and in the profile', async () => {
    const url = await database('drizzle');
    const sys = await withSession(url, async (s) => s.fingerprint.systemIdentifier!);
    const wrong = '7000000000000000001';
    const inRunbook = await run(url, withExpect(`      systemIdentifier: "${wrong}"\n`));
    expect(preflightOf(inRunbook).error).toMatch(new RegExp(`^preflight: expected the server with system identifier ${wrong}, found ${sys} on \\S+:\\d+$`));
    const inProfile = await run(url, TEMPLATE_TEXT, { pin: { systemIdentifier: wrong } });
    expect(preflightOf(inProfile).error).toContain(`expected the server with system identifier ${wrong}, found ${sys}`);
    const wrongDb = await run(url, withExpect('      database: billing\n'));
    expect(preflightOf(wrongDb).error).toMatch(/^preflight: expected the database billing, found rb_pf_drizzle_\d+_\d+$/);
  }, 120_000);

  it('a missing marker table fails; a marker query that is not true fails', async () => {
    const url = await database('drizzle');
    await sql(url, 'ALTER TABLE public.organization RENAME TO organization_old');
    const missing = await run(url, TEMPLATE_TEXT);
    expect(preflightOf(missing).error).toMatch(/^preflight: expected the application's table public\.organization, found no such table in rb_pf_drizzle_\d+_\d+: wrong database\?$/);
    await sql(url, 'ALTER TABLE public.organization_old RENAME TO organization');
    const falseQuery = await run(url, TEMPLATE_TEXT.replace('SELECT EXISTS (SELECT 1 FROM public.app_settings)', 'SELECT EXISTS (SELECT 1 FROM public.app_settings WHERE key = \'no-such-key\')'));
    expect(preflightOf(falseQuery).error).toMatch(/^preflight: expected the marker query to return true, found false: SELECT EXISTS/);
    const passes = await run(url, TEMPLATE_TEXT);
    expect(preflightOf(passes).state).toBe('passed');
  }, 120_000);

  it('an old worktree without 0008 fails at preflight, before backup or backfill write anything; its clean twin passes', async () => {
    const url = await database('drizzle');
    const worktree = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-old-worktree-'));
    fs.cpSync(path.join(ROOT, 'sql/demo/drizzle'), worktree, { recursive: true });
    const text = TEMPLATE_TEXT.replaceAll('dir: sql/demo/drizzle', `dir: ${JSON.stringify(worktree)}`);
    // The clean twin first (preflight only): the full folder passes.
    expect(preflightOf(await run(url, text)).state).toBe('passed');
    fs.rmSync(path.join(worktree, '0008_remove_bootstrap_org_defaults.sql'));
    const journalFile = path.join(worktree, 'meta/_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag !== '0008_remove_bootstrap_org_defaults');
    fs.writeFileSync(journalFile, JSON.stringify(journal, null, 2));

    const snapshot = async () => (await sql(url, `SELECT
        (SELECT count(*) FROM public.lessons WHERE organization_id IS NULL)::int AS null_lessons,
        (SELECT md5(string_agg(l::text, ',' ORDER BY l.id)) FROM public.lessons l) AS lessons,
        (SELECT string_agg(n.nspname || '.' || c.relname, ',' ORDER BY 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.relname NOT LIKE 'runbook\\_%') AS tables,
        (SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'organization_id' AND column_default IS NOT NULL)::int AS defaults`)).rows[0];
    const before = await snapshot();
    expect(before.null_lessons).toBeGreaterThan(0);
    const status = await run(url, text, { all: true });
    expect(status.steps.filter((s) => s.state !== 'pending').map((s) => `${s.id} ${s.state}`)).toEqual(['preflight failed']);
    expect(preflightOf(status).error).toBe(`preflight: step migrate-0008 applies 0008_remove_bootstrap_org_defaults, which ${worktree} does not have (old worktree? pull it first)`);
    expect(await snapshot()).toEqual(before);
    expect(String(before.tables)).not.toContain(`${CONSOLE_SCHEMA}.backup`);
  }, 120_000);
});
