/** Add or edit a profile: paste a URL to fill the fields, test it (shows the fingerprint), save it. */
import { useState, type FormEvent } from 'react';
import type { ProfileView } from '../../shared/contract/index.js';
import type { Fingerprint } from '../../shared/findings.js';
import type { ProfileInput } from '../../shared/profile.js';
import { plainErrorText } from '../lib/errors.js';
import { useProfiles } from '../store/profiles.js';

interface Fields {
  name: string; host: string; port: string; database: string; user: string;
  sslmode: NonNullable<ProfileInput['sslmode']>; environment: NonNullable<ProfileInput['environment']>;
  schemas: string; tenantTable: string; tenantColumn: string; globalTables: string; globalUniques: string;
  rlsRole: string; rlsSetting: string; statementTimeoutMs: string; lockTimeoutMs: string;
}

function fieldsFrom(p: ProfileView | null): Fields {
  return {
    name: p?.name ?? '', host: p?.host ?? 'localhost', port: String(p?.port ?? 5432), database: p?.database ?? '', user: p?.user ?? '',
    sslmode: p?.sslmode ?? 'prefer', environment: p?.environment ?? 'development',
    schemas: p?.tenancy.schemas?.join(', ') ?? '', tenantTable: p?.tenancy.tenantTable ?? '', tenantColumn: p?.tenancy.tenantColumn ?? '',
    globalTables: p?.tenancy.globalTables?.join(', ') ?? '', globalUniques: p?.tenancy.globalUniques?.join(', ') ?? '', rlsRole: p?.rlsRole ?? '', rlsSetting: p?.rlsSetting ?? '',
    statementTimeoutMs: String(p?.statementTimeoutMs ?? 30000), lockTimeoutMs: String(p?.lockTimeoutMs ?? 3000),
  };
}

const list = (s: string) => (s.trim() ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);
const opt = (s: string) => (s.trim() ? s.trim() : undefined);

function toProfile(f: Fields): ProfileInput {
  return {
    name: f.name.trim(), host: f.host.trim(), port: Number(f.port), database: f.database.trim(), user: f.user.trim(),
    sslmode: f.sslmode, environment: f.environment,
    tenancy: { schemas: list(f.schemas), tenantTable: opt(f.tenantTable), tenantColumn: opt(f.tenantColumn), globalTables: list(f.globalTables), globalUniques: list(f.globalUniques) },
    rlsRole: opt(f.rlsRole), rlsSetting: opt(f.rlsSetting),
    statementTimeoutMs: Number(f.statementTimeoutMs), lockTimeoutMs: Number(f.lockTimeoutMs),
  };
}

