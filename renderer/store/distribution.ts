/** Distribution: rows per tenant per table, tenant search, one or two tenants selected. */
import { create } from 'zustand';
import type { Distribution } from '../../shared/findings.js';
import { api } from '../api/index.js';
import { errorText } from '../lib/errors.js';
import { useConnection } from './connection.js';

interface DistributionState {
  data: Distribution | null;
  state: 'idle' | 'loading' | 'loaded' | 'error';
  error: string | null;
  query: string;
  selected: string | null;
  compareWith: string | null;
  load(): Promise<void>;
  setQuery(q: string): void;
  select(id: string | null): void;
  compare(id: string | null): void;
  reset(): void;
}

/** The distribution store. */
export const useDistribution = create<DistributionState>((set, get) => ({
  data: null,
  state: 'idle',
  error: null,
  query: '',
  selected: null,
  compareWith: null,
  async load() {
    const c = useConnection.getState().current;
    if (!c || get().state === 'loading') return;
    set({ state: 'loading', error: null });
    try {
      set({ data: await api.distribution.get({ connectionId: c.id }), state: 'loaded' });
    } catch (err) {
      set({ state: 'error', error: errorText(err) });
    }
  },
  setQuery: (query) => set({ query }),
  select: (selected) => set((s) => ({ selected, compareWith: s.compareWith === selected ? null : s.compareWith })),
  compare: (compareWith) => set({ compareWith }),
  reset: () => set({ data: null, state: 'idle', error: null, query: '', selected: null, compareWith: null }),
}));
