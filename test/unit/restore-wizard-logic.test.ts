/** The restore wizard's pure logic: which step is open, scope and keys as typed, the request sent, confirmations. */
import { describe, expect, it } from 'vitest';
import {
  buildRestoreRequest, canOpen, columnsReady, doneStepLabel, confirmationMatches, parseKeys, reachableStep, searchTenantEntries, toScope, type Progress, type StepId,
} from '../../shared/restore-wizard.js';

const none: Progress = { backupId: null, compared: false, scopeReady: false, dryRunPassed: false, restored: false };

describe('steps', () => {
  it.each<[Partial<Progress>, StepId]>([
    [{}, 'pick'],
    [{ backupId: 3 }, 'compare'],
    [{ backupId: 3, compared: true }, 'scope'],
    [{ backupId: 3, compared: true, scopeReady: true }, 'dry-run'],
    [{ backupId: 3, compared: true, scopeReady: true, dryRunPassed: true }, 'confirm'],
    [{ backupId: 3, compared: true, scopeReady: false, dryRunPassed: true }, 'scope'],
    [{ backupId: 3, compared: true, scopeReady: true, dryRunPassed: true, restored: true }, 'done'],
  ])('%j reaches %s', (p, step) => {
    expect(reachableStep({ ...none, ...p })).toBe(step);
  });

  it.each<[StepId, StepId, boolean]>([
    ['pick', 'scope', true],
    ['scope', 'scope', true],
    ['dry-run', 'scope', false],
    ['confirm', 'dry-run', false],
    ['confirm', 'confirm', true],
    ['pick', 'done', false],
    ['confirm', 'done', false],
    ['done', 'done', true],
  ])('step %s with %s reachable: open %s', (s, reachable, open) => {
    expect(canOpen(s, reachable)).toBe(open);
  });
});

describe('scope as typed', () => {
  it.each<[string, string[][] | null]>([
    ['', null],
    [' ,\n, ', null],
    ['1,2, 3', [['1'], ['2'], ['3']]],
    ['1/a\n2/b', [['1', 'a'], ['2', 'b']]],
    ['Ünï; "x"', [['Ünï; "x"']]],
  ])('keys %j -> %j', (text, keys) => {
    expect(parseKeys(text)).toEqual(keys);
  });

  it('says what is missing instead of sending an empty scope', () => {
    expect(toScope({ kind: 'tenant', tenant: null })).toEqual({ missing: 'pick a tenant' });
    expect(toScope({ kind: 'keys', text: ' ' })).toEqual({ missing: 'type at least one primary key' });
    expect(toScope({ kind: 'tenant', tenant: '7' })).toEqual({ scope: { kind: 'tenant', tenant: '7' } });
  });

  it('needs a value for every column set to a value', () => {
    expect(columnsReady({ org_id: { mode: 'value', value: ' ' } })).toBe(false);
    expect(columnsReady({ org_id: { mode: 'value', value: '7' }, note: { mode: 'keep' }, x: { mode: 'null' } })).toBe(true);
  });
});

describe('the request', () => {
  it('sends chosen values for added columns, NULL as null, and leaves "keep" columns out', () => {
    const r = buildRestoreRequest({
      connectionId: 'c', backupId: 4, scope: { kind: 'table' }, strategy: 'upsert', dryRun: true,
      columns: { org_id: { mode: 'value', value: '7' }, note: { mode: 'keep' }, gone: { mode: 'null' } },
    });
    expect(r).toEqual({
      connectionId: 'c', backupId: 4, scope: { kind: 'table' }, strategy: 'upsert', dryRun: true,
      setColumns: [{ column: 'org_id', value: '7' }, { column: 'gone', value: null }],
    });
  });

  it('carries the typed table name only when given', () => {
    const base = { connectionId: 'c', backupId: 4, scope: { kind: 'table' } as const, strategy: 'replace' as const, columns: {}, dryRun: false };
    expect('confirmTable' in buildRestoreRequest(base)).toBe(false);
    expect(buildRestoreRequest({ ...base, confirmTable: 'x' }).confirmTable).toBe('x');
  });
});

describe('confirmation and search', () => {
  it.each([
    ['Credentials; "Ünï"', true],
    ['public.Credentials; "Ünï"', true],
    ['credentials; "Ünï"', false],
    ['', false],
    ['public."Credentials; ""Ünï"""', false],
  ])('typed %j confirms: %s', (typed, ok) => {
    expect(confirmationMatches(typed, 'public', 'Credentials; "Ünï"')).toBe(ok);
  });

  it('finds tenants by name or id, named ones first', () => {
    const tenants = [{ id: '10', name: null }, { id: '2', name: 'Globex' }, { id: '1', name: 'Acme Ltd' }, { id: '21', name: 'Acme Two' }];
    expect(searchTenantEntries(tenants, 'ACME').map((t) => t.id)).toEqual(['1', '21']);
    expect(searchTenantEntries(tenants, '1').map((t) => t.id)).toEqual(['1', '21', '10']);
    expect(searchTenantEntries(tenants, '').map((t) => t.id)).toEqual(['1', '21', '2', '10']);
  });
});

describe('the last step of the stepper', () => {
  it('is the goal until there is a result, then says the result: a restore not verified is never labelled verified', () => {
    expect(doneStepLabel(null)).toEqual({ label: 'Verified', mark: null });
    expect(doneStepLabel('verified')).toEqual({ label: 'Verified', mark: '✓' });
    expect(doneStepLabel('mismatch-rolled-back')).toEqual({ label: 'Rolled back', mark: '✗' });
    expect(doneStepLabel('mismatch-committed')).toEqual({ label: 'Not verified', mark: '✗' });
  });
});
