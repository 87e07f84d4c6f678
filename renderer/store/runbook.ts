/**
 * The runbook checklist: the open run (its status, evidence, journal verification), the step
 * running in the host and a running backfill's live progress, fed by runbooks/onStep and
 * runbooks/onBackfill. The header's progress indicator reads this store from every page.
 */
import { create } from 'zustand';
import type { BackfillProgress } from '../../shared/backfill.js';
import type { JournalVerificationView, RunSummaryView, RunView, RunbookTemplateView, StepPreviewView } from '../../shared/contract/runbooks.js';
import { api } from '../api/index.js';
import { errorText } from '../lib/errors.js';
import { useConnection } from './connection.js';

/** A running (or just finished) backfill as the panel shows it. */
export interface BackfillLive {
  step: string;
  paused: boolean;
  progress: BackfillProgress;
  /** Progress events received for this backfill in this window. */
  events: number;
}

interface RunbookState {
  templates: RunbookTemplateView[];
  runs: RunSummaryView[];
  pickerError: string | null;
  view: RunView | null;
  busy: 'opening' | 'running' | null;
  /** The step the host is running (from the request in flight or the events). */
  running: string | null;
  error: string | null;
  backfill: BackfillLive | null;
  backfillError: string | null;
  verification: { state: 'idle' | 'checking' | 'done' | 'error'; value: JournalVerificationView | null; at: string | null; error: string | null };
  /** A step's writes waiting for the operator's confirmation (every statement whole), or null. */
  confirm: StepPreviewView | null;
  /** The operator's answer to `confirm`: run the statements, or not. */
  answerConfirm(run: boolean): void;
  loadPicker(): Promise<void>;
  open(source: { kind: 'template'; template: string } | { kind: 'file'; path: string } | { kind: 'run'; run: string }): Promise<void>;
  close(): void;
  refresh(): Promise<void>;
  /** Run a step; a manual one with its note, or its checklist lines signed each with its own note. */
  runStep(step?: string, note?: string, lines?: { line: number; note: string }[]): Promise<void>;
  runUntilStop(): Promise<void>;
  cancelStep(): Promise<void>;
  pauseBackfill(): Promise<void>;
  resumeBackfill(): Promise<void>;
  cancelBackfill(): Promise<void>;
  verify(): Promise<void>;
}

const noVerification = { state: 'idle', value: null, at: null, error: null } as const;

function fromView(view: RunView): Partial<RunbookState> {
  const a = view.active;
  return { view, running: a?.step ?? null, ...(a?.backfill ? { backfill: { step: a.step, paused: a.paused, progress: a.backfill, events: 0 } } : {}) };
}

/** Every status the host sends carries the journal's verification as of now: keep it current. */
function verified(view: RunView): RunbookState['verification'] {
  return { state: 'done', value: view.verification, at: new Date().toISOString(), error: null };
}

/** A completed run leaves nothing to write: write mode goes back off, and says so. */
async function switchOffWhenComplete(view: RunView): Promise<void> {
  if (view.status.complete) await useConnection.getState().switchOffWrite(`Write mode switched off: the runbook run "${view.label}" is complete.`);
}

/** The pending confirmation's answer, resolved by answerConfirm. */
let answer: ((run: boolean) => void) | null = null;

/**
 * Before a step runs: its statements from the host; when it writes, shown whole for the operator
 * to confirm. The digest of what was confirmed goes with the run (the host refuses it if the SQL
 * changed since); null when the operator declined.
 */
async function confirmedDigest(connectionId: string, run: string, step: string): Promise<string | null> {
  const preview = await api.runbooks.preview({ connectionId, run, step });
  if (!preview.writes || preview.statements.length === 0) return preview.digest;
  const yes = await new Promise<boolean>((resolve) => {
    answer = resolve;
    useRunbook.setState({ confirm: preview });
  });
  return yes ? preview.digest : null;
}

