/**
 * Every handler, one domain per file. Adding a domain to shared/contract makes this object fail
 * to typecheck until its handler file is written and listed here.
 */
import { appHandlers } from './app.js';
import { auditHandlers } from './audit.js';
import { backupsHandlers } from './backups.js';
import { checksHandlers } from './checks.js';
import { connectionHandlers } from './connection.js';
import { distributionHandlers } from './distribution.js';
import { migrationsHandlers } from './migrations.js';
import { modelHandlers } from './model.js';
import { profilesHandlers } from './profiles.js';
import { reportsHandlers } from './reports.js';
import { runbooksHandlers } from './runbooks.js';
import { backfillHandlers } from './backfill.js';
import { tenantHandlers } from './tenant.js';
import type { Handlers } from './types.js';

/** The handlers for the whole contract. */
export const HANDLERS: Handlers = {
  app: appHandlers,
  profiles: profilesHandlers,
  connection: connectionHandlers,
  model: modelHandlers,
  checks: checksHandlers,
  distribution: distributionHandlers,
  backups: backupsHandlers,
  migrations: migrationsHandlers,
  reports: reportsHandlers,
  audit: auditHandlers,
  runbooks: runbooksHandlers,
  backfill: backfillHandlers,
  tenant: tenantHandlers,
};
