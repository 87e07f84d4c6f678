/**
 * The isolation probe: as the application role, with the tenant setting set to one tenant, count
 * the rows of other tenants that are still visible. Runs in a read-only transaction that is
 * always rolled back; SET LOCAL ROLE and set_config(..., true) end with it.
 */
import type { SampleRow, Skipped } from '../../../shared/findings.js';
import type { TableInfo } from '../../../shared/model.js';
import { UserError } from '../errors.js';
import { qualified, quoteIdent } from '../ident.js';
import type { Session } from '../session.js';
import { SAMPLE_SIZE } from './scan.js';
import { sampleSelect } from './statements.js';
import { asKeyType, type KeyCompare } from './tenant-values.js';

/** What the probe needs: the role, the setting it reads, and which tenant to pretend to be. */
export interface ProbeOptions {
  role: string;
  setting: string;
  tenant: string;
  /** Compare tenant values in the key's type (a text column of upper-case uuids is the same tenant). */
  cmp?: KeyCompare;
}

/** What the probe saw in one relation: rows of other tenants (or none) that are visible. */
export interface ProbeHit {
  table: TableInfo;
  column: string;
  count: number;
  sample: SampleRow[];
}

/** Probe every table; returns what was visible where it was not zero, and tables the role could not read. */
export async function probeIsolation(
  session: Session, tables: TableInfo[], opts: ProbeOptions, onTable?: (t: TableInfo) => void,
): Promise<{ hits: ProbeHit[]; skipped: Skipped[] }> {
  const hits: ProbeHit[] = [];
  const skipped: Skipped[] = [];
  await session.query('BEGIN READ ONLY');
  try {
    try {
      await session.query(`SET LOCAL ROLE ${quoteIdent(opts.role)}`);
    } catch (err) {
      throw new UserError(`cannot SET ROLE ${opts.role} for the isolation probe: ${(err as Error).message}; check --rls-role, and that ${session.fingerprint.user} is a member of it`, 'permission');
    }
    try {
      await session.query('SELECT set_config($1, $2, true)', [opts.setting, opts.tenant]);
    } catch (err) {
      throw new UserError(`cannot set ${opts.setting}: ${(err as Error).message}; --rls-setting must look like app.tenant_id`, 'usage');
    }
    for (const t of tables) {
      onTable?.(t);
      const col = t.tenantColumn!.name;
      await session.query('SAVEPOINT probe');
      try {
        const { rows } = await session.query<Record<string, string | null> & { __total: string }>(
          `SELECT ${sampleSelect(t, 'c')}, c.${quoteIdent(col)}::text AS ${quoteIdent(col)}, count(*) OVER () AS __total ` +
            `FROM ${qualified(t.schema, t.table)} c WHERE ${otherTenant(t, col, '$1', opts)} LIMIT ${SAMPLE_SIZE}`,
          [opts.tenant],
        );
        await session.query('RELEASE SAVEPOINT probe');
        const count = rows[0] ? Number(rows[0].__total) : 0;
        if (count > 0) hits.push({ table: t, column: col, count, sample: rows.map(({ __total: _t, ...rest }) => rest) });
      } catch (err) {
        await session.query('ROLLBACK TO SAVEPOINT probe');
        skipped.push({ schema: t.schema, table: t.table, reason: `isolation probe: ${(err as Error).message}` });
      }
    }
  } finally {
    await session.query('ROLLBACK').catch(() => undefined);
  }
  return { hits, skipped };
}

/** "Row c is not the probed tenant's": compared in the key's type when known, else as text. */
export function otherTenant(t: TableInfo, col: string, tenant: string, opts: ProbeOptions): string {
  const c = `c.${quoteIdent(col)}`;
  if (!opts.cmp) return `${c}::text IS DISTINCT FROM ${tenant}`;
  const value = asKeyType(c, t.tenantColumn?.type ?? opts.cmp.keyType, opts.cmp.keyType, opts.cmp.serverVersionNum);
  return `${value} IS DISTINCT FROM (${tenant})::${opts.cmp.keyType}`;
}
