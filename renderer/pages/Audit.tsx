/**
 * Audit: every statement the console sent, filtered by time, profile, operator, text and errors;
 * a virtualized list (newest last) with details in a drawer; the hash chain's verification.
 */
import { useEffect, useState } from 'react';
import type { AuditListItem } from '../../shared/contract/audit.js';
import { CodeBlock } from '../components/CodeBlock.js';
import { Drawer } from '../components/Drawer.js';
import { EmptyState, ErrorState } from '../components/States.js';
import { VirtualRows } from '../components/VirtualRows.js';
import { count } from '../lib/format.js';
import { useAudit } from '../store/audit.js';
import { useProfiles } from '../store/profiles.js';
import '../ops.css';

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

function Chain() {
  const v = useAudit((s) => s.verification);
  const error = useAudit((s) => s.verifyError);
  const verify = useAudit((s) => s.verify);
  return (
    <div className="chain actions" data-testid="audit-chain" data-ok={v?.ok ?? ''}>
      {v === null && !error && <span className="muted">Checking the hash chain…</span>}
      {v?.ok && <span className="status status-ok">Chain intact: {count(v.entries)} entries in {v.files} file{v.files === 1 ? '' : 's'}{v.lastHash ? <>, last hash <code>{v.lastHash.slice(0, 16)}</code></> : ''}</span>}
      {v && !v.ok && v.broken && (
        <span className="status status-error" role="alert">
          Chain BROKEN at {v.broken.file}{v.broken.line > 0 ? `:${v.broken.line}` : ''}{v.broken.seq !== null ? ` (seq ${v.broken.seq})` : ''}: {v.broken.reason}. {count(v.entries)} entries verified before it.
        </span>
      )}
      {error && <span className="status status-error" role="alert">{error}</span>}
      <button type="button" className="small" onClick={() => void verify()}>Verify again</button>
    </div>
  );
}

function Filters() {
  const f = useAudit((s) => s.filter);
  const setFilter = useAudit((s) => s.setFilter);
  const clear = useAudit((s) => s.clearFilter);
  const refresh = useAudit((s) => s.refresh);
  const profiles = useProfiles((s) => s.list);
  return (
    <form className="audit-filters" aria-label="Filter the audit log" onSubmit={(e) => { e.preventDefault(); void refresh(); }}>
      <label><span>From</span><input type="datetime-local" name="from" value={f.from} onChange={(e) => setFilter({ from: e.target.value })} /></label>
      <label><span>To</span><input type="datetime-local" name="to" value={f.to} onChange={(e) => setFilter({ to: e.target.value })} /></label>
      <label>
        <span>Profile</span>
        <input name="profile" list="audit-profiles" value={f.profile} onChange={(e) => setFilter({ profile: e.target.value })} placeholder="any" />
        <datalist id="audit-profiles">{profiles.map((p) => <option key={p.name} value={p.name} />)}</datalist>
      </label>
      <label><span>Operator</span><input name="operator" value={f.operator} onChange={(e) => setFilter({ operator: e.target.value })} placeholder="any" /></label>
      <label className="grow"><span>Text (statement, parameters, error)</span><input type="search" name="text" value={f.text} onChange={(e) => setFilter({ text: e.target.value })} placeholder="e.g. organizations" /></label>
      <label className="check"><input type="checkbox" name="errors-only" checked={f.errorsOnly} onChange={(e) => setFilter({ errorsOnly: e.target.checked })} /> <span>Errors only</span></label>
      <div className="actions">
        <button type="submit" className="primary">Filter</button>
        <button type="button" onClick={() => { clear(); void refresh(); }}>Clear</button>
      </div>
    </form>
  );
}

function Detail({ e, onClose }: { e: AuditListItem; onClose: () => void }) {
  return (
    <Drawer title={`Statement #${e.seq}`} onClose={onClose} testId="audit-detail">
      <dl className="fingerprint">
        <dt>Time</dt><dd>{new Date(e.time).toLocaleString()} ({e.time})</dd>
        <dt>Profile</dt><dd>{e.profile}</dd>
        <dt>Database</dt><dd>{e.database}</dd>
        <dt>Operator</dt><dd>{e.operator}</dd>
        <dt>Duration</dt><dd>{e.durationMs.toFixed(1)} ms</dd>
        <dt>Rows</dt><dd>{e.rows ?? '–'}</dd>
        {e.run && <><dt>Runbook run</dt><dd>{e.run}</dd></>}
      </dl>
      {e.error && <p className="status status-error">{e.error}</p>}
      <CodeBlock label="Statement" code={e.sql} testId="audit-sql" />
      {e.params.length > 0 && <CodeBlock label="Parameters" code={JSON.stringify(e.params, null, 2)} />}
    </Drawer>
  );
}

/** The Audit page. */
export function AuditPage() {
  const s = useAudit();
  const refresh = useAudit((x) => x.refresh);
  const verify = useAudit((x) => x.verify);
  const [open, setOpen] = useState<AuditListItem | null>(null);
  useEffect(() => {
    void refresh();
    void verify();
  }, [refresh, verify]);
  return (
    <section className="page" aria-labelledby="audit-title" data-testid="page-audit">
      <header className="page-header"><h1 id="audit-title">Audit log</h1><span className="muted small-text">{s.dir}</span></header>
      <Chain />
      <Filters />
      <p className="muted" data-testid="audit-count" data-state={s.listState}>
        {s.listState === 'loading' ? 'Reading…' : `${count(s.entries.length)} statement${s.entries.length === 1 ? '' : 's'}${s.truncated ? ` (the newest of ${count(s.total)})` : ''}, newest last`}
      </p>
      {s.listState === 'error' && <ErrorState title="Cannot read the audit log" message={s.listError ?? ''} onRetry={() => void refresh()} />}
      {s.listState === 'done' && s.entries.length === 0 && <EmptyState title="No statements match">Change the filters, or connect and work: every statement the console sends is recorded here.</EmptyState>}
      {s.entries.length > 0 && (
        <>
          <div className="audit-row audit-head" aria-hidden="true"><span>#</span><span>Time</span><span>Profile</span><span>Operator</span><span className="num">ms</span><span className="num">Rows</span><span>Statement</span></div>
          <VirtualRows
            items={s.entries}
            rowHeight={30}
            height={Math.min(520, s.entries.length * 30 + 4)}
            label="Audited statements"
            testId="audit-rows"
            getKey={(e) => String(e.seq)}
            selectedKey={open ? String(open.seq) : null}
            onActivate={(e) => setOpen(e)}
            renderRow={(e) => (
              <div className={`audit-row${e.error ? ' audit-error' : ''}`}>
                <span className="muted">{e.seq}</span>
                <span title={e.time}>{new Date(e.time).toLocaleString()}</span>
                <span>{e.profile}</span>
                <span>{e.operator}</span>
                <span className="num">{Math.round(e.durationMs)}</span>
                <span className="num">{e.error ? <span className="badge sev-error">error</span> : e.rows ?? '–'}</span>
                <code title={e.sql}>{oneLine(e.error ? `${e.sql}  -- ${e.error}` : e.sql)}</code>
              </div>
            )}
          />
        </>
      )}
      {open && <Detail e={open} onClose={() => setOpen(null)} />}
    </section>
  );
}
