/** App shell state: startup, which page is shown, what the host is. */
import { create } from 'zustand';
import type { AppInfo } from '../../shared/contract/index.js';
import { api } from '../api/index.js';
import { errorText } from '../lib/errors.js';
import { useConnection } from './connection.js';
import { useProfiles } from './profiles.js';

export const PAGES = [
  { id: 'connections', label: 'Connections' },
  { id: 'overview', label: 'Overview' },
  { id: 'null-safety', label: 'Null safety' },
  { id: 'orphans', label: 'Orphans' },
  { id: 'distribution', label: 'Distribution' },
  { id: 'isolation', label: 'Isolation' },
  { id: 'backups', label: 'Backups' },
  { id: 'migrations', label: 'Migrations' },
  { id: 'reports', label: 'Reports' },
  { id: 'audit', label: 'Audit' },
  { id: 'runbook', label: 'Runbook' },
  { id: 'tenant', label: 'Tenant' },
  { id: 'window', label: 'Window' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];

interface AppState {
  status: 'loading' | 'loaded' | 'error';
  error: string | null;
  info: AppInfo | null;
  page: PageId;
  go(page: PageId): void;
  boot(): Promise<void>;
}

/** The app shell store. */
export const useApp = create<AppState>((set) => ({
  status: 'loading',
  error: null,
  info: null,
  page: 'connections',
  go: (page) => set({ page }),
  async boot() {
    try {
      // Independent requests at once: each round trip on a loaded machine is tens of milliseconds.
      const [info, , adopted] = await Promise.all([api.app.info({}), useProfiles.getState().refresh(), useConnection.getState().adoptExisting()]);
      set({ info, status: 'loaded', page: adopted ? 'overview' : 'connections' });
    } catch (err) {
      set({ status: 'error', error: errorText(err) });
    }
  },
}));
