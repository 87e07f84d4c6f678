/** The shell: environment band, write-mode banner, navigation (g then a letter, Alt+1..9, ? for help), the current page. */
import { Suspense, useEffect, useState, type ComponentType } from 'react';
import { EnvBand } from './components/EnvBand.js';
import { lazyPage, type LazyPage } from './components/lazyPage.js';
import { ShortcutHelp } from './components/ShortcutHelp.js';
import { WriteBanner } from './components/WriteBanner.js';
import { LOST_CONNECTION_TEXT } from './lib/errors.js';
import { isTyping, pageForLetter, shortcutLabel } from './lib/shortcuts.js';
import { useConnection } from './store/connection.js';
import { ErrorState, LoadingState } from './components/States.js';
import { ConnectionsPage } from './pages/Connections.js';
import { OverviewPage } from './pages/Overview.js';
import { RunbookIndicator } from './components/runbook/RunbookIndicator.js';
import { PAGES, useApp, type PageId } from './store/app.js';

/**
 * The pages but the two a session starts on (Connections, Overview) load as one chunk of their own
 * (pages/later.ts): the first render parses and runs less script. It is fetched at startup (see
 * `prefetchPages`), so opening a page waits neither for the network nor for a Suspense fallback.
 */
const later = () => import('./pages/later.js');

const LAZY = {
  'null-safety': lazyPage(() => later().then((m) => m.NullSafetyPage)),
  orphans: lazyPage(() => later().then((m) => m.OrphansPage)),
  distribution: lazyPage(() => later().then((m) => m.DistributionPage)),
  isolation: lazyPage(() => later().then((m) => m.IsolationPage)),
  backups: lazyPage(() => later().then((m) => m.BackupsPage)),
  migrations: lazyPage(() => later().then((m) => m.MigrationsPage)),
  reports: lazyPage(() => later().then((m) => m.ReportsPage)),
  audit: lazyPage(() => later().then((m) => m.AuditPage)),
  runbook: lazyPage(() => later().then((m) => m.RunbookPage)),
  tenant: lazyPage(() => later().then((m) => m.TenantPage)),
  window: lazyPage(() => later().then((m) => m.WindowPage)),
} satisfies Record<Exclude<PageId, 'connections' | 'overview'>, LazyPage>;

const VIEWS: Record<PageId, ComponentType> = {
  connections: ConnectionsPage,
  overview: OverviewPage,
  'null-safety': LAZY['null-safety'].Page,
  orphans: LAZY.orphans.Page,
  distribution: LAZY.distribution.Page,
  isolation: LAZY.isolation.Page,
  backups: LAZY.backups.Page,
  migrations: LAZY.migrations.Page,
  reports: LAZY.reports.Page,
  audit: LAZY.audit.Page,
  runbook: LAZY.runbook.Page,
  tenant: LAZY.tenant.Page,
  window: LAZY.window.Page,
};

/**
 * Fetch the pages' chunk while the console signs in and asks the host for its state: the main
 * thread waits on those round trips anyway, and a page opened later renders without suspending.
 */
function prefetchPages(): void {
  for (const p of Object.values(LAZY)) void p.prefetch().catch(() => undefined);
}

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
    prefetchPages();
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
          {status === 'loaded' && <Suspense fallback={<LoadingState label="Opening the page…" />}><View /></Suspense>}
        </main>
      </div>
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
