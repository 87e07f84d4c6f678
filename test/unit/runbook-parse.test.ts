import { describe, expect, it } from 'vitest';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';

const head = `version: 1
title: Test
steps:
`;

describe('runbook files', () => {
  it('accepts a valid runbook with defaults filled in', () => {
    const r = parseRunbookText(`${head}  - id: backup
    kind: backup
    title: Back up
    tables: [public.a]
  - id: verify
    kind: check
    title: Verify
    expect: { no: [null-tenant-rows] }
`);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.runbook.steps[1]).toMatchObject({ kind: 'check', report: false, expect: { no: ['null-tenant-rows'] } });
  });

  it.each([
    ['an unknown check id', `  - id: c\n    kind: check\n    title: C\n    expect:\n      no: [null-tenant-rowz]\n`, 8, 'steps[0].expect.no[0]'],
    ['an unknown step kind', `  - id: c\n    kind: checks\n    title: C\n`, 5, 'steps[0].kind'],
    ['a misspelt field', `  - id: c\n    kind: sql\n    title: C\n    sql: SELECT 1\n    rollback: true\n`, 8, 'steps[0].rollback'],
    ['a missing field', `  - id: c\n    kind: backup\n    title: C\n`, 4, 'steps[0].tables'],
    ['a gate on a later step', `  - id: a\n    kind: sql\n    title: A\n    sql: SELECT 1\n    requires: [b]\n  - id: b\n    kind: sql\n    title: B\n    sql: SELECT 1\n`, 8, 'steps[0].requires[0]'],
    ['a duplicate step id', `  - id: a\n    kind: sql\n    title: A\n    sql: SELECT 1\n  - id: a\n    kind: sql\n    title: B\n    sql: SELECT 1\n`, 8, 'steps[1].id'],
    ['a wrong type', `  - id: a\n    kind: backfill\n    title: A\n    table: t\n    tenantColumn: c\n    source: { kind: constant, value: x }\n    batchSize: many\n`, 10, 'steps[0].batchSize'],
    ['a system identifier pin that is not digits', `  - id: p\n    kind: preflight\n    title: P\n    dir: f\n    expect:\n      systemIdentifier: prod-1\n`, 9, 'steps[0].expect.systemIdentifier'],
    ['a marker without its table', `  - id: p\n    kind: preflight\n    title: P\n    expect:\n      markers:\n        - sql: SELECT true\n`, 9, 'steps[0].expect.markers[0].table'],
    ['a misspelt pin', `  - id: p\n    kind: preflight\n    title: P\n    expect:\n      databse: app\n`, 8, 'steps[0].expect.databse'],
    ['a partial rollback step with a run step\'s id', `  - id: a\n    kind: sql\n    title: A\n    sql: SELECT 1\nrollbacks:\n  rls:\n    - id: a\n      kind: sql\n      title: B\n      sql: SELECT 1\n`, 10, 'rollbacks.rls[0].id'],
    ['a partial rollback step of another kind', `  - id: a\n    kind: sql\n    title: A\n    sql: SELECT 1\nrollbacks:\n  rls:\n    - id: b\n      kind: backfill\n      title: B\n`, 11, 'rollbacks.rls[0].kind'],
    ['an after pin without a folder', `  - id: p\n    kind: preflight\n    title: P\n    expect:\n      after: 0007_x\n`, 8, 'steps[0].expect.after'],
  ])('names line and field for %s', (_what, steps, line, field) => {
    const r = parseRunbookText(`${head}${steps}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ line, field });
  });

  it('reports YAML syntax errors with their line', () => {
    const r = parseRunbookText(`${head}  - id: a\n    title: [unclosed\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.field).toBe('(yaml)');
  });

  it('reads the old spellings folder, column and batch as dir, tenantColumn and batchSize, with one note each naming the line', () => {
    const old = `  - id: p\n    kind: preflight\n    title: P\n    folder: f\n  - id: b\n    kind: backfill\n    title: B\n    table: t\n    column: org_id\n    source: { kind: constant, value: x }\n    batch: 50\n`;
    const r = parseRunbookText(`${head}${old}`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.runbook.steps[0]).toMatchObject({ kind: 'preflight', dir: 'f' });
    expect(r.runbook.steps[1]).toMatchObject({ kind: 'backfill', tenantColumn: 'org_id', batchSize: 50 });
    expect(r.notes).toEqual([
      expect.stringMatching(/^line \d+, steps\[0\]\.folder: folder is deprecated and goes away in the next release; write dir$/),
      expect.stringMatching(/^line \d+, steps\[1\]\.column: column is deprecated .*; write tenantColumn$/),
      expect.stringMatching(/^line \d+, steps\[1\]\.batch: batch is deprecated .*; write batchSize$/),
    ]);
    const now = parseRunbookText(`${head}${old.replace('folder:', 'dir:').replace('column:', 'tenantColumn:').replace('batch:', 'batchSize:')}`);
    expect(now.ok && now.notes).toEqual([]);
  });

  it('an old and a new spelling together are refused naming the field', () => {
    const r = parseRunbookText(`${head}  - id: p\n    kind: preflight\n    title: P\n    folder: f\n    dir: g\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ field: 'steps[0].folder', message: 'give dir or the old folder, not both' });
  });

  it('sets the backfill pacing and the restore timeouts by the CLI\'s names', () => {
    const r = parseRunbookText(`${head}  - id: b\n    kind: backfill\n    title: B\n    table: t\n    tenantColumn: org_id\n    source: { kind: constant, value: x }\n    batchSize: 50\n    batchMs: 80\n    duty: 0.5\n    throttleMs: 5\n    lockTimeoutMs: 900\n`);
    expect(r.ok && r.runbook.steps[0]).toMatchObject({ batchSize: 50, batchMs: 80, duty: 0.5, throttleMs: 5, lockTimeoutMs: 900 });
  });
});
