/** One tenant's rows per table (own and scoped through a parent) and the stray rows hanging off them. */
import { useMemo, useState } from 'react';
import type { TenantFootprint } from '../../../shared/tenant.js';
import { count, tableLabel } from '../../lib/format.js';
import { useTenant } from '../../store/tenant.js';
import { Bars } from '../Bars.js';
import { ScrollArea } from '../ScrollArea.js';
import { EmptyState } from '../States.js';

/** Tables listed before "Show all": the page never puts thousands of rows into the DOM at once. */
export const FOOTPRINT_ROWS_SHOWN = 100;

/** The footprint of the selected tenant. */
export function FootprintCard({ fp }: { fp: TenantFootprint }) {
  const open = useTenant((s) => s.open);
  const browse = useTenant((s) => s.browse);
  const total = fp.tables.reduce((a, t) => a + t.rows, 0);
  const stray = fp.tables.reduce((a, t) => a + t.strayRows, 0);
  const withRows = useMemo(() => fp.tables.filter((t) => t.rows > 0).sort((a, b) => b.rows - a.rows), [fp]);
  const [showAll, setShowAll] = useState(false);
  // Tables with stray rows first, then by the tenant's rows: what a support engineer looks at first.
  const ordered = useMemo(() => [...fp.tables].sort((a, b) => b.strayRows - a.strayRows || b.rows - a.rows || a.table.localeCompare(b.table)), [fp]);
  const shown = showAll ? ordered : ordered.slice(0, FOOTPRINT_ROWS_SHOWN);
  const isOpen = (schema: string, table: string, kind: string, constraint?: string) =>
    browse?.schema === schema && browse.table === table && browse.scope.kind === kind && (browse.scope.kind !== 'concerning' || browse.scope.constraint === constraint);
  return (
    <div className="card" data-testid="tenant-footprint" data-tenant={fp.tenant.id}>
      <h2>{fp.tenant.name ?? fp.tenant.id} <code className="muted">{fp.tenant.id}</code>{fp.tenant.slug && <span className="muted"> · {fp.tenant.slug}</span>}</h2>
      <p className="muted">{count(total)} rows in {withRows.length} of {fp.tables.length} tables (exact counts){stray > 0 && <> · <strong className="bad-text">{count(stray)} stray rows</strong> (no tenant, or a missing one) hang off its rows</>}</p>
      {total === 0 && <EmptyState title="This tenant has no rows">If the customer sees nothing, this is why: no table holds a row of theirs.</EmptyState>}
      {withRows.length > 0 && <div className="chart-narrow"><Bars title={`Rows per table for ${fp.tenant.name ?? fp.tenant.id}`} aLabel="rows" data={withRows.slice(0, 20).map((t) => ({ label: tableLabel(t), a: t.rows }))} /></div>}
      <ScrollArea label="Rows per table">
        <table className="sample-table" data-testid="footprint-tables">
          <caption>Rows per table</caption>
          <thead><tr><th scope="col">Table</th><th scope="col">Tenant read from</th><th scope="col">Rows</th><th scope="col">Stray rows off its rows</th><th scope="col"><span className="sr-only">Browse</span></th></tr></thead>
          <tbody>
            {shown.map((t) => (
              <tr key={`${t.schema}.${t.table}`} data-table={t.table}>
                <td>{tableLabel(t)}{t.role === 'scoped' && <span className="badge">scoped</span>}</td>
                <td>{t.via}</td>
                <td className="num">{count(t.rows)}</td>
                <td>
                  {t.concerning.length === 0 ? <span className="muted">none</span> : t.concerning.map((c) => (
                    <button key={c.constraint} type="button" className="small danger-outline" aria-pressed={isOpen(t.schema, t.table, 'concerning', c.constraint)}
                      onClick={() => void open(t.schema, t.table, { kind: 'concerning', constraint: c.constraint })}
                      title={`Rows of ${t.table} whose ${c.constraint} parent in ${c.parentTable} is this tenant's, but which name no tenant or a missing one`}>
                      {c.noTenant > 0 && `${count(c.noTenant)} no tenant`}{c.noTenant > 0 && c.missingTenant > 0 && ' · '}{c.missingTenant > 0 && `${count(c.missingTenant)} missing tenant`} via {c.parentTable}
                    </button>
                  ))}
                </td>
                <td><button type="button" className="small" disabled={t.rows === 0} aria-pressed={isOpen(t.schema, t.table, 'tenant')} onClick={() => void open(t.schema, t.table)}>Browse rows<span className="sr-only"> of {t.table}</span></button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollArea>
      {shown.length < ordered.length && (
        <button type="button" className="small" onClick={() => setShowAll(true)}>Show all {count(ordered.length)} tables ({count(ordered.length - shown.length)} more)</button>
      )}
      {fp.skipped.length > 0 && <p className="status status-warn" role="status">Not counted: {fp.skipped.map((s) => `${tableLabel(s)} (${s.reason})`).join('; ')}</p>}
    </div>
  );
}
