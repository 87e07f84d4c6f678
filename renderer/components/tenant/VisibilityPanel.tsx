/** "Why does this customer see nothing?": impersonate the tenant as the app role; rows that exist against rows visible. */
import { useState } from 'react';
import type { VisibilityTable } from '../../../shared/tenant.js';
import { count, tableLabel } from '../../lib/format.js';
import { useConnection } from '../../store/connection.js';
import { useTenant } from '../../store/tenant.js';
import { CodeBlock } from '../CodeBlock.js';
import { ScrollArea } from '../ScrollArea.js';
import { LoadingState } from '../States.js';

const VERDICT: Record<VisibilityTable['verdict'], { label: string; cls: string }> = {
  'all-visible': { label: 'sees all', cls: 'ok' },
  hidden: { label: 'sees none', cls: 'sev-error' },
  'partly-hidden': { label: 'sees some', cls: 'sev-error' },
  leaks: { label: 'sees other tenants too', cls: 'sev-error' },
  'no-access': { label: 'no access', cls: 'sev-error' },
  error: { label: 'error', cls: 'sev-error' },
  'no-rows': { label: 'no rows', cls: '' },
};

/** The panel for the selected tenant. */
export function VisibilityPanel() {
  const profile = useConnection((s) => s.current?.profile);
  const { visibility, visibilityState, visibilityError, impersonate } = useTenant();
  const [role, setRole] = useState(profile?.rlsRole ?? '');
  const [setting, setSetting] = useState(profile?.rlsSetting ?? 'app.tenant_id');
  const [member, setMember] = useState('');
  const hiddenTables = visibility?.tables.filter((t) => t.verdict === 'hidden' || t.verdict === 'partly-hidden' || t.verdict === 'no-access' || t.verdict === 'error') ?? [];
  return (
    <div className="card" data-testid="visibility" aria-labelledby="visibility-title">
      <h2 id="visibility-title">Why does this customer see nothing?</h2>
      <p className="muted small-text">Becomes the application role with its tenant setting set to this tenant, in a read-only transaction that is always rolled back, and counts per table what it sees.</p>
      <form className="toolbar" onSubmit={(e) => { e.preventDefault(); void impersonate(role.trim(), setting.trim(), member.trim()); }}>
        <label><span>Application role</span>{' '}<input name="impersonate-role" value={role} onChange={(e) => setRole(e.target.value)} autoComplete="off" placeholder="app_user" /></label>
        <label><span>Tenant setting</span>{' '}<input name="impersonate-setting" value={setting} onChange={(e) => setSetting(e.target.value)} autoComplete="off" /></label>
        <label><span>Member (optional)</span>{' '}<input name="impersonate-member" value={member} onChange={(e) => setMember(e.target.value)} autoComplete="off" placeholder="Supabase user id" title="Also be this user: sets request.jwt.claim.sub and request.jwt.claims, what auth.uid() reads" /></label>
        <button type="submit" disabled={!role.trim() || !setting.trim() || visibilityState === 'loading'}>See what the app sees</button>
      </form>
      {visibilityError && <p className="status status-error" role="alert">{visibilityError}</p>}
      {visibilityState === 'loading' && <LoadingState label="Counting as the application role…" />}
      {visibility && visibilityState === 'loaded' && (
        <>
          <p className={`status ${hiddenTables.length ? 'status-error' : 'status-ok'}`} role={hiddenTables.length ? 'alert' : 'status'} data-testid="visibility-summary">
            {hiddenTables.length
              ? `As ${visibility.role}${visibility.member ? ` (member ${visibility.member})` : ''} with ${visibility.setting} = ${visibility.settingValue ?? '(empty)'}, the tenant's rows are hidden in ${hiddenTables.length} table(s): ${hiddenTables.map((t) => tableLabel(t)).join(', ')}.`
              : `As ${visibility.role}${visibility.member ? ` (member ${visibility.member})` : ''} with ${visibility.setting} = ${visibility.settingValue ?? '(empty)'}, the tenant sees all of its rows.`}
          </p>
          <ScrollArea label="Rows that exist against rows visible">
            <table className="sample-table" data-testid="visibility-table">
              <caption>Rows that exist against rows the application role sees</caption>
              <thead><tr><th scope="col">Table</th><th scope="col">Exist</th><th scope="col">Visible</th><th scope="col">Other tenants visible</th><th scope="col">Verdict</th><th scope="col">Why</th></tr></thead>
              <tbody>
                {visibility.tables.map((t) => (
                  <tr key={`${t.schema}.${t.table}`} data-table={t.table} data-verdict={t.verdict}>
                    <td>{tableLabel(t)}</td>
                    <td className="num">{count(t.exist)}</td>
                    <td className="num">{count(t.visible)}</td>
                    <td className="num">{count(t.othersVisible)}</td>
                    <td><span className={`badge ${VERDICT[t.verdict].cls}`}>{VERDICT[t.verdict].label}</span></td>
                    <td className="why">{t.why}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollArea>
          <details><summary>The probe as a script you can run</summary><CodeBlock label="Impersonation (read only, rolled back)" code={visibility.sql} /></details>
        </>
      )}
    </div>
  );
}
