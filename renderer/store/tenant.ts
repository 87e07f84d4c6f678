/** The Tenant page: find a tenant, its footprint, its rows page by page, and what the app role sees. */
import { create } from 'zustand';
import type { RowFilter, RowScope, TenantFootprint, TenantMatch, TenantRowsPage, TenantVisibility } from '../../shared/tenant.js';
import { api } from '../api/index.js';
import { toCsv } from '../lib/csv.js';
import { errorText, isCancelled } from '../lib/errors.js';
import { useConnection } from './connection.js';

/** Rows per page in the browser; the CSV export reads pages of EXPORT_PAGE up to EXPORT_MAX rows. */
export const PAGE_SIZE = 50;
const EXPORT_PAGE = 1000;
export const EXPORT_MAX = 100_000;

type Load = 'idle' | 'loading' | 'loaded' | 'error';

interface Browse {
  schema: string;
  table: string;
  scope: RowScope;
  filters: RowFilter[];
  /** Cursors of the pages shown so far: [undefined, after1, after2…]; the last is the current page. */
  cursors: ((string | null)[] | undefined)[];
  page: TenantRowsPage | null;
  state: Load;
  error: string | null;
}

interface TenantState {
  query: string;
  matches: TenantMatch[] | null;
  truncated: boolean;
  searchState: Load;
  searchError: string | null;
  selected: string | null;
  footprint: TenantFootprint | null;
  footprintState: Load | 'cancelled';
  footprintError: string | null;
  /** The running count's id (for cancel) and its progress: tables counted of the tables in reach. */
  footprintRunId: string | null;
  footprintProgress: { done: number; total: number; schema: string | null; table: string | null } | null;
  /** Stop the running footprint count on the server. */
  cancelFootprint(): Promise<void>;
  browse: Browse | null;
  exporting: { done: number; cancelled?: boolean } | null;
  exportError: string | null;
  visibility: TenantVisibility | null;
  visibilityState: Load;
  visibilityError: string | null;
  setQuery(q: string): void;
  /** Find tenants; when exactly one matches (or `pickFirst`), select it. */
  search(pickFirst?: boolean): Promise<void>;
  select(id: string): Promise<void>;
  open(schema: string, table: string, scope?: RowScope): Promise<void>;
  setFilters(filters: RowFilter[]): Promise<void>;
  nextPage(): Promise<void>;
  previousPage(): Promise<void>;
  /** Every row of the open table and scope (filters applied) as CSV text, read page by page. */
  exportCsv(): Promise<string | null>;
  /** Stop an export after the page being read (nothing is downloaded). */
  cancelExport(): void;
  impersonate(role?: string, setting?: string, member?: string): Promise<void>;
  reset(): void;
}

const initial = {
  query: '', matches: null, truncated: false, searchState: 'idle' as Load, searchError: null,
  selected: null, footprint: null, footprintState: 'idle' as TenantState['footprintState'], footprintError: null,
  footprintRunId: null, footprintProgress: null,
  browse: null, exporting: null, exportError: null,
  visibility: null, visibilityState: 'idle' as Load, visibilityError: null,
};

const connectionId = () => useConnection.getState().current?.id ?? null;

