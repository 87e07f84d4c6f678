/**
 * Every page but the two a session starts on (Connections, Overview), in one chunk: one request
 * fetches them all at startup (see App.tsx), instead of a score of requests that would queue the
 * boot's own requests behind them (a browser opens six connections per host).
 */
export { AuditPage } from './Audit.js';
export { BackupsPage } from './Backups.js';
export { DistributionPage } from './Distribution.js';
export { IsolationPage } from './Isolation.js';
export { MigrationsPage } from './Migrations.js';
export { NullSafetyPage } from './NullSafety.js';
export { OrphansPage } from './Orphans.js';
export { ReportsPage } from './Reports.js';
export { RunbookPage } from './Runbook.js';
export { TenantPage } from './Tenant.js';
export { WindowPage } from './Window.js';
