/** Isolation: RLS state per tenant table, policy text, unscoped policies, and the app-role probe. */
import { useMemo, useState } from 'react';
import type { CheckRun } from '../../shared/findings.js';
import type { TableInfo, TenancyModel } from '../../shared/model.js';
import { CodeBlock } from '../components/CodeBlock.js';
import { Drawer } from '../components/Drawer.js';
import { RequireModel } from '../components/RequireModel.js';
import { RoleBadge } from '../components/RoleBadge.js';
import { EmptyState } from '../components/States.js';
import { VirtualRows } from '../components/VirtualRows.js';
import { count, tableKey, tableLabel } from '../lib/format.js';
import { probeRunOf } from '../lib/probe.js';
import { probeStatus } from '../../shared/probe-status.js';
import { tableRole } from '../lib/table-roles.js';
import { latestRun, useChecks } from '../store/checks.js';
import { useConnection } from '../store/connection.js';

/** The probe's verdict: a leak is an error (red), no leak is a pass (green). */
function ProbeVerdict({ run, source }: { run: CheckRun; source?: string }) {
  const leaks = run.findings.filter((f) => f.check === 'isolation-leak');
  const rows = leaks.reduce((a, f) => a + (f.count ?? 0), 0);
  return leaks.length > 0
    ? <p className="status status-error" role="alert" data-testid="probe-result">{leaks.length} table(s) leak rows of other tenants ({count(rows)} rows){source ? ` · ${source}` : ''}.</p>
    : <p className="status status-ok" role="status" data-testid="probe-result">0 table(s) leak rows of other tenants: every probed table is isolated{source ? ` · ${source}` : ''}.</p>;
}

function ProbeForm({ model }: { model: TenancyModel }) {
  const profile = useConnection((s) => s.current?.profile);
  const { runProbe, probeState, probeError, probe } = useChecks();
  const overview = useChecks((s) => latestRun(s));
  const shown = probeRunOf(probe, overview, Boolean(profile?.rlsRole && profile.rlsSetting));
  const [role, setRole] = useState(profile?.rlsRole ?? '');
  const [setting, setSetting] = useState(profile?.rlsSetting ?? 'app.tenant_id');
  const [tenant, setTenant] = useState('');
  // On Supabase the probe signs in as a member of the tenant (authenticated) or as nobody (anon): no setting.
  const member = model.platform === 'supabase' && (role === 'authenticated' || role === 'anon');
  return (
    <form className="card probe-form" onSubmit={(e) => { e.preventDefault(); void runProbe({ rlsRole: role, rlsSetting: member ? undefined : setting, rlsTenant: tenant || undefined }); }}>
      <h2>Isolation probe</h2>
      <p className="muted">As the application role, with the tenant setting set to one tenant, count the rows of other tenants that are visible. Read-only.</p>
      <div className="grid-3">
        <label><span>App role</span><input name="rls-role" value={role} onChange={(e) => setRole(e.target.value)} required /></label>
        <label><span>Tenant setting{member ? ' (not needed: probes as a member)' : ''}</span><input name="rls-setting" value={member ? '' : setting} onChange={(e) => setSetting(e.target.value)} required={!member} disabled={member} /></label>
        <label><span>Tenant (empty = first)</span><input name="rls-tenant" value={tenant} onChange={(e) => setTenant(e.target.value)} /></label>
      </div>
      <button type="submit" className="primary" disabled={probeState === 'running' || !role || (!setting && !member)}>{probeState === 'running' ? 'Probing…' : 'Run probe'}</button>
      {probeState === 'error' && <p className="status status-error" role="alert">{probeError}</p>}
      {shown && <ProbeVerdict run={shown.run} source={shown.source} />}
    </form>
  );
}

function Policies({ t, onClose }: { t: TableInfo; onClose: () => void }) {
  return (
    <Drawer title={`Policies on ${tableLabel(t)}`} onClose={onClose} testId="policy-detail">
      <p>RLS {t.rlsEnabled ? 'enabled' : 'disabled'}, {t.rlsForced ? 'forced' : 'not forced'} (the owner {t.rlsForced ? 'is subject to' : 'bypasses'} policies).</p>
      {t.policies.length === 0 ? <p className="muted">No policies.{t.rlsEnabled ? ' With RLS enabled and no policy, the application sees no rows at all.' : ''}</p> : t.policies.map((p) => (
        <article key={p.name} className="policy">
          <h3>{p.name} <span className="badge">{p.command}</span> <span className="badge">{p.permissive ? 'permissive' : 'restrictive'}</span>{!p.referencesTenantColumn && <span className="badge sev-error">ignores the tenant column</span>}</h3>
          <p className="muted">Roles: {p.roles.join(', ') || 'PUBLIC'}</p>
          {p.using && <CodeBlock label="USING" code={p.using} />}
          {p.withCheck && <CodeBlock label="WITH CHECK" code={p.withCheck} />}
        </article>
      ))}
    </Drawer>
  );
}