/** The tenant store. */
export const useTenant = create<TenantState>((set, get) => {
  async function loadPage(cursors: Browse['cursors']) {
    const b = get().browse;
    const id = connectionId();
    const tenant = get().selected;
    if (!b || !id || !tenant) return;
    set({ browse: { ...b, cursors, state: 'loading', error: null } });
    try {
      const page = await api.tenant.rows({ connectionId: id, tenant, schema: b.schema, table: b.table, scope: b.scope, filters: b.filters, after: cursors.at(-1), limit: PAGE_SIZE });
      set((s) => (s.browse ? { browse: { ...s.browse, page, state: 'loaded' } } : {}));
    } catch (err) {
      set((s) => (s.browse ? { browse: { ...s.browse, state: 'error', error: errorText(err) } } : {}));
    }
  }

  return {
    ...initial,
    setQuery: (query) => set({ query }),
    async search(pickFirst = false) {
      const id = connectionId();
      const query = get().query.trim();
      if (!id || !query) return;
      set({ searchState: 'loading', searchError: null });
      try {
        const found = await api.tenant.find({ connectionId: id, query });
        set({ matches: found.matches, truncated: found.truncated, searchState: 'loaded' });
        const first = found.matches[0];
        if (first && (pickFirst || found.matches.length === 1 || first.matchedBy === 'id')) await get().select(first.id);
      } catch (err) {
        set({ searchState: 'error', searchError: errorText(err) });
      }
    },
    async select(tenant) {
      const id = connectionId();
      if (!id) return;
      const previous = get().footprintRunId;
      if (previous) void api.tenant.cancelFootprint({ runId: previous }).catch(() => undefined);
      const runId = crypto.randomUUID();
      set({ selected: tenant, footprint: null, footprintState: 'loading', footprintError: null, footprintRunId: runId, footprintProgress: null, browse: null, visibility: null, visibilityState: 'idle', visibilityError: null });
      try {
        const footprint = await api.tenant.footprint({ connectionId: id, tenant, runId });
        if (get().footprintRunId === runId) set({ footprint, footprintState: 'loaded', footprintRunId: null });
      } catch (err) {
        if (get().footprintRunId !== runId) return;
        set(isCancelled(err) ? { footprintState: 'cancelled', footprintRunId: null } : { footprintState: 'error', footprintError: errorText(err), footprintRunId: null });
      }
    },
    async cancelFootprint() {
      const runId = get().footprintRunId;
      if (runId) await api.tenant.cancelFootprint({ runId });
    },
    async open(schema, table, scope = { kind: 'tenant' }) {
      set({ browse: { schema, table, scope, filters: [], cursors: [undefined], page: null, state: 'loading', error: null }, exportError: null });
      await loadPage([undefined]);
    },
    async setFilters(filters) {
      const b = get().browse;
      if (!b) return;
      set({ browse: { ...b, filters } });
      await loadPage([undefined]);
    },
    async nextPage() {
      const b = get().browse;
      if (!b?.page?.next) return;
      await loadPage([...b.cursors, b.page.next]);
    },
    async previousPage() {
      const b = get().browse;
      if (!b || b.cursors.length < 2) return;
      await loadPage(b.cursors.slice(0, -1));
    },
    async exportCsv() {
      const b = get().browse;
      const id = connectionId();
      const tenant = get().selected;
      if (!b || !id || !tenant) return null;
      set({ exporting: { done: 0 }, exportError: null });
      try {
        const rows: Record<string, string | null>[] = [];
        let columns: string[] = b.page?.columns ?? [];
        let after: (string | null)[] | undefined;
        do {
          const page = await api.tenant.rows({ connectionId: id, tenant, schema: b.schema, table: b.table, scope: b.scope, filters: b.filters, after, limit: EXPORT_PAGE });
          columns = page.columns;
          rows.push(...page.rows);
          after = page.next ?? undefined;
          if (get().exporting?.cancelled) {
            set({ exportError: `Export cancelled after ${rows.length} rows: nothing was downloaded.` });
            return null;
          }
          set({ exporting: { done: rows.length } });
        } while (after && rows.length < EXPORT_MAX);
        return toCsv(columns, rows);
      } catch (err) {
        set({ exportError: errorText(err) });
        return null;
      } finally {
        set({ exporting: null });
      }
    },
    cancelExport() {
      const e = get().exporting;
      if (e) set({ exporting: { ...e, cancelled: true } });
    },
    async impersonate(role, setting, member) {
      const id = connectionId();
      const tenant = get().selected;
      if (!id || !tenant) return;
      set({ visibilityState: 'loading', visibilityError: null });
      try {
        const visibility = await api.tenant.visibility({ connectionId: id, tenant, role: role || undefined, setting: setting || undefined, member: member || undefined });
        set({ visibility, visibilityState: 'loaded' });
      } catch (err) {
        set({ visibilityState: 'error', visibilityError: errorText(err) });
      }
    },
    reset: () => set(initial),
  };
});

api.tenant.onFootprintProgress(({ runId, ...progress }) => {
  if (runId === useTenant.getState().footprintRunId) useTenant.setState({ footprintProgress: progress });
});
