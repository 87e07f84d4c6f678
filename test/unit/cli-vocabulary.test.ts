/**
 * One vocabulary: every command's --help (walked from the real program) advertises the new
 * spellings only, every writing command takes --write and --confirm-db, every millisecond option
 * says so in its name, every command path with a JSON schema exists and takes --format json; the
 * old spellings still parse, set the new option and print one deprecation note on stderr.
 */
import type { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLI_OUTPUT, CLI_TEXT_ONLY } from '../../shared/cli-output.js';
import { buildProgram } from '../../main/cli/program.js';
import { parseWhole } from '../../main/cli/options.js';
import { fileFormatOf } from '../../main/cli/commands/report.js';

function leaves(cmd: Command, prefix = ''): [string, Command][] {
  return cmd.commands.flatMap((c) => {
    const name = `${prefix}${prefix ? ' ' : ''}${c.name()}`;
    return c.commands.length ? leaves(c, name) : [[name, c] as [string, Command]];
  });
}

const program = buildProgram();
const commands = leaves(program);
const help = (c: Command) => c.helpInformation();

/** Spellings replaced in this release: none may appear in any --help. */
const OLD = [/--confirm\s/, /--confirm </, /--column\b/, /--batch\s/, /--batch </, /--throttle\s/, /--throttle </, /--lock-timeout\s/, /--lock-timeout </,
  /--statement-timeout\s/, /--statement-timeout </, /--migrations\b/, /--runbook-run\b/];
const WRITERS = ['backup create', 'backup drop', 'restore', 'migrate apply', 'backfill', 'contract', 'runbook run'];

describe('every command\'s --help', () => {
  it('walks every command (more than 35)', () => {
    expect(commands.length).toBeGreaterThan(35);
  });

  it.each(commands)('%s advertises no old spelling, and ms options end in -ms', (_name, cmd) => {
    const text = help(cmd);
    for (const old of OLD) expect(text, `${_name}: ${old}`).not.toMatch(old);
    for (const o of cmd.options) {
      if (o.hidden) continue;
      if (/<ms>/.test(o.flags)) expect(o.long, `${_name} ${o.flags}`).toMatch(/-ms$/);
    }
  });

  it('every command that takes --url takes --env for it too', () => {
    const missing = commands.filter(([, c]) => c.options.some((o) => o.long === '--url') && !c.options.some((o) => o.long === '--env')).map(([n]) => n);
    expect(missing).toEqual([]);
  });

  it.each(['model', 'check', 'distribution', 'contract', 'report export', 'backup compare', 'restore', 'runbook run'])('%s reads the model and takes every model option', (name) => {
    const text = help(commands.find(([n]) => n === name)![1]);
    for (const flag of ['--schema', '--tenant-table', '--tenant-column', '--global-tables', '--global-uniques']) expect(text, `${name} ${flag}`).toContain(flag);
  });

  it.each(WRITERS)('%s takes --write and --confirm-db', (name) => {
    const cmd = commands.find(([n]) => n === name)![1];
    const text = help(cmd);
    expect(text).toMatch(/--write\b/);
    expect(text).toMatch(/--confirm-db <name>/);
  });

  it('every command but serve has a JSON schema and a --format choosing json', () => {
    const paths = commands.map(([n]) => n).filter((n) => !(CLI_TEXT_ONLY as readonly string[]).includes(n));
    expect(paths.filter((p) => !(p in CLI_OUTPUT))).toEqual([]);
    expect(Object.keys(CLI_OUTPUT).filter((p) => !paths.includes(p))).toEqual([]);
    for (const [name, cmd] of commands) {
      if (name === 'serve') continue;
      expect(help(cmd), name).toMatch(/--format <format>/);
    }
  });

  it.each(commands)('%s --help ends with the exit codes, 130 included', (_name, cmd) => {
    let out = '';
    cmd.configureOutput({ writeOut: (str) => { out += str; } });
    cmd.outputHelp();
    expect(out).toMatch(/Exit codes \(every command\): 0 .*; 1 .*; 2 usage, connection, permission or integrity error; 130 cancelled/);
  });

  it('the top-level help lists the exit codes 0, 1, 2 and 130', () => {
    expect(help(program).replace(/\s+/g, ' ')).toMatch(/Exit codes: 0 .* 1 .* 2 .* 130 cancelled/);
  });
});

/** Parse `argv` with every action replaced by one that records its options. */
async function parsed(argv: string[]): Promise<{ opts: Record<string, unknown>; stderr: string }> {
  const p = buildProgram();
  let opts: Record<string, unknown> = {};
  for (const [, cmd] of leaves(p)) cmd.action(function (this: Command) { opts = this.opts(); });
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { lines.push(String(s)); return true; });
  await p.parseAsync(['node', 'tenancy', ...argv]);
  vi.restoreAllMocks();
  return { opts, stderr: lines.join('') };
}