/** The runbook store. */
export const useRunbook = create<RunbookState>((set, get) => ({
  templates: [],
  runs: [],
  pickerError: null,
  view: null,
  busy: null,
  running: null,
  error: null,
  backfill: null,
  backfillError: null,
  verification: noVerification,
  confirm: null,
  answerConfirm(run) {
    const resolve = answer;
    answer = null;
    set({ confirm: null });
    resolve?.(run);
  },
  async loadPicker() {
    try {
      const [templates, runs] = await Promise.all([api.runbooks.templates({}), api.runbooks.list({})]);
      set({ templates, runs, pickerError: null });
    } catch (err) {
      set({ pickerError: errorText(err) });
    }
  },
  async open(source) {
    set({ busy: 'opening', error: null });
    try {
      const view = await api.runbooks.open({ connectionId: useConnection.getState().current?.id, source });
      set({ ...fromView(view), busy: null, backfill: null, backfillError: null, verification: verified(view) });
      if (view.active?.backfill) set(fromView(view));
    } catch (err) {
      set({ busy: null, error: errorText(err) });
    }
  },
  close() {
    get().answerConfirm(false);
    set({ view: null, running: null, backfill: null, error: null, verification: noVerification });
    void get().loadPicker();
  },
  async refresh() {
    const run = get().view?.status.run;
    if (!run) return;
    try {
      const view = await api.runbooks.status({ run });
      if (get().view?.status.run === run) set({ view, verification: verified(view), running: get().busy === 'running' ? get().running : view.active?.step ?? null });
    } catch (err) {
      set({ error: errorText(err) });
    }
  },
  async runStep(step, note, lines) {
    const c = useConnection.getState().current;
    const run = get().view?.status.run;
    if (!c || !run || get().busy) return;
    const target = step ?? get().view?.status.next?.step ?? null;
    const def = get().view?.steps.find((s) => s.id === target);
    set({ busy: 'running', running: null, error: null, backfillError: null });
    try {
      const confirmed = def && def.kind !== 'manual' && target ? await confirmedDigest(c.id, run, target) : undefined;
      if (confirmed === null) {
        set({ busy: null, running: null });
        return;
      }
      set({ running: target });
      const view = await api.runbooks.runStep({ connectionId: c.id, run, step, note, ...(lines?.length ? { lines } : {}), ...(confirmed ? { confirmed } : {}) });
      if (get().view?.status.run === run) set({ view, verification: verified(view), running: null, busy: null });
      await switchOffWhenComplete(view);
    } catch (err) {
      set({ busy: null, running: null, error: errorText(err) });
      await get().refresh();
    }
  },
  async runUntilStop() {
    const c = useConnection.getState().current;
    const run = get().view?.status.run;
    if (!c || !run || get().busy) return;
    set({ busy: 'running', error: null, backfillError: null });
    try {
      // Step by step, so every write is shown and confirmed before it runs; stops at a sign-off,
      // a step that does not pass, or a confirmation declined.
      for (;;) {
        const current = get().view;
        const next = current?.status.next?.step;
        const def = current?.steps.find((s) => s.id === next);
        // A sign-off needs the operator; a command runs from the CLI only.
        if (!current || current.status.run !== run || !next || !def || def.kind === 'manual' || def.kind === 'command') break;
        set({ running: null });
        const confirmed = await confirmedDigest(c.id, run, next);
        if (confirmed === null) break;
        set({ running: next });
        const view = await api.runbooks.runStep({ connectionId: c.id, run, step: next, confirmed });
        if (get().view?.status.run !== run) return;
        set({ view, verification: verified(view) });
        await switchOffWhenComplete(view);
        if (view.status.steps.find((s) => s.id === next)?.state !== 'passed') break;
      }
      set({ running: null, busy: null });
    } catch (err) {
      set({ busy: null, running: null, error: errorText(err) });
      await get().refresh();
    }
  },
  async cancelStep() {
    const run = get().view?.status.run;
    if (run) await api.runbooks.cancel({ run }).catch((err: unknown) => set({ error: errorText(err) }));
  },
  async pauseBackfill() {
    const b = get().backfill;
    if (!b) return;
    try {
      const r = await api.backfill.pause({ id: b.progress.id });
      set({ backfill: { ...get().backfill!, paused: r.paused } });
    } catch (err) {
      set({ backfillError: errorText(err) });
    }
  },
  async resumeBackfill() {
    const b = get().backfill;
    if (!b) return;
    try {
      const r = await api.backfill.resume({ id: b.progress.id });
      set({ backfill: { ...get().backfill!, paused: r.paused } });
    } catch (err) {
      set({ backfillError: errorText(err) });
    }
  },
  async cancelBackfill() {
    const b = get().backfill;
    if (!b) return;
    await api.backfill.cancel({ id: b.progress.id }).catch((err: unknown) => set({ backfillError: errorText(err) }));
  },
  async verify() {
    const run = get().view?.status.run;
    if (!run) return;
    set({ verification: { ...get().verification, state: 'checking', error: null } });
    try {
      const value = await api.runbooks.verify({ run });
      set({ verification: { state: 'done', value, at: new Date().toISOString(), error: null } });
    } catch (err) {
      set({ verification: { state: 'error', value: null, at: null, error: errorText(err) } });
    }
  },
}));

api.runbooks.onStep(({ run, step, state }) => {
  const s = useRunbook.getState();
  if (s.view?.status.run !== run) return;
  if (state === 'running') useRunbook.setState({ running: step });
  // Each step shows at once: who started it, and each verdict (a run "until the next stop" walks several).
  if (state !== 'skipped' && state !== 'waiting') void s.refresh();
});

api.runbooks.onBackfill(({ run, step, paused, progress }) => {
  const s = useRunbook.getState();
  if (s.view?.status.run !== run) return;
  const same = s.backfill?.progress.id === progress.id;
  const isPaused = progress.phase === 'paused' ? true : progress.phase === 'resumed' ? false : paused;
  useRunbook.setState({ backfill: { step, paused: isPaused, progress, events: (same ? s.backfill!.events : 0) + 1 } });
});
