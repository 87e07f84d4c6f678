/**
 * The state handlers work on, built once per host (Electron main or browser mode). Nothing here
 * imports electron: the Electron glue passes in its secret store and its event sender.
 */
import type { Profile } from '../../shared/profile.js';
import { MemorySecretStore, type SecretStore } from '../engine/host/secret-store.js';
import { ConnectionManager, RunRegistry } from '../engine/host/connections.js';
import { HostProfiles } from '../engine/host/host-profiles.js';
import type { AuditSink } from '../engine/audit-sink.js';
import { AuditLog } from '../engine/audit/log.js';
import { auditDir } from '../engine/audit/files.js';
import { configDir as defaultConfigDir } from '../engine/config.js';
import type { EventName, EventPayload } from './types.js';

/** A demo scenario the host can offer as a profile, with its password (kept host-side). */
export interface DemoProfile {
  profile: Profile;
  password: string | undefined;
}

/** Starts the demo database; returns its scenarios as profiles. */
export type DemoLauncher = () => Promise<{ profiles: DemoProfile[]; note: string }>;

/** Sends an event to every subscribed renderer. */
export type Emit = <N extends EventName>(name: N, payload: EventPayload<N>) => void;

/** Everything a handler may use. */
export interface HostContext {
  mode: 'electron' | 'browser';
  version: string;
  /** The config directory: profiles, the audit log, saved reports, the signing key. */
  configDir: string;
  profiles: HostProfiles;
  /** Remembered passwords (safeStorage in Electron; memory in browser mode). */
  secrets: SecretStore;
  /** Passwords given with "don't save" and the demo's: memory, for this process only. */
  sessionPasswords: SecretStore;
  connections: ConnectionManager;
  runs: RunRegistry;
  emit: Emit;
  demo: DemoLauncher | null;
}

/** Options for building a host context. */
export interface HostContextOptions {
  mode: 'electron' | 'browser';
  version: string;
  secrets: SecretStore;
  emit: Emit;
  configDir?: string;
  demo?: DemoLauncher | null;
  /** Audit sink for every session the UI opens; default: the JSONL audit log in the config directory. */
  audit?: () => AuditSink | undefined;
}

/** Build the host context. */
export function createHostContext(o: HostContextOptions): HostContext {
  const dir = o.configDir ?? defaultConfigDir();
  const auditLog = o.audit ? null : new AuditLog({ dir: auditDir(dir), keyDir: dir });
  return {
    mode: o.mode,
    version: o.version,
    configDir: dir,
    profiles: new HostProfiles(o.configDir),
    secrets: o.secrets,
    sessionPasswords: new MemorySecretStore({ persistent: false, backend: 'memory', note: 'kept until the console quits' }),
    connections: new ConnectionManager({ audit: o.audit ?? (() => auditLog ?? undefined) }),
    runs: new RunRegistry(),
    emit: o.emit,
    demo: o.demo ?? null,
  };
}
