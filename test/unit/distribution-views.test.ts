/** Distribution views over a per-distribution index: one tenant's rows per table, two compared, tenant totals, search. */
import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../shared/findings.js';
import { footprint, searchTenants, tenantTotals } from '../../shared/distribution-views.js';

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

describe('footprint', () => {
  it('sums one tenant per table, biggest first, ties by table then schema', () => {
    expect(footprint(d, '1', null)).toEqual([
      { schema: 'app', table: 'orders', a: 40, b: 0 },
      { schema: 'app', table: 'users', a: 3, b: 0 },
      { schema: 'billing', table: 'users', a: 3, b: 0 },
    ]);
  });

  it('compares two tenants over the tables either has rows in', () => {
    expect(footprint(d, '2', '1')).toEqual([
      { schema: 'app', table: 'orders', a: 5, b: 40 },
      { schema: 'app', table: 'notes', a: 9, b: 0 },
      { schema: 'app', table: 'users', a: 0, b: 3 },
      { schema: 'billing', table: 'users', a: 0, b: 3 },
    ]);
  });

  it('never counts a missing-tenant bucket row as a tenant\'s own, and is empty for a tenant with no rows', () => {
    expect(footprint(d, '999', null)).toEqual([]);
    expect(footprint(d, '3', null)).toEqual([]);
  });
});

describe('tenant totals', () => {
  it('lists every tenant, rows-less ones included, biggest first', () => {
    expect(tenantTotals(d)).toEqual([{ id: '1', name: 'Acme', rows: 46 }, { id: '2', name: 'Globex', rows: 14 }, { id: '3', name: 'Initech', rows: 0 }]);
    expect(tenantTotals(d)).toBe(tenantTotals(d));
  });

  it('finds tenants by id or name', () => {
    expect(searchTenants(tenantTotals(d), 'glo').map((t) => t.id)).toEqual(['2']);
    expect(searchTenants(tenantTotals(d), '3').map((t) => t.id)).toEqual(['3']);
    expect(searchTenants(tenantTotals(d), 'zzz')).toEqual([]);
  });
});