describe('old spellings still work, with one note each', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    [['backfill', '--batch', '50', '--throttle', '5', '--lock-timeout', '900', '--column', 'org_id', '--confirm', 'shop'],
      { batchSize: '50', throttleMs: '5', lockTimeoutMs: '900', tenantColumn: 'org_id', confirmDb: 'shop' }, ['--batch', '--throttle', '--lock-timeout', '--column', '--confirm']],
    [['contract', '--table', 'public.t', '--confirm', 'shop', '--lock-timeout', '100'], { confirmDb: 'shop', lockTimeoutMs: '100' }, ['--confirm', '--lock-timeout']],
    [['migrate', 'apply', '--confirm', 'shop', '--lock-timeout', '100'], { confirmDb: 'shop', lockTimeoutMs: '100' }, ['--confirm', '--lock-timeout']],
    [['restore', '--backup', '3', '--confirm', 'public.users', '--statement-timeout', '7'], { confirmTable: 'public.users', statementTimeoutMs: '7' }, ['--confirm', '--statement-timeout']],
    [['backup', 'create', '--table', 'public.t', '--runbook-run', 'run_x'], { run: 'run_x' }, ['--runbook-run']],
    [['runbook', 'run', 'rb.yaml', '--confirm', 'shop'], { confirmDb: 'shop' }, ['--confirm']],
    [['report', 'export', '--out', 'r.json', '--migrations', 'sql'], { dir: 'sql' }, ['--migrations']],
    [['profile', 'add', 'p', '--lock-timeout', '10', '--statement-timeout', '20'], { lockTimeoutMs: '10', statementTimeoutMs: '20' }, ['--lock-timeout', '--statement-timeout']],
  ])('%j', async (argv, want, olds) => {
    const { opts, stderr } = await parsed(argv);
    expect(opts).toMatchObject(want);
    for (const old of olds) expect(stderr).toContain(`tenancy: note: ${old} is deprecated and goes away in the next release; use `);
    expect(stderr.trim().split('\n')).toHaveLength(olds.length);
  });

  it('the new spelling prints no note', async () => {
    const { opts, stderr } = await parsed(['backfill', '--batch-size', '50', '--tenant-column', 'org_id']);
    expect(opts).toMatchObject({ batchSize: '50', tenantColumn: 'org_id' });
    expect(stderr).toBe('');
  });

  it('old and new spellings with different values: refused naming both', async () => {
    await expect(parsed(['backfill', '--batch-size', '50', '--batch', '60'])).rejects.toThrow('give --batch-size or the old --batch, not both');
  });
});

describe('one number parser', () => {
  it.each([
    ['junk', '--samples must be a whole number, got junk'],
    ['-1', '--samples must be a whole number, got -1'],
    ['1.5', '--samples must be a whole number, got 1.5'],
    ['101', '--samples must be at most 100, got 101'],
  ])('%s is refused naming the flag', (text, message) => {
    expect(() => parseWhole(text, '--samples', { max: 100 })).toThrow(message);
    try {
      parseWhole(text, '--samples', { max: 100 });
    } catch (err) {
      expect((err as { field?: string }).field).toBe('--samples');
    }
  });

  it('reads 1,000 and 1_000 as 1000', () => {
    expect(parseWhole('1,000', '--batch-size')).toBe(1000);
    expect(parseWhole('1_000', '--batch-size')).toBe(1000);
  });
});

describe('report export|render: --format is the output format, --file-format the file\'s', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    [{ format: 'json' }, 'r.pdf', { file: 'pdf', output: 'json' }, ''],
    [{ fileFormat: 'html' as const }, 'r.json', { file: 'html', output: 'table' }, ''],
    [{}, 'r.htm', { file: 'html', output: 'table' }, ''],
    [{ format: 'html' }, 'r.json', { file: 'html', output: 'table' }, 'tenancy: note: --format html is deprecated and goes away in the next release; use --file-format html\n'],
  ])('%j with --out %s', (o, out, want, note) => {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { stderr += String(s); return true; });
    expect(fileFormatOf(o, out)).toEqual(want);
    expect(stderr).toBe(note);
  });

  it('refuses another --format naming the two flags', () => {
    expect(() => fileFormatOf({ format: 'sarif' }, 'r.json')).toThrow('--format must be table or json (the file\'s format is --file-format json|html|pdf), got sarif');
  });
});
