/**
 * The Reports page: export a signed report of the current connection (with progress and cancel),
 * the saved reports, download or print one, verify one, diff two.
 */
import { create } from 'zustand';
import type { SavedReport } from '../../shared/contract/reports.js';
import type { ProgressEvent } from '../../shared/findings.js';
import type { ReportDiff, ReportVerification } from '../../shared/report.js';
import { api } from '../api/index.js';
import { downloadText } from '../lib/csv.js';
import { errorText, isCancelled } from '../lib/errors.js';
import { useConnection } from './connection.js';

interface ReportsState {
  dir: string | null;
  keyId: string | null;
  reports: SavedReport[];
  listError: string | null;
  mode: 'exact' | 'estimate';
  runId: string | null;
  exportState: 'idle' | 'running' | 'done' | 'cancelled' | 'error';
  exportError: string | null;
  progress: ProgressEvent | null;
  lastExport: string | null;
  verifications: Record<string, ReportVerification | { error: string }>;
  diffPick: { a: string; b: string };
  diff: (ReportDiff & { verified: { a: boolean; b: boolean } }) | null;
  diffError: string | null;
  downloadError: string | null;
  refresh(): Promise<void>;
  setMode(mode: 'exact' | 'estimate'): void;
  exportReport(): Promise<void>;
  cancel(): Promise<void>;
  verify(name: string): Promise<void>;
  pickDiff(side: 'a' | 'b', name: string): void;
  runDiff(): Promise<void>;
  download(name: string, format: 'json' | 'html'): Promise<void>;
  /** Download the report's evidence pack (report, run journal, audit excerpt, each signed) as one file. */
  downloadPack(name: string): Promise<void>;
}

/** The reports store. */
export const useReports = create<ReportsState>((set, get) => ({
  dir: null,
  keyId: null,
  reports: [],
  listError: null,
  mode: 'exact',
  runId: null,
  exportState: 'idle',
  exportError: null,
  progress: null,
  lastExport: null,
  verifications: {},
  diffPick: { a: '', b: '' },
  diff: null,
  diffError: null,
  downloadError: null,
  async refresh() {
    try {
      const r = await api.reports.list({});
      set({ dir: r.dir, keyId: r.keyId, reports: r.reports, listError: null });
    } catch (err) {
      set({ listError: errorText(err) });
    }
  },
  setMode: (mode) => set({ mode }),
  async exportReport() {
    const c = useConnection.getState().current;
    if (!c || get().exportState === 'running') return;
    const runId = crypto.randomUUID();
    set({ runId, exportState: 'running', exportError: null, progress: null });
    try {
      const r = await api.reports.export({ connectionId: c.id, runId, mode: get().mode });
      set({ runId: null, exportState: 'done', lastExport: r.report.name });
    } catch (err) {
      set({ runId: null, exportState: isCancelled(err) ? 'cancelled' : 'error', exportError: errorText(err) });
    }
    await get().refresh();
  },
  async cancel() {
    const runId = get().runId;
    if (runId) await api.checks.cancel({ runId });
  },
  async verify(name) {
    try {
      const v = await api.reports.verify({ name });
      set({ verifications: { ...get().verifications, [name]: v } });
    } catch (err) {
      set({ verifications: { ...get().verifications, [name]: { error: errorText(err) } } });
    }
  },
  pickDiff: (side, name) => set({ diffPick: { ...get().diffPick, [side]: name }, diff: null, diffError: null }),
  async runDiff() {
    const { a, b } = get().diffPick;
    if (!a || !b) return;
    set({ diffError: null });
    try {
      set({ diff: await api.reports.diff({ a, b }) });
    } catch (err) {
      set({ diff: null, diffError: errorText(err) });
    }
  },
  async download(name, format) {
    set({ downloadError: null });
    try {
      const f = await api.reports.read({ name, format });
      downloadText(f.fileName, f.text, f.mime);
    } catch (err) {
      set({ downloadError: errorText(err) });
    }
  },
  async downloadPack(name) {
    set({ downloadError: null });
    try {
      const f = await api.reports.pack({ name });
      downloadText(f.fileName, f.text, f.mime);
    } catch (err) {
      set({ downloadError: errorText(err) });
    }
  },
}));

api.checks.onProgress(({ runId, progress }) => {
  if (runId === useReports.getState().runId) useReports.setState({ progress });
});
