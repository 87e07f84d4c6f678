/**
 * Distribution: the full rows per tenant per table (the Orphans page groups it), the compact summary
 * the Distribution page opens with, the selected tenants' rows (asked for on selection), tenant
 * search, one or two tenants selected.
 */
import { create } from 'zustand';
import type { DistributionSummary, TenantRows } from '../../shared/distribution-summary.js';
import type { Distribution } from '../../shared/findings.js';
import { api } from '../api/index.js';
import { errorText } from '../lib/errors.js';
import { useConnection } from './connection.js';

interface DistributionState {
  data: Distribution | null;
  state: 'idle' | 'loading' | 'loaded' | 'error';
  error: string | null;
  summary: DistributionSummary | null;
  summaryState: 'idle' | 'loading' | 'loaded' | 'error';
  summaryError: string | null;
  /** Each tenant's rows per table as the host answered, by tenant id (from the count of `summary`). */
  tenantRows: Record<string, TenantRows['tenants'][number]>;
  tenantRowsError: string | null;
  query: string;
  selected: string | null;
  compareWith: string | null;
  load(): Promise<void>;
  /** The summary (counted once per connection and model on the host); `recount` counts again. */
  loadSummary(recount?: boolean): Promise<void>;
  /** Fetch the rows of the tenants not yet held. */
  loadTenantRows(ids: string[]): Promise<void>;
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
  summary: null,
  summaryState: 'idle',
  summaryError: null,
  tenantRows: {},
  tenantRowsError: null,
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
  async loadSummary(recount = false) {
    const c = useConnection.getState().current;
    if (!c || get().summaryState === 'loading') return;
    set({ summaryState: 'loading', summaryError: null, ...(recount ? { tenantRows: {}, tenantRowsError: null } : {}) });
    try {
      const summary = await api.distribution.summary({ connectionId: c.id, recount });
      // Rows held from an earlier count are dropped so a footprint never mixes two counts.
      set((s) => ({ summary, summaryState: 'loaded', tenantRows: s.summary?.countedAt === summary.countedAt ? s.tenantRows : {} }));
    } catch (err) {
      set({ summaryState: 'error', summaryError: errorText(err) });
    }
  },
  async loadTenantRows(ids) {
    const c = useConnection.getState().current;
    const missing = ids.filter((id) => !Object.hasOwn(get().tenantRows, id));
    if (!c || missing.length === 0) return;
    set({ tenantRowsError: null });
    try {
      const answer = await api.distribution.tenantRows({ connectionId: c.id, tenants: missing });
      if (get().summary?.countedAt !== answer.countedAt) return; // counted again meanwhile: the page asks again
      set((s) => ({ tenantRows: { ...s.tenantRows, ...Object.fromEntries(answer.tenants.map((t) => [t.id, t])) } }));
    } catch (err) {
      set({ tenantRowsError: errorText(err) });
    }
  },
  setQuery: (query) => set({ query }),
  select: (selected) => set((s) => ({ selected, compareWith: s.compareWith === selected ? null : s.compareWith })),
  compare: (compareWith) => set({ compareWith }),
  reset: () => set({ data: null, state: 'idle', error: null, summary: null, summaryState: 'idle', summaryError: null, tenantRows: {}, tenantRowsError: null, query: '', selected: null, compareWith: null }),
}));
