/** Runbook SQL refusals, probe verdicts, sign-off parsing and the operator's identity: pure functions. */
import { describe, expect, it } from 'vitest';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';
import { ciIdentity, runbookOperator } from '../../main/engine/runbook/operator.js';
import { checkRunbookSql, runbookSqlIssues } from '../../main/engine/runbook/sql-guard.js';
import { probeVerdict, rowsText } from '../../main/engine/runbook/steps.js';

describe('checkRunbookSql', () => {
  it.each([
    ['BEGIN', 'sql', 'transaction control'],
    ['START TRANSACTION', 'sql', 'transaction control'],
    ['COMMIT', 'probe', 'transaction control'],
    ['ROLLBACK', 'sql', 'transaction control'],
    ['SAVEPOINT a', 'sql', 'transaction control'],
    ['RELEASE a', 'sql', 'transaction control'],
    ['ROLLBACK TO SAVEPOINT a', 'probe', 'transaction control'],
    ['PREPARE TRANSACTION \'x\'', 'sql', 'transaction control'],
    ['SET TRANSACTION READ WRITE', 'sql', 'session or transaction setting'],
    ['SET ROLE postgres', 'sql', 'session or transaction setting'],
    ['SET SESSION AUTHORIZATION postgres', 'probe', 'session or transaction setting'],
    ['SET LOCAL statement_timeout = 0', 'sql', 'session or transaction setting'],
    ['RESET ALL', 'sql', 'session or transaction setting'],
    ['DISCARD ALL', 'sql', 'DISCARD'],
    ['LISTEN x', 'sql', 'LISTEN'],
    ['LOAD \'x\'', 'sql', 'LOAD'],
    ['PREPARE p AS SELECT 1', 'sql', 'PREPARE'],
    ['DECLARE c CURSOR WITH HOLD FOR SELECT 1', 'sql', 'cursor'],
    ['COPY t FROM PROGRAM \'id\'', 'sql', 'COPY to or from a server file or program'],
    ['SELECT set_config(\'role\', \'postgres\', false)', 'check', 'set_config()'],
    ['SELECT pg_catalog.set_config(\'role\', \'postgres\', false)', 'sql', 'set_config()'],
    ['DO $$ BEGIN PERFORM 1; END $$', 'probe', 'a DO block'],
    ['DELETE FROM t', 'check', 'a check query must be a single SELECT'],
    ['SELECT 1; SELECT 2', 'check', 'has 2 statements'],
    ['SELEC 1', 'sql', 'does not parse'],
    ['-- only a comment', 'sql', 'has no statement'],
  ] as const)('%s in a %s step is refused (%s)', async (sql, use, why) => {
    const r = await checkRunbookSql({ sql, use });
    expect(r.problem).toContain(why);
  });

  it.each([
    ['UPDATE t SET a = 1; INSERT INTO t VALUES (2)', 'sql'],
    ['DO $$ BEGIN PERFORM 1; END $$', 'sql'],
    ['INSERT INTO t (a) VALUES (NULL)', 'probe'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'check'],
    ['SELECT \'COMMIT; SET ROLE x\' AS text_only', 'check'],
  ] as const)('%s in a %s step is allowed', async (sql, use) => {
    expect((await checkRunbookSql({ sql, use })).problem).toBeNull();
  });

  it('a member check\'s users and sql queries are guarded like a check\'s: set_config in either is refused with its field', async () => {
    const text = [
      'version: 1', 'title: T', 'steps:', '  - id: m', '    kind: check', '    title: M', '    expect:', '      member:',
      '        users: SELECT id FROM auth.users', "        sql: SELECT set_config('request.jwt.claim.sub', $1, true)", '',
    ].join('\n');
    const r = parseRunbookText(text);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const issues = await runbookSqlIssues(text, r.runbook);
    expect(issues.map((i) => i.field)).toEqual(['steps[0].expect.member.sql']);
    expect(issues[0]!.message).toContain('set_config()');
  });

  it('names the line of the field and the step', async () => {
    const text = 'version: 1\ntitle: T\nsteps:\n  - id: s\n    kind: sql\n    title: S\n    sql: |\n      UPDATE t SET a = 1;\n      COMMIT;\n';
    const r = parseRunbookText(text);
    if (!r.ok) throw new Error('parse');
    expect(await runbookSqlIssues(text, r.runbook)).toEqual([
      { line: 7, column: 10, field: 'steps[0].sql', message: 'step "s": the SQL statement 2 (COMMIT) is transaction control (the console runs each step in its own transaction)' },
    ]);
  });
});

