/**
 * The restore wizard: pick a backup, compare it with the live table, choose scope, strategy and
 * values for added columns, dry run, confirm, restore, verified. Changing a choice discards the
 * dry run, so what is confirmed is always what was just rehearsed.
 */
import { create } from 'zustand';
import type { Backup, CompareResult, RestoreResult, RestoreStrategy } from '../../shared/backup.js';
import type { TenantEntry } from '../../shared/contract/backups.js';
import { api } from '../api/index.js';
import { errorText } from '../lib/errors.js';
import { buildRestoreRequest, columnsReady, reachableStep, toScope, type ColumnChoice, type ScopeChoice, type StepId } from '../../shared/restore-wizard.js';
import { useConnection } from './connection.js';

type Phase<T> = { state: 'idle' | 'running' | 'done' | 'error'; value: T | null; error: string | null; code: string | null };
const idle = <T,>(): Phase<T> => ({ state: 'idle', value: null, error: null, code: null });

interface RestoreState {
  open: boolean;
  step: StepId;
  backup: Backup | null;
  compare: Phase<CompareResult>;
  tenants: Phase<TenantEntry[]>;
  tenantQuery: string;
  scope: ScopeChoice;
  strategy: RestoreStrategy;
  columns: Record<string, ColumnChoice>;
  dryRun: Phase<RestoreResult>;
  confirmText: string;
  result: Phase<RestoreResult>;
  start(backup?: Backup): void;
  close(): void;
  goTo(step: StepId): void;
  pick(backup: Backup): Promise<void>;
  runCompare(): Promise<void>;
  loadTenants(): Promise<void>;
  setTenantQuery(q: string): void;
  setScope(scope: ScopeChoice): void;
  setStrategy(s: RestoreStrategy): void;
  setColumn(column: string, choice: ColumnChoice): void;
  runDryRun(): Promise<void>;
  setConfirmText(t: string): void;
  runRestore(): Promise<void>;
  /** After a restore: compare again from the start (the result stays journaled). */
  compareAgain(): Promise<void>;
}

/** The step the wizard may go to next, from its state. */
export function wizardReachable(s: Pick<RestoreState, 'backup' | 'compare' | 'scope' | 'columns' | 'dryRun' | 'result'>): StepId {
  return reachableStep({
    backupId: s.backup?.id ?? null,
    compared: s.compare.state === 'done',
    scopeReady: 'scope' in toScope(s.scope) && columnsReady(s.columns),
    dryRunPassed: s.dryRun.state === 'done' && s.dryRun.value?.verified === true,
    restored: s.result.state === 'done',
  });
}

const fresh = {
  step: 'pick' as StepId, backup: null, compare: idle<CompareResult>(), scope: { kind: 'table' } as ScopeChoice,
  strategy: 'replace' as RestoreStrategy, columns: {}, dryRun: idle<RestoreResult>(), confirmText: '', result: idle<RestoreResult>(),
};

function failed<T>(err: unknown): Phase<T> {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : null;
  return { state: 'error', value: null, error: errorText(err), code };
}

function connectionId(): string {
  const c = useConnection.getState().current;
  if (!c) throw new Error('not connected');
  return c.id;
}

/** The restore wizard store. */
export const useRestore = create<RestoreState>((set, get) => ({
  open: false,
  ...fresh,
  tenants: idle<TenantEntry[]>(),
  tenantQuery: '',
  start(backup) {
    set({ open: true, ...fresh });
    if (backup) void get().pick(backup);
  },
  close: () => set({ open: false, ...fresh }),
  goTo(step) {
    set({ step });
  },
  async pick(backup) {
    set({ ...fresh, backup, step: 'compare' });
    await get().runCompare();
  },
  async runCompare() {
    const b = get().backup;
    if (!b) return;
    set({ compare: { ...idle<CompareResult>(), state: 'running' }, dryRun: idle<RestoreResult>() });
    try {
      const value = await api.backups.compare({ connectionId: connectionId(), id: b.id, samples: 10 });
      const columns: Record<string, ColumnChoice> = {};
      for (const c of value.columnsAdded) columns[c] = { mode: 'keep' };
      set({ compare: { state: 'done', value, error: null, code: null }, columns });
      if (value.tenantColumn && get().tenants.state === 'idle') void get().loadTenants();
    } catch (err) {
      set({ compare: failed(err) });
    }
  },
  async loadTenants() {
    set({ tenants: { ...idle<TenantEntry[]>(), state: 'running' } });
    try {
      set({ tenants: { state: 'done', value: await api.backups.tenants({ connectionId: connectionId() }), error: null, code: null } });
    } catch (err) {
      set({ tenants: failed(err) });
    }
  },
  setTenantQuery: (tenantQuery) => set({ tenantQuery }),
  setScope: (scope) => set({ scope, dryRun: idle<RestoreResult>(), confirmText: '' }),
  setStrategy: (strategy) => set({ strategy, dryRun: idle<RestoreResult>(), confirmText: '' }),
  setColumn: (column, choice) => set((s) => ({ columns: { ...s.columns, [column]: choice }, dryRun: idle<RestoreResult>(), confirmText: '' })),
  async runDryRun() {
    const s = get();
    const scope = toScope(s.scope);
    if (!s.backup || !('scope' in scope)) return;
    set({ dryRun: { ...idle<RestoreResult>(), state: 'running' }, step: 'dry-run' });
    try {
      const value = await api.backups.restore(buildRestoreRequest({
        connectionId: connectionId(), backupId: s.backup.id, scope: scope.scope, strategy: s.strategy, columns: s.columns, dryRun: true,
      }));
      set({ dryRun: { state: 'done', value, error: null, code: null } });
    } catch (err) {
      set({ dryRun: failed(err) });
    }
  },
  setConfirmText: (confirmText) => set({ confirmText }),
  async runRestore() {
    const s = get();
    const scope = toScope(s.scope);
    if (!s.backup || !('scope' in scope) || s.result.state === 'running') return;
    set({ result: { ...idle<RestoreResult>(), state: 'running' } });
    try {
      const production = useConnection.getState().current?.profile.environment === 'production';
      const value = await api.backups.restore(buildRestoreRequest({
        connectionId: connectionId(), backupId: s.backup.id, scope: scope.scope, strategy: s.strategy, columns: s.columns,
        dryRun: false, confirmTable: production ? s.confirmText : undefined,
      }));
      set({ result: { state: 'done', value, error: null, code: null }, step: 'done' });
    } catch (err) {
      set({ result: failed(err) });
    }
  },
  async compareAgain() {
    set({ result: idle<RestoreResult>(), dryRun: idle<RestoreResult>(), confirmText: '', step: 'compare' });
    await get().runCompare();
  },
}));
