/** The checklist's pure view logic: row states, gates, progress line, ETA, backfill fraction. */
import { describe, expect, it } from 'vitest';
import type { RunbookStep, StepStatus } from '../../shared/runbook.js';
import { backfillFraction, formatEta, gateText, rowState, runProgress, stepSummary, stepWrites } from '../../shared/runbook-checklist.js';

const st = (o: Partial<StepStatus>): StepStatus => ({ id: 's', title: 'S', kind: 'sql', state: 'pending', operator: null, time: null, evidence: null, error: null, durationMs: null, checklist: [], waitingFor: [], ...o });
const sql: RunbookStep = { id: 's', title: 'S', kind: 'sql', sql: 'SELECT 1' };
const manual: RunbookStep = { id: 's', title: 'S', kind: 'manual', text: 'deploy', checklist: [] };
const approval: RunbookStep = { ...manual, approval: { approvers: [] } };

describe('rowState', () => {
  it.each([
    ['a passed step', st({ state: 'passed' }), sql, null, 'passed'],
    ['the running step, even if it failed before', st({ state: 'failed' }), sql, 's', 'running'],
    ['a step held by its gate', st({ waitingFor: ['backup'] }), sql, null, 'blocked'],
    ['a step the journal says was blocked', st({ state: 'blocked' }), sql, null, 'blocked'],
    ['a failed step with its gate open', st({ state: 'failed', error: 'x' }), sql, null, 'failed'],
    ['a failed step whose gate closed again', st({ state: 'failed', waitingFor: ['a'] }), sql, null, 'blocked'],
    ['an interrupted step', st({ state: 'interrupted' }), sql, null, 'interrupted'],
    ['a manual step with its gate open', st({}), manual, null, 'sign-off'],
    ['a manual step held by its gate', st({ waitingFor: ['a'] }), manual, null, 'blocked'],
    ['an approval is signed too, never pre-signed', st({}), approval, null, 'sign-off'],
    ['another step running', st({}), sql, 'other', 'pending'],
  ] as const)('%s', (_name, status, def, running, want) => {
    expect(rowState(status, def, running)).toBe(want);
  });
});

describe('gateText', () => {
  it.each([
    [[], null],
    [['backup'], 'needs backup to pass first'],
    [['a', 'b'], 'needs a and b to pass first'],
    [['a', 'b', 'c'], 'needs a, b and c to pass first'],
    [['a', 'b', 'c', 'd', 'e'], 'needs a, b, c and 2 more to pass first'],
  ])('%j -> %s', (waiting, want) => expect(gateText(waiting)).toBe(want));
});

describe('runProgress', () => {
  const view = (states: StepStatus['state'][]) => ({ label: 'Runbook 000', status: { steps: states.map((state, i) => st({ id: `s${i}`, state })) } }) as Parameters<typeof runProgress>[0];
  it.each([
    [['pending', 'pending'], 'Runbook 000: step 1 of 2'],
    [['passed', 'passed', 'passed', 'failed', 'pending'], 'Runbook 000: step 4 of 5'],
    [['passed', 'pending', 'passed'], 'Runbook 000: step 2 of 3'],
    [['passed', 'passed'], 'Runbook 000: complete, 2 of 2'],
  ] as const)('%j -> %s', (states, want) => expect(runProgress(view([...states])).text).toBe(want));
});

describe('formatEta and backfillFraction', () => {
  it.each([[null, '—'], [0, '0 s'], [42.4, '42 s'], [60, '1 min'], [190, '3 min 10 s'], [3900, '1 h 5 min'], [7200, '2 h'], [Infinity, '—']])('%s s -> %s', (s, want) => {
    expect(formatEta(s)).toBe(want);
  });
  it.each([
    [{ done: 0, remaining: 0, phase: 'counting' }, 0],
    [{ done: 25, remaining: 75, phase: 'batch' }, 0.25],
    [{ done: 10, remaining: 3, phase: 'done' }, 1],
    [{ done: 200, remaining: 0, phase: 'batch' }, 1],
  ] as const)('%j -> %s', (p, want) => expect(backfillFraction(p)).toBe(want));
});

describe('stepSummary', () => {
  it('says where a backfill takes its values and in what batches', () => {
    expect(stepSummary({ id: 'b', title: 'B', kind: 'backfill', table: 'public.lessons', tenantColumn: 'organization_id', source: { kind: 'parent', foreignKey: 'lessons_fk' }, batchSize: 1500, throttleMs: 0 }))
      .toBe('fill public.lessons.organization_id from the parent row through lessons_fk, batches from 1,500 rows, sized to the target duration');
  });
  it('says a member check impersonates and a proposed contract runs nothing, which needs no write mode', () => {
    const member: RunbookStep = { id: 'm', title: 'M', kind: 'check', expect: { member: { role: 'authenticated', users: 'SELECT 1', sql: 'SELECT 1' } }, report: false };
    expect(stepSummary(member)).toBe('expects members see their own rows as authenticated');
    const proposal: Extract<RunbookStep, { kind: 'contract' }> = { id: 'p', title: 'P', kind: 'contract', tables: 'all', steps: ['unique'], plan: true };
    expect(stepSummary(proposal)).toBe('propose (dry run, nothing runs) unique on every tenant table');
    expect([stepWrites(proposal), stepWrites({ ...proposal, plan: false }), stepWrites(member)]).toEqual([false, true, true]);
  });
  it('lists every expectation of a check', () => {
    expect(stepSummary({ id: 'c', title: 'C', kind: 'check', expect: { no: ['null-tenant-rows'], fails: { sql: 'INSERT', error: '23502', column: 'organization_id' } }, report: true }))
      .toBe('expects no null-tenant-rows; a write probe fails with 23502 on column organization_id; signed report filed');
  });
});
