/** `isolation-leak`: probe: as the app role with the tenant setting set to tenant T, rows not T's are visible. */
import pg from 'pg';
import type { TableInfo } from '../../../../shared/model.js';
import { qualified, quoteIdent } from '../../ident.js';
import { finding, type ProbeCheck } from '../check-module.js';
import { otherTenant, type ProbeOptions } from '../isolation.js';

/** Evidence: the probe itself, rolled back. */
export function probeEvidence(t: TableInfo, col: string, opts: ProbeOptions): string {
  return [
    'BEGIN READ ONLY;',
    `SET LOCAL ROLE ${quoteIdent(opts.role)};`,
    `SELECT set_config(${pg.escapeLiteral(opts.setting)}, ${pg.escapeLiteral(opts.tenant)}, true);`,
    `SELECT count(*) FROM ${qualified(t.schema, t.table)} c WHERE ${otherTenant(t, col, pg.escapeLiteral(opts.tenant), opts)};`,
    'ROLLBACK;',
  ].join('\n');
}

/** The check. */
export const isolationLeak: ProbeCheck = {
  id: 'isolation-leak', severity: 'error', kind: 'probe', title: 'Other tenants visible to the app role',
  why: 'As the application role with the tenant setting set to one tenant, rows of other tenants are visible.',
  finds: 'probe: as the app role with the tenant setting set to tenant T, rows not belonging to T are visible',
  needs: 'probe',
  find(opts, { table: t, column: col, count, sample }) {
    return finding('isolation-leak', t, {
      column: col,
      count,
      sample,
      message: `${t.schema}.${t.table}: as ${opts.role} with ${opts.setting} = ${opts.tenant}, ${count} rows of other tenants (or no tenant) are visible`,
      sql: probeEvidence(t, col, opts),
      remedy: t.rlsEnabled
        ? `-- review the policies of ${t.schema}.${t.table}; ${t.rlsForced ? '' : 'force RLS if the role owns the table; '}every policy must compare ${col} with current_setting(${pg.escapeLiteral(opts.setting)})`
        : `ALTER TABLE ${qualified(t.schema, t.table)} ENABLE ROW LEVEL SECURITY;  -- then add a tenant policy`,
    });
  },
};
