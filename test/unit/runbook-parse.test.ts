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
    ['a wrong type', `  - id: a\n    kind: backfill\n    title: A\n    table: t\n    column: c\n    source: { kind: constant, value: x }\n    batch: many\n`, 10, 'steps[0].batch'],
    ['a system identifier pin that is not digits', `  - id: p\n    kind: preflight\n    title: P\n    folder: f\n    expect:\n      systemIdentifier: prod-1\n`, 9, 'steps[0].expect.systemIdentifier'],
    ['a marker without its table', `  - id: p\n    kind: preflight\n    title: P\n    expect:\n      markers:\n        - sql: SELECT true\n`, 9, 'steps[0].expect.markers[0].table'],
    ['a misspelt pin', `  - id: p\n    kind: preflight\n    title: P\n    expect:\n      databse: app\n`, 8, 'steps[0].expect.databse'],
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
});
