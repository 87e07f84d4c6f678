/** Profiles: the list, save/remove, URL parsing, connection test, the demo offer. */
import { create } from 'zustand';
import type { ProfileView, SecretStorage } from '../../shared/contract/index.js';
import type { Fingerprint } from '../../shared/findings.js';
import type { ProfileInput } from '../../shared/profile.js';
import { api } from '../api/index.js';
import { errorText } from '../lib/errors.js';

interface ProfilesState {
  list: ProfileView[];
  storage: SecretStorage | null;
  state: 'idle' | 'loading' | 'loaded' | 'error';
  error: string | null;
  demoState: 'idle' | 'starting' | 'error';
  demoMessage: string | null;
  refresh(): Promise<void>;
  /** Save; returns a note for the operator (e.g. password not remembered). */
  save(profile: ProfileInput, password: { value: string; remember: boolean } | undefined, previousName?: string): Promise<string | null>;
  remove(name: string): Promise<void>;
  parseUrl(url: string): ReturnType<typeof api.profiles.parseUrl>;
  test(profile: ProfileInput, password?: string): Promise<Fingerprint>;
  startDemo(): Promise<void>;
}

/** The profiles store. */
export const useProfiles = create<ProfilesState>((set, get) => ({
  list: [],
  storage: null,
  state: 'idle',
  error: null,
  demoState: 'idle',
  demoMessage: null,
  async refresh() {
    set({ state: get().state === 'loaded' ? 'loaded' : 'loading', error: null });
    try {
      const { profiles, storage } = await api.profiles.list({});
      set({ list: profiles, storage, state: 'loaded' });
    } catch (err) {
      set({ state: 'error', error: errorText(err) });
    }
  },
  async save(profile, password, previousName) {
    const { note } = await api.profiles.save({ profile, password, previousName });
    await get().refresh();
    return note;
  },
  async remove(name) {
    await api.profiles.remove({ name });
    await get().refresh();
  },
  parseUrl: (url) => api.profiles.parseUrl({ url }),
  async test(profile, password) {
    const { fingerprint } = await api.profiles.test({ profile, password });
    return fingerprint;
  },
  async startDemo() {
    set({ demoState: 'starting', demoMessage: null });
    try {
      const { note } = await api.app.startDemo({});
      set({ demoState: 'idle', demoMessage: note });
      await get().refresh();
    } catch (err) {
      set({ demoState: 'error', demoMessage: errorText(err) });
    }
  },
}));

// Another window or tab changed the list: follow it.
api.profiles.onChanged(() => void useProfiles.getState().refresh());