/** The profile form; `editing` null adds a new profile. */
export function ProfileForm({ editing, onDone }: { editing: ProfileView | null; onDone: () => void }) {
  const storage = useProfiles((s) => s.storage);
  const save = useProfiles((s) => s.save);
  const parseUrl = useProfiles((s) => s.parseUrl);
  const test = useProfiles((s) => s.test);
  const [f, setF] = useState<Fields>(() => fieldsFrom(editing));
  const [url, setUrl] = useState('');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [status, setStatus] = useState<{ kind: 'info' | 'error' | 'ok'; text: string } | null>(null);
  const [fingerprint, setFingerprint] = useState<Fingerprint | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Fields>(k: K, v: Fields[K]) => setF((old) => ({ ...old, [k]: v }));

  const applyUrl = async () => {
    setStatus(null);
    try {
      const parsed = await parseUrl(url);
      setF((old) => ({ ...old, host: parsed.host, port: String(parsed.port), database: parsed.database, user: parsed.user, sslmode: parsed.sslmode ?? old.sslmode, name: old.name || parsed.database }));
      if (parsed.hasPassword) {
        // The URL is the operator's own input: its password is taken from it here, never echoed by the host.
        const u = new URL(url.trim().replace(/^postgres(ql)?:/i, 'http:'));
        setPassword(decodeURIComponent(u.password));
      }
      setUrl('');
      setStatus({ kind: 'info', text: parsed.hasPassword ? 'Fields filled from the URL; its password is in the password field.' : 'Fields filled from the URL.' });
    } catch (err) {
      setStatus({ kind: 'error', text: plainErrorText(err) });
    }
  };

  const run = async (what: 'test' | 'save', e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      if (what === 'test') {
        setFingerprint(await test(toProfile(f), password || undefined));
        setStatus({ kind: 'ok', text: 'Connected.' });
      } else {
        const note = await save(toProfile(f), password ? { value: password, remember } : undefined, editing?.name);
        setPassword('');
        if (note) setStatus({ kind: 'info', text: note });
        onDone();
      }
    } catch (err) {
      setFingerprint(null);
      setStatus({ kind: 'error', text: plainErrorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const text = (k: keyof Fields, label: string, extra: { placeholder?: string; type?: string } = {}) => (
    <label>
      <span>{label}</span>
      <input name={k} value={f[k]} onChange={(e) => set(k, e.target.value as never)} {...extra} />
    </label>
  );

  return (
    <form className="profile-form card" onSubmit={(e) => void run('save', e)} aria-label={editing ? `Edit profile ${editing.name}` : 'Add a profile'}>
      <h2>{editing ? `Edit ${editing.name}` : 'Add a profile'}</h2>
      <div className="url-paste">
        <label>
          <span>Paste a connection URL</span>
          <input name="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="postgres://user@host:5432/database" autoComplete="off" />
        </label>
        <button type="button" onClick={() => void applyUrl()} disabled={!url.trim()}>Fill from URL</button>
      </div>
      <div className="grid-2">
        {text('name', 'Name')}
        <label>
          <span>Environment</span>
          <select name="environment" value={f.environment} onChange={(e) => set('environment', e.target.value as Fields['environment'])}>
            <option value="development">development</option>
            <option value="staging">staging</option>
            <option value="production">production</option>
          </select>
        </label>
        {text('host', 'Host')}
        {text('port', 'Port', { type: 'number' })}
        {text('database', 'Database')}
        {text('user', 'User')}
        <label>
          <span>SSL mode</span>
          <select name="sslmode" value={f.sslmode} onChange={(e) => set('sslmode', e.target.value as Fields['sslmode'])}>
            {(['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const).map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <label>
          <span>Password {editing?.hasSavedPassword ? '(saved; leave empty to keep)' : ''}</span>
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="off" />
        </label>
      </div>
      <label className="check">
        <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} disabled={!storage?.persistent} />
        <span>Remember the password {storage?.persistent ? `(${storage.backend})` : ''}</span>
      </label>
      {storage && !storage.persistent && <p className="muted small-text">Don't save: {storage.note}</p>}
      <details>
        <summary>Tenancy settings and timeouts</summary>
        <div className="grid-2">
          {text('schemas', 'Schemas (comma-separated; empty = all)')}
          {text('tenantTable', 'Tenant table (empty = detect)', { placeholder: 'public.organizations' })}
          {text('tenantColumn', 'Tenant column (empty = detect)', { placeholder: 'organization_id' })}
          {text('globalTables', 'Global tables (comma-separated)')}
          {text('globalUniques', 'Global uniques: unique across tenants by design (schema.table.column, comma-separated)', { placeholder: 'public.invitations.token' })}
          {text('rlsRole', 'RLS probe role')}
          {text('rlsSetting', 'RLS tenant setting', { placeholder: 'app.tenant_id' })}
          {text('statementTimeoutMs', 'statement_timeout (ms)', { type: 'number' })}
          {text('lockTimeoutMs', 'lock_timeout (ms)', { type: 'number' })}
        </div>
      </details>
      {status && <p className={`status status-${status.kind}`} role={status.kind === 'error' ? 'alert' : 'status'}>{status.text}</p>}
      {fingerprint && (
        <dl className="fingerprint" data-testid="test-fingerprint">
          <dt>Server</dt><dd>PostgreSQL {fingerprint.serverVersion}</dd>
          <dt>Database</dt><dd>{fingerprint.database}</dd>
          <dt>User</dt><dd>{fingerprint.user}{fingerprint.superuser ? ' (superuser)' : ''}</dd>
          <dt>Address</dt><dd>{fingerprint.serverAddress ?? 'socket'}:{fingerprint.serverPort ?? ''}</dd>
          <dt>System id</dt><dd>{fingerprint.systemIdentifier ?? 'not readable by this role'}</dd>
        </dl>
      )}
      <div className="actions">
        <button type="button" onClick={() => void run('test')} disabled={busy}>Test connection</button>
        <button type="submit" className="primary" disabled={busy}>Save profile</button>
        <button type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
