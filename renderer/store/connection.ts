/** The current connection and its tenancy model. One database at a time per window. */
import { create } from 'zustand';
import type { ConnectionView } from '../../shared/contract/index.js';
import type { ModelSummary, TenancyModel } from '../../shared/model.js';
import { api, warmEventSchemas } from '../api/index.js';
import { errorText, plainErrorText, setConnectionLostListener } from '../lib/errors.js';
import { useChecks } from './checks.js';
import { useDistribution } from './distribution.js';
import { useTenant } from './tenant.js';

interface ConnectionState {
  current: ConnectionView | null;
  connecting: string | null;
  error: string | null;
  model: { model: TenancyModel; summary: ModelSummary; loadedAt: string } | null;
  modelState: 'idle' | 'loading' | 'loaded' | 'error';
  modelError: string | null;
  writeError: string | null;
  /** Why write mode went off by itself (idle, a run completed, a new session), shown once. */
  writeOffNotice: string | null;
  /** Set when a call found the database connection gone: pages and Connections say so. */
  lost: string | null;
  /** Connect; on success loads the model and runs the instant estimate. */
  open(profile: string, password?: string, remember?: boolean): Promise<boolean>;
  /** Pick up a connection the host already has (browser mode after a reload). */
  adoptExisting(): Promise<boolean>;
  close(): Promise<void>;
  setWriteMode(enabled: boolean, confirmDatabase?: string): Promise<boolean>;
  /** Switch write mode off by itself (no-op when read-only) and say why. */
  switchOffWrite(reason: string): Promise<void>;
  dismissWriteNotice(): void;
  loadModel(refresh?: boolean): Promise<void>;
}

/**
 * On connect: the instant estimate and the model at once (the host reads the catalogs once for
 * both). The estimate is asked first: its answer is the smaller and Overview shows it before the
 * model arrives. Once both are in, the event schemas are built in idle time.
 */
function loadModelAndEstimate(): void {
  void Promise.allSettled([useChecks.getState().runEstimate(), useConnection.getState().loadModel()]).then(warmEventSchemas);
}

/** The connection store. */
export const useConnection = create<ConnectionState>((set, get) => ({
  current: null,
  connecting: null,
  error: null,
  model: null,
  modelState: 'idle',
  modelError: null,
  writeError: null,
  writeOffNotice: null,
  lost: null,
  async open(profile, password, remember) {
    set({ connecting: profile, error: null });
    try {
      const previous = get().current;
      const current = await api.connection.open({ profile, password, remember });
      if (previous) await api.connection.close({ id: previous.id }).catch(() => undefined);
      useChecks.getState().reset();
      useDistribution.getState().reset();
      useTenant.getState().reset();
      set({ current, connecting: null, model: null, modelState: 'idle', lost: null, writeOffNotice: null });
      loadModelAndEstimate();
      return true;
    } catch (err) {
      set({ connecting: null, error: plainErrorText(err) });
      return false;
    }
  },
  async adoptExisting() {
    const { connections } = await api.connection.list({});
    const current = connections.at(-1);
    if (!current) return false;
    set({ current, lost: null });
    // Write mode is never carried into a new session (a reload, a second window): the host's switch goes off too.
    if (current.writable) await get().switchOffWrite('Write mode from an earlier session was switched off: this session starts read-only.');
    loadModelAndEstimate();
    return true;
  },
  async close() {
    const c = get().current;
    if (c) await api.connection.close({ id: c.id }).catch(() => undefined);
    useChecks.getState().reset();
    useDistribution.getState().reset();
    useTenant.getState().reset();
    set({ current: null, model: null, modelState: 'idle', writeError: null, writeOffNotice: null, lost: null });
  },
  async setWriteMode(enabled, confirmDatabase) {
    const c = get().current;
    if (!c) return false;
    set({ writeError: null });
    try {
      set({ current: await api.connection.setWriteMode({ id: c.id, enabled, confirmDatabase }) });
      return true;
    } catch (err) {
      set({ writeError: errorText(err) });
      return false;
    }
  },
  async switchOffWrite(reason) {
    const c = get().current;
    if (!c?.writable) return;
    if (await get().setWriteMode(false)) set({ writeOffNotice: reason });
  },
  dismissWriteNotice: () => set({ writeOffNotice: null }),
  async loadModel(refresh = false) {
    const c = get().current;
    if (!c) return;
    set({ modelState: 'loading', modelError: null });
    try {
      const model = await api.model.load({ connectionId: c.id, refresh });
      set({ model, modelState: 'loaded' });
    } catch (err) {
      set({ modelState: 'error', modelError: errorText(err) });
    }
  },
}));

setConnectionLostListener((detail) => {
  if (useConnection.getState().current) useConnection.setState({ lost: detail });
});
