/** The shell: environment band, write-mode banner, navigation (g then a letter, Alt+1..9, ? for help), the current page. */
import { useEffect, useState } from 'react';
import { EnvBand } from './components/EnvBand.js';
import { ShortcutHelp } from './components/ShortcutHelp.js';
import { WriteBanner } from './components/WriteBanner.js';
import { LOST_CONNECTION_TEXT } from './lib/errors.js';
import { isTyping, pageForLetter, shortcutLabel } from './lib/shortcuts.js';
import { useConnection } from './store/connection.js';
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
import { TenantPage } from './pages/Tenant.js';
import { WindowPage } from './pages/Window.js';
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
  tenant: TenantPage,
  window: WindowPage,
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

  const [help, setHelp] = useState(false);
  const lost = useConnection((s) => s.lost);
  const writable = useConnection((s) => s.current?.writable ?? false);

  useEffect(() => {
    let pendingG = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey) return;
      if (e.altKey) {
        const target = /^[1-9]$/.test(e.key) ? PAGES[Number(e.key) - 1] : undefined;
        if (target) {
          e.preventDefault();
          go(target.id);
        }
        return;
      }
      if (isTyping(e.target) || document.querySelector('[aria-modal="true"]')) return;
      if (e.key === '?') {
        e.preventDefault();
        setHelp(true);
      } else if (pendingG && Date.now() - pendingG < 1500) {
        pendingG = 0;
        const target = pageForLetter(e.key);
        if (target) {
          e.preventDefault();
          go(target);
        }
      } else if (e.key === 'g') {
        pendingG = Date.now();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);

  const View = VIEWS[page];
  return (
    <div className={`app${writable ? ' writing' : ''}`} data-app-state={status}>
      <div className="top-bars">
        <EnvBand />
        <WriteBanner />
      </div>
      <div className="shell">
        <nav aria-label="Pages">
          <div className="brand">Tenancy Console</div>
          <ul>
            {PAGES.map((p, i) => (
              <li key={p.id}>
                <button type="button" aria-current={page === p.id ? 'page' : undefined} onClick={() => go(p.id)} title={shortcutLabel(p.id, i)}>
                  {p.label}
                </button>
              </li>
            ))}
          </ul>
          <RunbookIndicator />
          <button type="button" className="nav-help" onClick={() => setHelp(true)}>Keyboard shortcuts <kbd>?</kbd></button>
          {info && <div className="nav-foot muted small-text">{info.mode === 'browser' ? 'Browser mode' : 'Desktop'} · v{info.version}</div>}
        </nav>
        <main>
          {lost && (
            <p className="status status-error" role="alert" data-testid="connection-lost">
              {LOST_CONNECTION_TEXT} {page !== 'connections' && <button type="button" className="small" onClick={() => go('connections')}>Open Connections</button>}
            </p>
          )}
          {status === 'loading' && <LoadingState label="Starting…" />}
          {status === 'error' && <ErrorState title="The console host did not answer" message={error ?? ''} onRetry={() => void boot()} />}
          {status === 'loaded' && <View />}
        </main>
      </div>
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