function IsolationTable({ model }: { model: TenancyModel }) {
  const probeOnly = useChecks((s) => s.probe);
  const overview = useChecks((s) => latestRun(s));
  const profile = useConnection((s) => s.current?.profile);
  const probe = probeRunOf(probeOnly, overview, Boolean(profile?.rlsRole && profile.rlsSetting))?.run ?? null;
  const [open, setOpen] = useState<TableInfo | null>(null);
  const tables = useMemo(() => model.tables.filter((t) => t.role === 'tenant' || t.role === 'scoped'), [model]);
  if (tables.length === 0) return <EmptyState title="No tenant tables">Nothing to isolate yet.</EmptyState>;
  // A scoped table's policy goes through its parent: it has no tenant column to reference.
  const unscoped = tables.reduce((a, t) => a + (t.role === 'tenant' ? t.policies.filter((p) => !p.referencesTenantColumn).length : 0), 0);
  const scopedCount = tables.filter((t) => t.role === 'scoped').length;
  // Leaks the probe found in partitions, views and materialized views of tenant tables.
  const around = (probe?.findings ?? []).filter((f) => f.check === 'isolation-leak' && !tables.some((t) => t.schema === f.schema && t.table === f.table));
  return (
    <>
      <p className="muted" data-testid="isolation-summary">{tables.filter((t) => t.rlsEnabled).length} of {tables.length} tenant tables{scopedCount > 0 ? ` (${scopedCount} scoped through a parent)` : ''} have RLS enabled, {tables.filter((t) => t.rlsForced).length} forced; {unscoped} unscoped polic{unscoped === 1 ? 'y' : 'ies'}.</p>
      <div className="iso-row iso-head"><span>Table</span><span>RLS</span><span>Forced</span><span>Policies</span><span>Unscoped</span><span>Probe</span></div>
      <VirtualRows
        items={tables}
        rowHeight={34}
        height={440}
        label="RLS by table"
        testId="isolation-rows"
        getKey={(t) => tableKey(t)}
        onActivate={(t) => setOpen(t)}
        renderRow={(t) => {
          const s = probeStatus(probe, t);
          const bad = t.policies.filter((p) => !p.referencesTenantColumn).length;
          return (
            <div className="iso-row" data-table={t.table} data-role={t.role}>
              <span className="role-path" title={tableRole(model, t).detail}><RoleBadge model={model} table={t} /> {tableLabel(t)}</span>
              <span className={t.rlsEnabled ? 'ok-text' : 'bad-text'}>{t.rlsEnabled ? 'enabled' : 'disabled'}</span>
              <span className={t.rlsForced ? 'ok-text' : 'bad-text'}>{t.rlsForced ? 'forced' : 'no'}</span>
              <span>{t.policies.length}</span>
              {t.role === 'scoped' ? <span className="muted" title="a policy through the parent is fine">–</span> : <span className={bad ? 'bad-text' : 'ok-text'}>{bad}</span>}
              <span className={s.cls}>{s.text}</span>
            </div>
          );
        }}
      />
      {around.length > 0 && (
        <div className="card" data-testid="probe-around">
          <h3>Read around the tables: partitions, views and materialized views</h3>
          <ul className="diff-list">{around.map((f) => <li key={`${f.schema}.${f.table}`} className="bad-text">{f.message}</li>)}</ul>
        </div>
      )}
      {open && <Policies t={open} onClose={() => setOpen(null)} />}
    </>
  );
}

/** The Isolation page. */
export function IsolationPage() {
  return (
    <section className="page" aria-labelledby="iso-title" data-testid="page-isolation">
      <header className="page-header"><h1 id="iso-title">Isolation</h1></header>
      <RequireModel>{({ model }) => <><ProbeForm model={model} /><IsolationTable model={model} /></>}</RequireModel>
    </section>
  );
}
