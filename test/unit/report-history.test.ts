/** Report history: grouping by database, and the plain words for what differs between two reports. */
import { describe, expect, it } from 'vitest';
import type { SavedReport } from '../../shared/contract/reports.js';
import { historyByDatabase, reportDifferences } from '../../shared/report-history.js';

const SCOPE = 'schemas public · tenant table public.orgs · tenant column org_id · global none · probe app_user';

function report(over: Partial<SavedReport>): SavedReport {
  return {
    name: 'r.json', htmlName: null, size: 1, createdAt: '2026-01-01T00:00:00Z', profile: 'p', environment: 'staging', database: 'app',
    verdict: 'fail', mode: 'exact', findings: 3, digest: 'd', keyId: 'k', databaseKey: 'app @ sysid 1', scope: SCOPE,
    bySeverity: { error: 2, warning: 1, info: 0 }, problem: null, ...over,
  };
}

describe('historyByDatabase', () => {
  it('groups by database key, oldest first, the most recently reported database first; unreadable reports left out', () => {
    const h = historyByDatabase([
      report({ name: 'a2', createdAt: '2026-01-03T00:00:00Z' }),
      report({ name: 'b1', createdAt: '2026-01-02T00:00:00Z', databaseKey: 'other @ sysid 2' }),
      report({ name: 'a1', createdAt: '2026-01-01T00:00:00Z' }),
      report({ name: 'bad', problem: 'not valid JSON', databaseKey: null }),
    ]);
    expect(h.map((g) => [g.key, g.reports.map((r) => r.name)])).toEqual([['app @ sysid 1', ['a1', 'a2']], ['other @ sysid 2', ['b1']]]);
  });
});

describe('reportDifferences', () => {
  it('finds nothing between two exact reports of the same database and scope (the clean twin)', () => {
    expect(reportDifferences(report({}), report({ name: 'b' }))).toEqual([]);
  });

  it('names a mode difference and what an estimate cannot see', () => {
    expect(reportDifferences(report({}), report({ mode: 'estimate' }))).toEqual([expect.stringContaining('different modes: before exact, after estimate (an estimate cannot see orphan rows')]);
  });

  it('names the scope field that changed, before and after', () => {
    const d = reportDifferences(report({}), report({ scope: SCOPE.replace('probe app_user', 'probe none') }));
    expect(d).toEqual(['different scope: probe: app_user → none']);
  });

  it('names different databases', () => {
    expect(reportDifferences(report({}), report({ databaseKey: 'other @ sysid 2' }))[0]).toBe('different databases: before app @ sysid 1, after other @ sysid 2');
  });
});