describe('rowsText', () => {
  it.each([
    [[], ''],
    [[{ t: 'lessons', n: '3' }], '(lessons, 3)'],
    [[{ a: null, b: { x: 1 } }], '(NULL, {"x":1})'],
    [[{ t: 'a' }, { t: 'b' }, { t: 'c' }, { t: 'd' }, { t: 'e' }], '(a), (b), (c) and 2 more'],
  ] as const)('%j -> %s', (rows, want) => expect(rowsText(rows)).toBe(want));
});

describe('probeVerdict', () => {
  const probe = { sql: 'INSERT', error: 'not_null_violation', column: 'organization_id' };
  it('passes only on the named SQLSTATE and column', () => {
    expect(probeVerdict(probe, { code: '23502', message: 'null value in column "organization_id"', column: 'organization_id' }).ok).toBe(true);
    expect(probeVerdict(probe, { code: '23502', message: 'null value in column "first_name"', column: 'first_name' })).toEqual({
      ok: false, detail: 'the probe failed for another reason: null value in column "first_name" (SQLSTATE 23502, column first_name); it must fail with not_null_violation (23502) on column organization_id',
    });
    expect(probeVerdict(probe, { code: '42703', message: 'column "name" does not exist' }).detail).toMatch(/^the probe failed for another reason: column "name" does not exist \(SQLSTATE 42703\)/);
    expect(probeVerdict(probe, null).detail).toBe('the write probe succeeded (rolled back); it must fail with not_null_violation (23502) on column organization_id');
  });
  it('a table probe matches the error\'s table, or the quoted name in its message', () => {
    const rls = { sql: 'INSERT', error: '42501', table: 'ApiKey' };
    expect(probeVerdict(rls, { code: '42501', message: 'new row violates row-level security policy for table "ApiKey"' }).ok).toBe(true);
    expect(probeVerdict(rls, { code: '42501', message: 'permission denied for table "User"' }).ok).toBe(false);
  });
});

describe('runbook parsing of sign-offs and probes', () => {
  const head = 'version: 1\ntitle: T\nsteps:\n';
  it('a sign-off written into the file is refused', () => {
    const r = parseRunbookText(`${head}  - id: a\n    kind: manual\n    title: A\n    text: t\n    signedOff: { operator: ci, note: ok }\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ line: 8, field: 'steps[0].signedOff', message: expect.stringContaining('never a sign-off') });
  });
  it('a probe without a reason is refused: it names SQLSTATE and column, constraint or table', () => {
    const old = parseRunbookText(`${head}  - id: p\n    kind: check\n    title: P\n    expect:\n      fails: INSERT INTO t VALUES (1)\n      error: '23502'\n`);
    expect(old.ok).toBe(false);
    if (!old.ok) expect(old.issues.map((i) => i.field)).toEqual(['steps[0].expect.fails', 'steps[0].expect.error']);
    const noWhy = parseRunbookText(`${head}  - id: p\n    kind: check\n    title: P\n    expect:\n      fails: { sql: INSERT INTO t VALUES (1), error: not_null_violation }\n`);
    expect(noWhy.ok).toBe(false);
    if (!noWhy.ok) expect(noWhy.issues[0]!.message).toBe('name what the error must be about: column, constraint or table');
    const badState = parseRunbookText(`${head}  - id: p\n    kind: check\n    title: P\n    expect:\n      fails: { sql: INSERT INTO t VALUES (1), error: nope, column: a }\n`);
    expect(badState.ok).toBe(false);
  });
});

describe('the operator', () => {
  it('is the OS user; TENANCY_OPERATOR is recorded as an override of it', () => {
    const plain = runbookOperator({}, '/');
    expect(plain.override).toBeNull();
    expect(plain.name.startsWith(plain.osUser)).toBe(true);
    const o = runbookOperator({ TENANCY_OPERATOR: 'dba-ann' }, '/');
    expect(o).toMatchObject({ override: 'dba-ann', name: `dba-ann (override; os user ${plain.osUser})` });
  });
  it('CI identity comes from GitHub Actions\' own variables, all of them or none', () => {
    expect(ciIdentity({ GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'a', GITHUB_RUN_ID: '1' })).toBeNull();
    expect(ciIdentity({ GITHUB_ACTOR: 'a', GITHUB_RUN_ID: '1', GITHUB_WORKFLOW: 'w' })).toBeNull();
    expect(ciIdentity({ GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'a', GITHUB_RUN_ID: '1', GITHUB_WORKFLOW: 'w', GITHUB_REPOSITORY: 'o/r' }))
      .toEqual({ ci: 'github-actions', actor: 'a', runId: '1', workflow: 'w', environment: null, repository: 'o/r', event: null });
    expect(ciIdentity({ GITHUB_ACTIONS: 'true', GITHUB_ACTOR: 'a', GITHUB_RUN_ID: '1', GITHUB_WORKFLOW: 'w', GITHUB_EVENT_NAME: 'workflow_dispatch' })?.event).toBe('workflow_dispatch');
  });
});
