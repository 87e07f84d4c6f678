/** The host's index of a distribution (tenant totals, one tenant's rows) and the page's views over it: footprint, two compared, search. */
import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../shared/findings.js';
import { indexDistribution, tenantRowsOf } from '../../shared/distribution-summary.js';
import { footprint, searchTenants } from '../../shared/distribution-views.js';

const row = (schema: string, table: string, tenant: string | null, rows: number, bucket: Distribution['rows'][number]['bucket'] = 'tenant') =>
  ({ schema, table, tenant, tenantName: tenant === null ? null : `Tenant ${tenant}`, bucket, rows });

function distribution(rows: Distribution['rows']): Distribution {
  return {
    database: { serverVersion: '18.0', serverVersionNum: 180000, database: 'd', user: 'u', serverAddress: null, serverPort: 5432, systemIdentifier: '1', superuser: false, readOnly: true },
    tenantTable: 'app.orgs', tenantColumn: 'org_id',
    tenants: [{ id: '1', name: 'Acme' }, { id: '2', name: 'Globex' }, { id: '3', name: 'Initech' }],
    rows, noTenant: [], missingTenant: [], skipped: [],
  } as Distribution;
}

const d = distribution([
  row('app', 'orders', '1', 40), row('app', 'orders', '2', 5), row('app', 'users', '1', 3),
  row('billing', 'users', '1', 3), row('app', 'notes', '2', 9), row('app', 'orders', '999', 7, 'missing-tenant'),
]);
const ix = indexDistribution(d, 4, '2026-01-01T00:00:00.000Z');
const rowsOf = (id: string) => tenantRowsOf(ix, [id]).tenants[0]!.rows;
const tenantTotals = () => ix.summary.tenants;

describe('footprint', () => {
  it('sums one tenant per table, biggest first, ties by table then schema', () => {
    expect(footprint(rowsOf('1'), null)).toEqual([
      { schema: 'app', table: 'orders', a: 40, b: 0 },
      { schema: 'app', table: 'users', a: 3, b: 0 },
      { schema: 'billing', table: 'users', a: 3, b: 0 },
    ]);
  });

  it('compares two tenants over the tables either has rows in', () => {
    expect(footprint(rowsOf('2'), rowsOf('1'))).toEqual([
      { schema: 'app', table: 'orders', a: 5, b: 40 },
      { schema: 'app', table: 'notes', a: 9, b: 0 },
      { schema: 'app', table: 'users', a: 0, b: 3 },
      { schema: 'billing', table: 'users', a: 0, b: 3 },
    ]);
  });

  it('never counts a missing-tenant bucket row as a tenant\'s own, and is empty for a tenant with no rows', () => {
    expect(footprint(rowsOf('999'), null)).toEqual([]);
    expect(footprint(rowsOf('3'), null)).toEqual([]);
  });
});

describe('tenant rows', () => {
  it('answers the tenants asked for in order; an id the tenant table lacks gets no name and no rows', () => {
    const answer = tenantRowsOf(ix, ['2', '999']);
    expect(answer.tenants.map((t) => [t.id, t.name, t.rows.length])).toEqual([['2', 'Globex', 2], ['999', null, 0]]);
    expect(answer.countedAt).toBe(ix.summary.countedAt);
  });
});

describe('tenant totals', () => {
  it('lists every tenant, rows-less ones included, biggest first', () => {
    expect(tenantTotals()).toEqual([{ id: '1', name: 'Acme', rows: 46 }, { id: '2', name: 'Globex', rows: 14 }, { id: '3', name: 'Initech', rows: 0 }]);
    expect(ix.summary).toMatchObject({ tables: 4, countedAt: '2026-01-01T00:00:00.000Z', tenantTable: 'app.orgs' });
  });

  it('breaks ties by id in numeric order for numeric ids (6 before 10), code-unit order otherwise', () => {
    const tie = distribution(['10', '6', '37', '8'].map((id) => row('app', 'orders', id, 5)));
    tie.tenants = ['10', '6', '37', '8', 'b', 'a'].map((id) => ({ id, name: `Org ${id}` }));
    expect(indexDistribution(tie, 1, '2026-01-01T00:00:00.000Z').summary.tenants.map((t) => t.id)).toEqual(['6', '8', '10', '37', 'a', 'b']);
  });

  it('finds tenants by id or name', () => {
    expect(searchTenants(tenantTotals(), 'glo').map((t) => t.id)).toEqual(['2']);
    expect(searchTenants(tenantTotals(), '3').map((t) => t.id)).toEqual(['3']);
    expect(searchTenants(tenantTotals(), 'zzz')).toEqual([]);
  });
});
