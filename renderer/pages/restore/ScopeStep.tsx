/** Step 3: scope (whole table, one tenant, chosen keys), strategy (replace, upsert), values for added columns. */
import type { CompareResult } from '../../../shared/backup.js';
import { columnsReady, toScope, type ColumnChoice } from '../../../shared/restore-wizard.js';
import { useConnection } from '../../store/connection.js';
import { useRestore } from '../../store/restore.js';
import { TenantPicker } from './TenantPicker.js';

function ScopeChooser({ c }: { c: CompareResult }) {
  const scope = useRestore((s) => s.scope);
  const setScope = useRestore((s) => s.setScope);
  return (
    <fieldset className="choice">
      <legend>Which rows</legend>
      <label className="check"><input type="radio" name="scope" value="table" checked={scope.kind === 'table'} onChange={() => setScope({ kind: 'table' })} /> The whole table</label>
      <label className="check">
        <input type="radio" name="scope" value="tenant" checked={scope.kind === 'tenant'} disabled={!c.tenantColumn} onChange={() => setScope({ kind: 'tenant', tenant: null })} />
        One tenant{c.tenantColumn ? ` (rows whose ${c.tenantColumn} is the tenant)` : ' (no tenant column found)'}
      </label>
      <label className="check"><input type="radio" name="scope" value="keys" checked={scope.kind === 'keys'} onChange={() => setScope({ kind: 'keys', text: '' })} /> Chosen rows by primary key</label>
      {scope.kind === 'tenant' && (
        <TenantPicker name="scope" label="Tenant to restore" compare={c} selected={scope.tenant} onSelect={(tenant) => setScope({ kind: 'tenant', tenant })} />
      )}
      {scope.kind === 'keys' && (
        <label>
          <span>Primary keys ({c.primaryKey.join(', ')}), one per line or comma-separated{c.primaryKey.length > 1 ? '; parts separated by /' : ''}</span>
          <textarea name="scope-keys" rows={4} value={scope.text} onChange={(e) => setScope({ kind: 'keys', text: e.target.value })} />
        </label>
      )}
    </fieldset>
  );
}

function StrategyChooser() {
  const strategy = useRestore((s) => s.strategy);
  const setStrategy = useRestore((s) => s.setStrategy);
  return (
    <fieldset className="choice">
      <legend>How</legend>
      <label className="check"><input type="radio" name="strategy" value="replace" checked={strategy === 'replace'} onChange={() => setStrategy('replace')} /> <span><strong>Replace</strong>: the scope ends exactly as backed up (live rows the backup lacks are deleted)</span></label>
      <label className="check"><input type="radio" name="strategy" value="upsert" checked={strategy === 'upsert'} onChange={() => setStrategy('upsert')} /> <span><strong>Upsert</strong>: insert missing rows, update changed ones, delete nothing</span></label>
    </fieldset>
  );
}

function AddedColumn({ column, choice, c }: { column: string; choice: ColumnChoice; c: CompareResult }) {
  const setColumn = useRestore((s) => s.setColumn);
  const isTenant = column === c.tenantColumn;
  return (
    <div className="added-column" data-column={column}>
      <label>
        <span><code>{column}</code>{isTenant ? ' (the tenant column)' : ''}</span>
        <select name={`column-mode-${column}`} value={choice.mode} onChange={(e) => setColumn(column, e.target.value === 'value' ? { mode: 'value', value: '' } : { mode: e.target.value as 'keep' | 'null' })}>
          <option value="keep">Keep the live value (default on inserted rows)</option>
          <option value="value">{isTenant ? 'Set from a chosen tenant' : 'Set to a value'}</option>
          <option value="null">Set to NULL</option>
        </select>
      </label>
      {choice.mode !== 'keep' && <p className="muted small-text">Applies to every row in the scope: rows that differ only in {column} are updated too (the dry run counts them).</p>}
      {choice.mode === 'value' && (isTenant
        ? <TenantPicker name={`column-${column}`} label={`Tenant for ${column}`} compare={null} selected={choice.value || null} onSelect={(value) => setColumn(column, { mode: 'value', value })} />
        : <label><span>Value for {column}</span><input name={`column-value-${column}`} value={choice.value} onChange={(e) => setColumn(column, { mode: 'value', value: e.target.value })} /></label>)}
    </div>
  );
}

/** The scope step. */
export function ScopeStep() {
  const c = useRestore((s) => s.compare.value);
  const scope = useRestore((s) => s.scope);
  const columns = useRestore((s) => s.columns);
  const runDryRun = useRestore((s) => s.runDryRun);
  const writable = useConnection((s) => s.current?.writable ?? false);
  if (!c) return <p className="muted">Compare first.</p>;
  const resolved = toScope(scope);
  const missing = 'missing' in resolved ? resolved.missing : !columnsReady(columns) ? 'give a value for each column set to a value' : !writable ? 'switch on write mode (the dry run runs the statements, then rolls back)' : null;
  return (
    <section aria-label="Choose scope and strategy">
      <h2 tabIndex={-1}>Choose scope and strategy</h2>
      <div className="grid-2 scope-grid">
        <ScopeChooser c={c} />
        <StrategyChooser />
      </div>
      {c.columnsAdded.length > 0 && (
        <fieldset className="choice" data-testid="added-columns">
          <legend>Columns added since the backup</legend>
          {c.columnsAdded.map((col) => <AddedColumn key={col} column={col} c={c} choice={columns[col] ?? { mode: 'keep' }} />)}
        </fieldset>
      )}
      <div className="actions wizard-nav">
        <button type="button" className="primary" disabled={missing !== null} onClick={() => void runDryRun()}>Dry run</button>
        {missing && <span className="muted" role="status">To continue: {missing}.</span>}
      </div>
    </section>
  );
}
