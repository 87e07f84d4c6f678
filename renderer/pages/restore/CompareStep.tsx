/** Step 2: the backup against the live table by primary key, per tenant, with samples; added and dropped columns shown. */
import { useMemo } from 'react';
import type { CompareResult } from '../../../shared/backup.js';
import { ErrorState, LoadingState } from '../../components/States.js';
import { VirtualRows } from '../../components/VirtualRows.js';
import { count } from '../../lib/format.js';
import { useRestore } from '../../store/restore.js';
import { useTenantNames } from './tenant-names.js';

function Counts({ c }: { c: CompareResult }) {
  const cards: [string, number, boolean][] = [
    ['Only in backup', c.counts.onlyBackup, c.counts.onlyBackup > 0],
    ['Only live', c.counts.onlyLive, c.counts.onlyLive > 0],
    ['Changed', c.counts.changed, c.counts.changed > 0],
    ['Same', c.counts.same, false],
  ];
  return (
    <div className="cards" data-testid="compare-counts">
      {cards.map(([k, v, bad]) => (
        <div key={k} className={`card stat${bad ? ' sev-card sev-warning' : ''}`} data-kind={k}><div className="stat-label">{k}</div><div className="stat-value">{count(v)}</div></div>
      ))}
    </div>
  );
}

function Columns({ c }: { c: CompareResult }) {
  const changed = Object.entries(c.changedByColumn);
  return (
    <div className="column-changes" data-testid="compare-columns">
      <p><strong>Columns added since the backup:</strong> {c.columnsAdded.length ? c.columnsAdded.map((x) => <code key={x} className="badge sev-warning">{x}</code>) : <span className="muted">none</span>}
        {c.columnsAdded.length > 0 && <span className="muted small-text"> · the backup has no value for them; choose one in the scope step</span>}</p>
      <p><strong>Columns dropped since the backup:</strong> {c.columnsDropped.length ? c.columnsDropped.map((x) => <code key={x} className="badge sev-error">{x}</code>) : <span className="muted">none</span>}
        {c.columnsDropped.length > 0 && <span className="muted small-text"> · their backed-up values cannot be restored</span>}</p>
      {changed.length > 0 && <p><strong>Changed rows differ in:</strong> {changed.map(([k, v]) => `${k} (${count(v)})`).join(', ')}</p>}
    </div>
  );
}

function PerTenant({ c }: { c: CompareResult }) {
  const names = useTenantNames();
  const differing = useMemo(() => c.perTenant.filter((t) => t.onlyBackup + t.onlyLive + t.changed > 0), [c]);
  if (!c.tenantColumn) return <p className="muted">No tenant column found in {c.schema}.{c.table}: no per-tenant breakdown.</p>;
  return (
    <>
      <h3>Per tenant ({c.tenantColumn}) · {count(differing.length)} of {count(c.perTenant.length)} tenants differ</h3>
      {differing.length > 0 && (
        <>
          <div className="tenant-diff-row tenant-diff-head" aria-hidden="true"><span>Tenant</span><span className="num">Only backup</span><span className="num">Only live</span><span className="num">Changed</span><span className="num">Same</span></div>
          <VirtualRows
            items={differing}
            rowHeight={34}
            height={Math.min(240, differing.length * 34 + 4)}
            label="Tenants whose rows differ"
            testId="compare-tenants"
            getKey={(t) => t.tenant ?? '\u0000none'}
            renderRow={(t) => (
              <div className="tenant-diff-row" data-tenant={t.tenant ?? ''}>
                <span>{t.tenant === null ? <em>{c.tenantColumn && c.columnsAdded.includes(c.tenantColumn) ? `(none: the backup predates ${c.tenantColumn})` : '(no tenant)'}</em> : <>{names.get(t.tenant) ?? ''} <code className="muted">{t.tenant}</code></>}</span>
                <span className="num">{count(t.onlyBackup)}</span><span className="num">{count(t.onlyLive)}</span>
                <span className="num">{count(t.changed)}</span><span className="num">{count(t.same)}</span>
              </div>
            )}
          />
        </>
      )}
    </>
  );
}

function Samples({ c }: { c: CompareResult }) {
  if (c.samples.length === 0) return <p className="ok-text">The live table matches the backup row for row.</p>;
  return (
    <table className="sample-table" data-testid="compare-samples">
      <caption>Samples (by primary key: {c.primaryKey.join(', ')})</caption>
      <thead><tr><th scope="col">Kind</th><th scope="col">Key</th><th scope="col">Tenant</th><th scope="col">Changed columns</th></tr></thead>
      <tbody>
        {c.samples.map((s, i) => (
          <tr key={i} data-kind={s.kind}><td>{s.kind}</td><td>{Object.values(s.key).join(' / ')}</td><td className={s.tenant === null ? 'null' : undefined}>{s.tenant ?? 'NULL'}</td><td>{s.changedColumns.join(', ')}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

/** The comparison step. */
export function CompareStep() {
  const compare = useRestore((s) => s.compare);
  const runCompare = useRestore((s) => s.runCompare);
  const goTo = useRestore((s) => s.goTo);
  const c = compare.value;
  return (
    <section aria-label="Compare with the live table">
      <h2 tabIndex={-1}>Compare with the live table</h2>
      {compare.state === 'running' && <LoadingState label="Comparing backup and live rows by primary key (one snapshot)…" />}
      {compare.state === 'error' && <ErrorState title="Cannot compare" message={compare.error ?? ''} onRetry={() => void runCompare()} />}
      {c && compare.state === 'done' && (
        <>
          <p className="muted">Backup {c.backupId} vs live <strong>{c.schema}.{c.table}</strong>, matched by primary key ({c.primaryKey.join(', ')}).</p>
          <Counts c={c} />
          <Columns c={c} />
          <PerTenant c={c} />
          <Samples c={c} />
          <div className="actions wizard-nav">
            <button type="button" onClick={() => void runCompare()}>Compare again</button>
            <button type="button" className="primary" onClick={() => goTo('scope')}>Next: choose scope</button>
          </div>
        </>
      )}
    </section>
  );
}
