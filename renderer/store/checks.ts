/**
 * Check runs: the instant estimate, the exact run with per-table progress and cancel, and the
 * isolation probe.
 */
import { create } from 'zustand';
import type { CheckRun, ProgressEvent } from '../../shared/findings.js';
import { api } from '../api/index.js';
import { errorText, isCancelled } from '../lib/errors.js';
import { useConnection } from './connection.js';

type RunState = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/** A step of the exact run that has finished. */
export interface CompletedStep {
  phase: ProgressEvent['phase'];
  label: string;
}

interface ChecksState {
  estimate: CheckRun | null;
  estimateState: RunState;
  estimateError: string | null;
  exact: CheckRun | null;
  exactState: RunState;
  exactError: string | null;
  runId: string | null;
  progress: ProgressEvent | null;
  completed: CompletedStep[];
  probe: CheckRun | null;
  probeState: RunState;
  probeError: string | null;
  runEstimate(): Promise<void>;
  runExact(): Promise<void>;
  cancel(): Promise<void>;
  runProbe(o: { rlsRole: string; rlsSetting?: string; rlsTenant?: string }): Promise<void>;
  reset(): void;
}

const initial = {
  estimate: null, estimateState: 'idle', estimateError: null,
  exact: null, exactState: 'idle', exactError: null,
  runId: null, progress: null, completed: [],
  probe: null, probeState: 'idle', probeError: null,
} as const satisfies Partial<ChecksState>;

function newRunId(): string {
  return crypto.randomUUID();
}

function stepLabel(p: ProgressEvent): string {
  return `${p.schema ?? ''}.${p.table ?? ''}${p.constraint ? ` (${p.constraint})` : ''}`;
}

/** The checks store. */
export const useChecks = create<ChecksState>((set, get) => ({
  ...initial,
  completed: [],
  async runEstimate() {
    const c = useConnection.getState().current;
    if (!c) return;
    set({ estimateState: 'running', estimateError: null });
    try {
      const estimate = await api.checks.run({ connectionId: c.id, runId: newRunId(), mode: 'estimate' });
      set({ estimate, estimateState: 'done' });
    } catch (err) {
      set({ estimateState: 'error', estimateError: errorText(err) });
    }
  },
  async runExact() {
    const c = useConnection.getState().current;
    if (!c || get().exactState === 'running') return;
    const runId = newRunId();
    set({ exactState: 'running', exactError: null, runId, progress: null, completed: [] });
    try {
      const exact = await api.checks.run({ connectionId: c.id, runId, mode: 'exact' });
      if (get().runId === runId) set({ exact, exactState: 'done', runId: null });
    } catch (err) {
      if (get().runId !== runId) return;
      set(isCancelled(err) ? { exactState: 'cancelled', runId: null } : { exactState: 'error', exactError: errorText(err), runId: null });
    }
  },
  async cancel() {
    const runId = get().runId;
    if (runId) await api.checks.cancel({ runId });
  },
  async runProbe(o) {
    const c = useConnection.getState().current;
    if (!c) return;
    set({ probeState: 'running', probeError: null });
    try {
      const probe = await api.checks.run({ connectionId: c.id, runId: newRunId(), mode: 'estimate', ...o });
      set({ probe, probeState: 'done' });
    } catch (err) {
      set({ probeState: 'error', probeError: errorText(err) });
    }
  },
  reset: () => set({ ...initial, completed: [] }),
}));

api.checks.onProgress(({ runId, progress }) => {
  const s = useChecks.getState();
  if (runId !== s.runId) return;
  const completed = s.progress && s.progress.phase !== 'model' ? [...s.completed, { phase: s.progress.phase, label: stepLabel(s.progress) }] : s.completed;
  useChecks.setState({ progress, completed });
});

/** The best run we have: exact when there is one, else the estimate. */
export function latestRun(s: Pick<ChecksState, 'exact' | 'estimate'>): CheckRun | null {
  return s.exact ?? s.estimate;
}
