/** The DBA's window view: polls the host for the open run's running step, lock picture, NOTICEs and SQL. */
import { create } from 'zustand';
import type { RunWindowView } from '../../shared/contract/runbooks.js';
import { api } from '../api/index.js';
import { errorText } from '../lib/errors.js';
import { useConnection } from './connection.js';
import { useRunbook } from './runbook.js';

/** How often the window view asks the host while it is on screen. */
export const WINDOW_POLL_MS = 1000;

interface WindowState {
  data: RunWindowView | null;
  /** The run `data` belongs to. */
  run: string | null;
  error: string | null;
  poll(): Promise<void>;
}

/** The window store. */
export const useWindow = create<WindowState>((set) => ({
  data: null,
  run: null,
  error: null,
  async poll() {
    const run = useRunbook.getState().view?.status.run;
    if (!run) return;
    try {
      const data = await api.runbooks.window({ run, connectionId: useConnection.getState().current?.id });
      if (useRunbook.getState().view?.status.run === run) set({ data, run, error: null });
    } catch (err) {
      set({ error: errorText(err) });
    }
  },
}));
