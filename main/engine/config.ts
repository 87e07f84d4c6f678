/**
 * Where the console keeps its own files (profiles, audit log, keys): the user's config directory,
 * or TENANCY_CONFIG_DIR when set (tests, portable installs).
 */
import os from 'node:os';
import path from 'node:path';

/** The console's config directory; created lazily by whoever writes into it. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TENANCY_CONFIG_DIR) return path.resolve(env.TENANCY_CONFIG_DIR);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'tenancy-console');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'tenancy-console');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'tenancy-console');
}

/** The schema the console owns in a target database (backups, ledgers, backfill state). */
export const CONSOLE_SCHEMA = 'tenancy_console';

/** The application_name every console session carries, so DBAs can find it in pg_stat_activity. */
export const APPLICATION_NAME = 'tenancy-console';
