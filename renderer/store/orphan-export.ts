/** The Orphans page's CSV export: the orphan rows themselves (key and tenant value), read page by page. */
import { create } from 'zustand';
import { api } from '../api/index.js';
import { toCsv } from '../lib/csv.js';
import { errorText } from '../lib/errors.js';
import { useConnection } from './connection.js';

/** Rows per request, and the most rows one export holds (as the tenant page's CSV). */
const EXPORT_PAGE = 1000;
export const ORPHAN_EXPORT_MAX = 100_000;

/** The CSV's columns: where the row is, its key (JSON of the key columns), and the tenant value that names no tenant. */
export const ORPHAN_CSV_COLUMNS = ['schema', 'table', 'key', 'tenant_column', 'tenant_value'] as const;

interface OrphanExportState {
  exporting: { done: number; cancelled?: boolean } | null;
  error: string | null;
  /** Said after an export that stopped at ORPHAN_EXPORT_MAX rows. */
  note: string | null;
  /** Read every orphan row of these tables (up to ORPHAN_EXPORT_MAX); the CSV text, or null when cancelled or failed. */
  exportCsv(tables: { schema: string; table: string }[]): Promise<string | null>;
  cancel(): void;
}

/** The orphan export store. */
export const useOrphanExport = create<OrphanExportState>((set, get) => ({
  exporting: null,
  error: null,
  note: null,
  async exportCsv(tables) {
    const connectionId = useConnection.getState().current?.id;
    if (!connectionId || get().exporting) return null;
    set({ exporting: { done: 0 }, error: null, note: null });
    const rows: Record<(typeof ORPHAN_CSV_COLUMNS)[number], string | null>[] = [];
    try {
      let full = false;
      for (const t of tables) {
        let after: (string | null)[] | undefined;
        do {
          const page = await api.distribution.orphanRows({ connectionId, schema: t.schema, table: t.table, after, limit: Math.min(EXPORT_PAGE, ORPHAN_EXPORT_MAX - rows.length) });
          for (const r of page.rows) {
            rows.push({ schema: page.schema, table: page.table, key: JSON.stringify(Object.fromEntries(page.key.map((k) => [k, r[k] ?? null]))), tenant_column: page.tenantColumn, tenant_value: r[page.tenantColumn] ?? null });
          }
          after = page.next ?? undefined;
          if (get().exporting?.cancelled) {
            set({ error: `Export cancelled after ${rows.length} rows: nothing was downloaded.` });
            return null;
          }
          set({ exporting: { done: rows.length } });
          full = rows.length >= ORPHAN_EXPORT_MAX && (after !== undefined || t !== tables.at(-1));
        } while (after && !full);
        if (full) break;
      }
      if (full) set({ note: `The CSV holds the first ${ORPHAN_EXPORT_MAX.toLocaleString('en-US')} orphan rows only; there are more.` });
      return toCsv([...ORPHAN_CSV_COLUMNS], rows);
    } catch (err) {
      set({ error: errorText(err) });
      return null;
    } finally {
      set({ exporting: null });
    }
  },
  cancel() {
    const e = get().exporting;
    if (e) set({ exporting: { ...e, cancelled: true } });
  },
}));
