/** The shell: environment band, navigation (Alt+1..6), the current page. */
import { useEffect } from 'react';
import { EnvBand } from './components/EnvBand.js';
import { ErrorState, LoadingState } from './components/States.js';
import { AuditPage } from './pages/Audit.js';
import { BackupsPage } from './pages/Backups.js';
import { ConnectionsPage } from './pages/Connections.js';
import { DistributionPage } from './pages/Distribution.js';
import { IsolationPage } from './pages/Isolation.js';
import { MigrationsPage } from './pages/Migrations.js';
import { NullSafetyPage } from './pages/NullSafety.js';
import { OrphansPage } from './pages/Orphans.js';
import { OverviewPage } from './pages/Overview.js';
import { ReportsPage } from './pages/Reports.js';
import { RunbookPage } from './pages/Runbook.js';
import { RunbookIndicator } from './components/runbook/RunbookIndicator.js';
import { PAGES, useApp, type PageId } from './store/app.js';

const VIEWS: Record<PageId, () => React.JSX.Element> = {
  connections: ConnectionsPage,
  overview: OverviewPage,
  'null-safety': NullSafetyPage,
  orphans: OrphansPage,
  distribution: DistributionPage,
  isolation: IsolationPage,
  backups: BackupsPage,
  migrations: MigrationsPage,
  reports: ReportsPage,
  audit: AuditPage,
  runbook: RunbookPage,
};

/** The app. */
export function App() {
  const status = useApp((s) => s.status);
  const error = useApp((s) => s.error);
  const page = useApp((s) => s.page);
  const go = useApp((s) => s.go);
  const info = useApp((s) => s.info);
  const boot = useApp((s) => s.boot);

  useEffect(() => {
    void boot();
  }, [boot]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const i = Number(e.key) - 1;
      const target = PAGES[i];
      if (target) {
        e.preventDefault();
        go(target.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);

  const View = VIEWS[page];
  return (
    <div className="app" data-app-state={status}>
      <EnvBand />
      <div className="shell">
        <nav aria-label="Pages">
          <div className="brand">Tenancy Console</div>
          <ul>
            {PAGES.map((p, i) => (
              <li key={p.id}>
                <button type="button" aria-current={page === p.id ? 'page' : undefined} onClick={() => go(p.id)} title={`Alt+${i + 1}`}>
                  {p.label}
                </button>
              </li>
            ))}
          </ul>
          <RunbookIndicator />
          {info && <div className="nav-foot muted small-text">{info.mode === 'browser' ? 'Browser mode' : 'Desktop'} · v{info.version}</div>}
        </nav>
        <main>
          {status === 'loading' && <LoadingState label="Starting…" />}
          {status === 'error' && <ErrorState title="The console host did not answer" message={error ?? ''} onRetry={() => void boot()} />}
          {status === 'loaded' && <View />}
        </main>
      </div>
    </div>
  );
}
