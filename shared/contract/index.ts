/**
 * The one contract between the renderer and the host (Electron main or browser mode).
 *
 * To add a domain: write shared/contract/<domain>.ts exporting `<domain>Contract` built from
 * `request()`/`event()`, add it to CONTRACT below, and write main/handlers/<domain>.ts. The
 * typechecker then demands a handler for every action and the preload and HTTP client expose it.
 */
import type { Domain, DomainClient, EventChannel, RequestChannel } from './channel.js';
import { appContract } from './app.js';
import { auditContract } from './audit.js';
import { backupsContract } from './backups.js';
import { checksContract } from './checks.js';
import { connectionContract } from './connection.js';
import { distributionContract } from './distribution.js';
import { migrationsContract } from './migrations.js';
import { modelContract } from './model.js';
import { profilesContract } from './profiles.js';
import { reportsContract } from './reports.js';
import { runbooksContract } from './runbooks.js';
import { backfillContract } from './backfill.js';
import { tenantContract } from './tenant.js';

/** Every domain and its channels. Channel name = `${domain}/${action}`. */
export const CONTRACT = {
  app: appContract,
  profiles: profilesContract,
  connection: connectionContract,
  model: modelContract,
  checks: checksContract,
  distribution: distributionContract,
  backups: backupsContract,
  migrations: migrationsContract,
  reports: reportsContract,
  audit: auditContract,
  runbooks: runbooksContract,
  backfill: backfillContract,
  tenant: tenantContract,
} satisfies Record<string, Domain>;

export type Contract = typeof CONTRACT;
export type DomainName = keyof Contract;

/** The API the renderer programs against: `api.checks.run(req)`, `api.checks.onProgress(fn)`. */
export type ConsoleApi = { [D in DomainName]: DomainClient<Contract[D]> };

/** A channel found by its wire name. */
export type ChannelEntry =
  | { name: string; domain: string; action: string; channel: RequestChannel }
  | { name: string; domain: string; action: string; channel: EventChannel };

/** Every channel with its wire name, e.g. { name: 'checks/run', domain: 'checks', action: 'run', ... }. */
export function listChannels(): ChannelEntry[] {
  const out: ChannelEntry[] = [];
  for (const [domain, actions] of Object.entries(CONTRACT) as [string, Domain][]) {
    for (const [action, channel] of Object.entries(actions)) {
      out.push({ name: `${domain}/${action}`, domain, action, channel } as ChannelEntry);
    }
  }
  return out;
}

/** A request channel by wire name, or undefined (unknown names are refused, never guessed). */
export function findRequestChannel(name: string): RequestChannel | undefined {
  const entry = listChannels().find((c) => c.name === name);
  return entry && entry.channel.kind === 'request' ? entry.channel : undefined;
}

/** Names of every event channel. */
export function eventChannelNames(): string[] {
  return listChannels().filter((c) => c.channel.kind === 'event').map((c) => c.name);
}

export { ApiError, unwrapEnvelope, type Envelope } from './channel.js';
export type { ProfileView, SecretStorage } from './profiles.js';
export type { ConnectionView } from './connection.js';
export type { AppInfo } from './app.js';
