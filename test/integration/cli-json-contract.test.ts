/**
 * One JSON contract: every command's `--format json` success, run for real against a database,
 * parses with its schema in shared/cli-output.ts (one object on stdout, `ok: true`), and every
 * command's failure is the one `{ok: false, error: {code, message, field}}` on stdout with exit 2.
 * `demo` is covered in demo.test.ts (it stays up); `serve` prints text only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../shared/checks.js';
import { CLI_OUTPUT, CliFailureSchema, type CliCommandPath } from '../../shared/cli-output.js';
import { buildProgram } from '../../main/cli/program.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let configDir: string;
let work: string;
/** Profiles keep no password: the test database's comes from PGPASSWORD, as an operator's would. */
const env = () => ({ TENANCY_CONFIG_DIR: configDir, PGPASSWORD: decodeURIComponent(new URL(db.url).password) });

beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE organizations (id int PRIMARY KEY, name text NOT NULL);
    INSERT INTO organizations VALUES (1, 'Acme'), (2, 'Globex');
    CREATE TABLE projects (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, name text);
    INSERT INTO projects SELECT g, 1 + g % 2, 'p' || g FROM generate_series(1, 20) g;
    CREATE TABLE notes (id int PRIMARY KEY, org_id int REFERENCES organizations, body text);
    INSERT INTO notes SELECT g, NULL, 'n' || g FROM generate_series(1, 30) g;`);
  configDir = tempConfigDir();
  work = fs.mkdtempSync(path.join(configDir, 'work-'));
  fs.mkdirSync(path.join(work, 'migrations'));
  fs.writeFileSync(path.join(work, 'migrations', '0001_tags.sql'), 'CREATE TABLE tags (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, label text);\n');
  fs.writeFileSync(path.join(work, 'rb.yaml'), 'version: 1\ntitle: Contract\nsteps:\n  - id: touch\n    kind: sql\n    title: Touch a project\n    sql: UPDATE projects SET name = name WHERE id = 1\n');
});
afterAll(async () => {
  await db?.drop();
  cleanCli();
  fs.rmSync(configDir, { recursive: true, force: true });
});

/** Run a command with --format json; its stdout must be exactly one object that its schema accepts. */
async function json<P extends CliCommandPath>(command: P, args: string[], exit: number | number[] = 0) {
  const r = await runTenancy([...command.split(' '), ...args, '--format', 'json'], env());
  expect([exit].flat(), `${command}: ${r.stderr}`).toContain(r.code);
  const value = JSON.parse(r.stdout) as unknown;
  const parsed = CLI_OUTPUT[command].safeParse(value);
  expect(parsed.success, `${command}: ${parsed.error?.message}`).toBe(true);
  return parsed.data as ReturnType<(typeof CLI_OUTPUT)[P]['parse']>;
}

describe('every command\'s JSON success parses with its schema', () => {
  it('profiles, model, check, distribution', async () => {
    const added = await json('profile add', ['shop', '--url', db.url, '--env', 'development', '--tenant-table', 'public.organizations']);
    expect(added.profile.name).toBe('shop');
    expect(added.note).toBe('the password in the URL was not stored; use PGPASSWORD or ~/.pgpass');
    expect((await json('profile list', [])).profiles.map((p) => p.name)).toEqual(['shop']);
    expect((await json('profile show', ['shop'])).profile.database).toBe(db.name);
    expect((await json('profile test', ['shop'])).fingerprint.database).toBe(db.name);
    const m = await json('model', ['--profile', 'shop']);
    expect(m.summary.tenantTable).toBe('public.organizations');
    const run = await json('check', ['--profile', 'shop'], 1);
    expect(run.findings.some((f) => f.check === 'null-tenant-rows' && f.table === 'notes')).toBe(true);
    expect(await json('distribution', ['--profile', 'shop'])).toMatchObject({ noTenant: [expect.objectContaining({ table: 'notes', rows: 30 })] });
    expect((await json('checks', [])).checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
  });

  it('backups and restore', async () => {
    const b = await json('backup create', ['--profile', 'shop', '--table', 'public.projects', '--write']);
    expect(b.rowCount).toBe(20);
    expect((await json('backup list', ['--profile', 'shop'])).backups.map((x) => x.id)).toEqual([b.id]);
    expect((await json('backup show', [String(b.id), '--profile', 'shop'])).ok).toBe(true);
    const v = await json('backup show', ['--backup', String(b.id), '--verify', '--profile', 'shop']);
    expect(v).toMatchObject({ intact: true });
    expect((await json('backup compare', ['--backup', String(b.id), '--profile', 'shop'])).counts.same).toBe(20);
    // --tenant-column is a comma list of spellings wherever it is taken: the table's is the first it has.
    expect((await json('backup compare', ['--backup', String(b.id), '--tenant-column', 'tenant_id,org_id', '--profile', 'shop'])).tenantColumn).toBe('org_id');
    expect((await json('restore', ['--backup', String(b.id), '--dry-run', '--profile', 'shop'])).verified).toBe(true);
    expect((await json('backup drop', ['--backup', String(b.id), '--write', '--profile', 'shop'])).id).toBe(b.id);
  });

  it('migrations', async () => {
    const dir = path.join(work, 'migrations');
    expect((await json('migrate lint', ['--dir', dir])).files.map((f) => f.id)).toEqual(['0001_tags.sql']);
    expect((await json('migrate status', ['--dir', dir, '--profile', 'shop'])).counts.pending).toBe(1);
    expect((await json('migrate preflight', ['--dir', dir, '--profile', 'shop'])).pending).toBe(1);
    const applied = await json('migrate apply', ['--dir', dir, '--profile', 'shop', '--write']);
    expect(applied.applied.map((a) => a.id)).toEqual(['0001_tags.sql']);
  });

  it('backfill and contract', async () => {
    const r = await json('backfill', ['--profile', 'shop', '--table', 'public.notes', '--tenant-column', 'org_id', '--value', '1', '--batch-size', '7', '--write']);
    expect(r).toMatchObject({ rowsDone: 30, nullsLeft: 0 });
    const list = await json('backfill', ['--profile', 'shop', '--list']);
    expect(list).toMatchObject({ backfills: [expect.objectContaining({ table: 'notes', status: 'done' })] });
    const plan = await json('contract', ['--profile', 'shop', '--table', 'public.notes', '--step', 'not-null', '--plan']);
    expect(plan).toMatchObject({ table: 'notes', steps: ['not-null'] });
  });

  it('reports and trust', async () => {
    const out = path.join(work, 'r.json');
    const exp = await json('report export', ['--profile', 'shop', '--estimate', '--out', out], [0, 1]);
    expect(exp).toMatchObject({ file: out, fileFormat: 'json' });
    expect((await json('report render', [out, '--out', path.join(work, 'r.html')])).fileFormat).toBe('html');
    expect((await json('report verify', [out])).verification.ok).toBe(true);
    expect((await json('report diff', [out, out])).verified).toEqual({ a: true, b: true });
    const pack = path.join(work, 'r.evidence.json');
    const packed = await json('report pack', [out, '--out', pack]);
    expect(packed).toMatchObject({ file: pack, reportName: 'r.json', run: null, auditRecords: expect.any(Number) });
    expect(Object.keys(packed.parts).sort()).toEqual(['audit', 'report']);
    expect((await json('report pack-verify', [pack])).verification).toEqual({ ok: true, keyIds: [packed.keyId], problems: [] });
    const changed = JSON.parse(fs.readFileSync(pack, 'utf8')) as { parts: { audit: { content: { selection: string } } } };
    changed.parts.audit.content.selection = 'nothing to see';
    fs.writeFileSync(path.join(work, 'changed.evidence.json'), JSON.stringify(changed));
    const broken = await json('report pack-verify', [path.join(work, 'changed.evidence.json')], 1);
    expect(broken.verification).toMatchObject({ ok: false, problems: ['audit: its content does not match its sha256 (changed after packing)'] });
    const key = 'abcdef0123456789';
    expect((await json('report trust add', [key, '--label', 'the auditor'])).key.keyId).toBe(key);
    expect((await json('report trust list', [])).keys.map((k) => k.keyId)).toEqual([key]);
    expect((await json('report trust remove', [key])).removed).toBe(key);
  });

  it('runbooks and the audit log', async () => {
    const file = path.join(work, 'rb.yaml');
    expect((await json('runbook validate', [file])).steps).toBe(1);
    const ran = await json('runbook run', [file, '--profile', 'shop', '--write']);
    expect(ran.status.complete).toBe(true);
    const run = ran.status.run;
    expect((await json('runbook status', ['--run', run])).verification.ok).toBe(true);
    expect((await json('runbook verify', [run, '--profile', 'shop'])).verification.ok).toBe(true);
    expect((await json('runbook list', [])).runs.map((r) => r.run)).toEqual([run]);
    const plan = await json('runbook plan', [file, '--profile', 'shop', '--from-run', run]);
    expect(plan).toMatchObject({ reference: run, database: db.name, steps: [expect.objectContaining({ id: 'touch', kind: 'sql', factor: null })] });
    expect((await json('runbook export', ['--run', run, '--out', path.join(work, 'run.json')])).lines).toBeGreaterThan(1);
    expect((await json('runbook new', ['--template', '004', '--out', path.join(work, 'new.yaml')])).file).toBe(path.join(work, 'new.yaml'));
    const audit = await json('audit list', ['--run', run, '--limit', '2']);
    expect(audit.entries).toHaveLength(2);
    expect(audit.truncated).toBe(audit.total > 2);
    expect((await json('audit verify', [])).verification.ok).toBe(true);
    expect((await json('audit path', [])).dir).toContain(configDir);
    expect((await json('profile remove', ['shop'])).removed).toBe('shop');
  });

  it('runbook rollback: the run as status shows it, and the one failure envelope naming --write or --reason', async () => {
    const file = path.join(work, 'rb-back.yaml');
    fs.writeFileSync(file, `${fs.readFileSync(path.join(work, 'rb.yaml'), 'utf8')}rollback:\n  - id: untouch\n    kind: sql\n    title: Untouch\n    sql: UPDATE projects SET name = name WHERE id = 2\n`);
    const { status: { run } } = await json('runbook run', [file, '--url', db.url, '--write']);
    const noWrite = await runTenancy(['runbook', 'rollback', '--run', run, '--url', db.url, '--reason', 'drill', '--format', 'json'], env());
    expect(noWrite.code).toBe(2);
    expect(CliFailureSchema.parse(JSON.parse(noWrite.stdout)).error).toMatchObject({ code: 'usage', field: '--write' });
    const noReason = await runTenancy(['runbook', 'rollback', '--run', run, '--url', db.url, '--write', '--format', 'json'], env());
    expect(noReason.code).toBe(2);
    expect(CliFailureSchema.parse(JSON.parse(noReason.stdout)).error).toMatchObject({ code: 'usage', field: '--reason' });
    expect((await json('runbook status', [run])).status.rollback?.startedAt).toBeNull();
    const back = await json('runbook rollback', ['--run', run, '--url', db.url, '--write', '--reason', 'drill']);
    expect(back.status.rollback).toMatchObject({ reason: 'drill', complete: true, steps: [expect.objectContaining({ id: 'untouch', state: 'passed' })] });
    expect(back.verification.ok).toBe(true);
  });

  it('exit codes: a journal broken on disk is 1 for verify (it found it) and 2 for opening the run (integrity)', async () => {
    const file = path.join(work, 'rb.yaml');
    const { status: { run } } = await json('runbook run', [file, '--url', db.url, '--write']);
    const journal = path.join(configDir, 'runs', run, 'journal.jsonl');
    fs.writeFileSync(journal, fs.readFileSync(journal, 'utf8').replace('"touch"', '"tuoch"'));
    const verified = await json('runbook verify', [run], 1);
    expect(verified.verification).toMatchObject({ ok: false, brokenAt: expect.objectContaining({ line: expect.any(Number) }) });
    const opened = await runTenancy(['runbook', 'status', '--run', run, '--format', 'json'], env());
    expect(opened.code).toBe(2);
    expect(CliFailureSchema.parse(JSON.parse(opened.stdout)).error).toMatchObject({ code: 'integrity', message: expect.stringContaining(`the journal of ${run} is broken at line`) });
  });
});

/** Every command path but serve (text only) and demo (stays up). */
const paths = (() => {
  const out: string[] = [];
  const walk = (c: ReturnType<typeof buildProgram>, prefix: string) => c.commands.forEach((s) => {
    const name = `${prefix}${prefix ? ' ' : ''}${s.name()}`;
    if (s.commands.length) walk(s, name);
    else out.push(name);
  });
  walk(buildProgram(), '');
  return out.filter((p) => p !== 'serve');
})();

/** What a command requires before commander looks at unknown options. */
const REQUIRED: Record<string, string[]> = {
  'report export': ['--out', 'r.json'], 'report render': ['--out', 'r.html'], 'report trust add': ['--label', 'x'],
  'backup create': ['--table', 'public.t'], restore: ['--backup', '1'], contract: ['--table', 'public.t'], 'runbook new': ['--template', '000'],
  'runbook rollback': ['--run', 'run_20260101_000000_abcdef'], 'runbook plan': ['--from-run', 'run_20260101_000000_abcdef'],
  'runbook follow-up': ['--run', 'run_20260101_000000_abcdef', '--name', 'day-1'],
};

describe('every command\'s JSON failure is the one envelope', () => {
  it.each(paths)('%s with an unknown option: exit 2, {ok:false, error:{code:usage, field}}', async (command) => {
    const r = await runTenancy([...command.split(' '), ...(REQUIRED[command] ?? []), '--no-such-flag', '--format', 'json'], env());
    expect(r.code).toBe(2);
    expect(CliFailureSchema.parse(JSON.parse(r.stdout))).toEqual({ ok: false, error: { code: 'usage', message: "unknown option '--no-such-flag'", field: '--no-such-flag' } });
  });

  it('a number that is not one names its flag in field', async () => {
    const r = await runTenancy(['backup', 'compare', '--backup', '1', '--samples', 'junk', '--url', db.url, '--format', 'json'], env());
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, error: { code: 'usage', message: '--samples must be a whole number, got junk', field: '--samples' } });
    expect(r.stderr).toBe('tenancy: --samples must be a whole number, got junk\n');
  });

  it('report pack-verify of a file that is not there: exit 2, one usage line naming the file', async () => {
    const missing = path.join(work, 'no-such.evidence.json');
    const r = await runTenancy(['report', 'pack-verify', missing, '--format', 'json'], env());
    expect(r.code).toBe(2);
    expect(CliFailureSchema.parse(JSON.parse(r.stdout)).error).toEqual({ code: 'usage', message: `cannot read evidence pack ${missing}: no such file`, field: null });
  });

    it('backup create without --write: exit 2, field --write, and nothing written', async () => {
    const count = async () => (await json('backup list', ['--url', db.url])).backups.length;
    const before = await count();
    const r = await runTenancy(['backup', 'create', '--table', 'public.projects', '--url', db.url, '--format', 'json'], env());
    expect(r.code).toBe(2);
    expect(CliFailureSchema.parse(JSON.parse(r.stdout)).error).toMatchObject({ code: 'usage', field: '--write' });
    expect(await count()).toBe(before);
  });
});
