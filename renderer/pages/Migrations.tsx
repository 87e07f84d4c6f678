/** Migrations: a folder against the current database: preflight, the ledger, lint beside the SQL, and apply. */
import { useMemo } from 'react';
import { ApplyPanel } from '../components/migrations/ApplyPanel.js';
import { LedgerTable } from '../components/migrations/LedgerTable.js';
import { LintView } from '../components/migrations/LintView.js';
import { PreflightCard } from '../components/migrations/PreflightCard.js';
import { EmptyState, ErrorState, LoadingState } from '../components/States.js';
import { useConnection } from '../store/connection.js';
import { useMigrations } from '../store/migrations.js';
import '../ops.css';

/** The Migrations page. */
export function MigrationsPage() {
  const current = useConnection((s) => s.current);
  const s = useMigrations();
  const pendingFiles = useMemo(() => new Set((s.status.value?.migrations ?? []).filter((m) => m.state === 'pending').map((m) => m.file)), [s.status.value]);
  const pendingErrors = useMemo(() => (s.lint.value?.findings ?? []).filter((f) => f.severity === 'error' && pendingFiles.has(f.file)), [s.lint.value, pendingFiles]);
  const loading = [s.status, s.lint, s.preflight].some((l) => l.state === 'loading');
  const firstError = [s.lint, s.status, s.preflight].find((l) => l.state === 'error');

  return (
    <section className="page" aria-labelledby="mig-title" data-testid="page-migrations">
      <header className="page-header"><h1 id="mig-title">Migrations</h1></header>
      <form className="toolbar folder-bar" onSubmit={(e) => { e.preventDefault(); void s.read(); }}>
        <label className="grow">
          <span>Migration folder on this machine (plain .sql files, Drizzle, prisma/migrations or supabase/migrations)</span>
          <input name="migration-dir" value={s.dir} onChange={(e) => s.setDir(e.target.value)} placeholder="/path/to/project/drizzle" autoComplete="off" spellCheck={false} />
        </label>
        <button type="submit" className="primary" disabled={!s.dir.trim() || loading}>{s.lint.state === 'idle' ? 'Read folder' : 'Read again'}</button>
      </form>
      {!current && <p className="status status-info">Not connected: lint works on the files alone; connect to see the ledger, preflight and apply.</p>}
      {s.lint.state === 'idle' && <EmptyState title="Choose a migration folder">Type its path and press Read folder: the console detects the tool from the layout.</EmptyState>}
      {loading && !s.lint.value && <LoadingState label="Reading the folder and the ledger…" />}
      {firstError && <ErrorState title="Cannot read the migrations" message={firstError.error ?? ''} onRetry={() => void s.read()} />}
      {s.preflight.value && <PreflightCard p={s.preflight.value} />}
      {s.status.value && <LedgerTable status={s.status.value} selected={s.selectedFile} onSelect={(f) => f && s.selectFile(f)} />}
      {s.lint.value && <LintView files={s.lint.value.files} findings={s.lint.value.findings} selected={s.selectedFile} onSelect={s.selectFile} />}
      {current && s.status.value && <ApplyPanel errors={pendingErrors} pending={s.status.value.counts.pending ?? 0} />}
    </section>
  );
}
