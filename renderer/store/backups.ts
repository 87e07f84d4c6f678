/** The Backups page: the list, creating one, verifying one, dropping one (typed confirmation). */
import { create } from 'zustand';
import type { Backup } from '../../shared/backup.js';
import { api } from '../api/index.js';
import { errorText } from '../lib/errors.js';
import { useConnection } from './connection.js';

/** The outcome of the last action on the page, shown as one status line. */
export type BackupNotice = { kind: 'ok' | 'error'; text: string } | null;

interface BackupsState {
  backups: Backup[] | null;
  state: 'idle' | 'loading' | 'loaded' | 'error';
  /** The connection the list belongs to (another connection means load again). */
  loadedFor: string | null;
  error: string | null;
  /** Which action is running ('create', 'verify:3', 'drop:3'), so its button can say so. */
  busy: string | null;
  notice: BackupNotice;
  /** Verification results by backup id. */
  verified: Record<number, { intact: boolean; rows: number; checksum: string }>;
  /** The backup whose drop is being confirmed. */
  dropping: number | null;
  load(): Promise<void>;
  create(schema: string, table: string): Promise<Backup | null>;
  verify(id: number): Promise<void>;
  askDrop(id: number | null): void;
  drop(id: number): Promise<void>;
  reset(): void;
}

function connectionId(): string | null {
  return useConnection.getState().current?.id ?? null;
}

/** The backups store. */
export const useBackups = create<BackupsState>((set, get) => ({
  backups: null,
  state: 'idle',
  loadedFor: null,
  error: null,
  busy: null,
  notice: null,
  verified: {},
  dropping: null,
  async load() {
    const id = connectionId();
    if (!id) return;
    set({ state: 'loading', error: null, loadedFor: id });
    try {
      set({ backups: await api.backups.list({ connectionId: id }), state: 'loaded' });
    } catch (err) {
      set({ state: 'error', error: errorText(err) });
    }
  },
  async create(schema, table) {
    const id = connectionId();
    if (!id || get().busy) return null;
    set({ busy: 'create', notice: null });
    try {
      const b = await api.backups.create({ connectionId: id, schema, table });
      set({ notice: { kind: 'ok', text: `Backup ${b.id} of ${b.sourceSchema}.${b.sourceTable}: ${b.rowCount} rows in ${b.durationMs} ms` } });
      await get().load();
      return b;
    } catch (err) {
      set({ notice: { kind: 'error', text: errorText(err) } });
      return null;
    } finally {
      set({ busy: null });
    }
  },
  async verify(backupId) {
    const id = connectionId();
    if (!id || get().busy) return;
    set({ busy: `verify:${backupId}`, notice: null });
    try {
      const r = await api.backups.verify({ connectionId: id, id: backupId });
      set((s) => ({
        verified: { ...s.verified, [backupId]: { intact: r.intact, rows: r.actual.rows, checksum: r.actual.checksum } },
        notice: r.intact
          ? { kind: 'ok', text: `Backup ${backupId} is intact: ${r.actual.rows} rows, checksum as recorded` }
          : { kind: 'error', text: `Backup ${backupId} CHANGED since it was taken: ${r.actual.rows} rows now (recorded ${r.backup.rowCount}), checksum ${r.actual.checksum}` },
      }));
    } catch (err) {
      set({ notice: { kind: 'error', text: errorText(err) } });
    } finally {
      set({ busy: null });
    }
  },
  askDrop: (dropping) => set({ dropping }),
  async drop(backupId) {
    const id = connectionId();
    if (!id || get().busy) return;
    set({ busy: `drop:${backupId}`, notice: null });
    try {
      const b = await api.backups.drop({ connectionId: id, id: backupId });
      set({ dropping: null, notice: { kind: 'ok', text: `Backup ${b.id} (${b.sourceSchema}.${b.sourceTable}) dropped` } });
      await get().load();
    } catch (err) {
      set({ notice: { kind: 'error', text: errorText(err) } });
    } finally {
      set({ busy: null });
    }
  },
  reset: () => set({ backups: null, state: 'idle', loadedFor: null, error: null, busy: null, notice: null, verified: {}, dropping: null }),
}));
