/**
 * The Migrations page: a folder read against the current connection (ledger status, lint with
 * the SQL, preflight), and apply with its live events, lock watch, acknowledgements and abort.
 */
import { create } from 'zustand';
import type { MigrationSourceFile } from '../../shared/contract/migrations.js';
import type { ApplyResult, LintFinding, LintRuleId, LockWatchEvent, MigrationStatus, Preflight, StatementEstimate } from '../../shared/migrations.js';
import { api } from '../api/index.js';
import { errorText, isCancelled } from '../lib/errors.js';
import { useConnection } from './connection.js';

type Load<T> = { state: 'idle' | 'loading' | 'done' | 'error'; value: T | null; error: string | null };
const idle = { state: 'idle', value: null, error: null } as const;

/** One line of the apply log (statements, NOTICEs, retries, migrations starting and finishing). */
export interface ApplyLogLine {
  kind: 'statement' | 'notice' | 'retry' | 'start' | 'done';
  text: string;
}

interface MigrationsState {
  dir: string;
  status: Load<MigrationStatus>;
  lint: Load<{ files: MigrationSourceFile[]; findings: LintFinding[] }>;
  preflight: Load<Preflight>;
  /** The pending statements' locks and estimated lock times (live lint), shown before Apply. */
  estimates: Load<StatementEstimate[]>;
  selectedFile: string | null;
  acknowledged: LintRuleId[];
  runId: string | null;
  applyState: 'idle' | 'running' | 'done' | 'cancelled' | 'error';
  applyError: string | null;
  log: ApplyLogLine[];
  lock: LockWatchEvent | null;
  /** The most recent lock snapshot that showed a blocker (kept after the wait ends). */
  lastBlocked: LockWatchEvent | null;
  result: ApplyResult | null;
  setDir(dir: string): void;
  read(): Promise<void>;
  selectFile(file: string | null): void;
  acknowledge(rule: LintRuleId, on: boolean): void;
  apply(): Promise<void>;
  abort(): Promise<void>;
}

const LOG_MAX = 500;

type LoadKey = 'status' | 'lint' | 'preflight' | 'estimates';

/** Run `fn` into state[key]; the previous value stays visible while it loads. */
async function load<K extends LoadKey>(key: K, fn: () => Promise<NonNullable<MigrationsState[K]['value']>>): Promise<void> {
  const prev = useMigrations.getState()[key].value;
  useMigrations.setState({ [key]: { state: 'loading', value: prev, error: null } } as Partial<MigrationsState>);
  try {
    useMigrations.setState({ [key]: { state: 'done', value: await fn(), error: null } } as Partial<MigrationsState>);
  } catch (err) {
    useMigrations.setState({ [key]: { state: 'error', value: null, error: errorText(err) } } as Partial<MigrationsState>);
  }
}

/** The migrations store. */
export const useMigrations = create<MigrationsState>((set, get) => ({
  dir: '',
  status: idle,
  lint: idle,
  preflight: idle,
  estimates: idle,
  selectedFile: null,
  acknowledged: [],
  runId: null,
  applyState: 'idle',
  applyError: null,
  log: [],
  lock: null,
  lastBlocked: null,
  result: null,
  setDir: (dir) => set({ dir }),
  async read() {
    const dir = get().dir.trim();
    if (!dir) return;
    const c = useConnection.getState().current;
    const folder = { dir };
    const jobs: Promise<void>[] = [
      load('lint', async () => {
        const r = await api.migrations.lint({ ...folder, connectionId: c?.id });
        const first = r.findings[0]?.file ?? r.files.find((f) => f.file)?.file ?? null;
        if (!get().selectedFile || !r.files.some((f) => f.file === get().selectedFile)) set({ selectedFile: first });
        return { files: r.files, findings: r.findings };
      }),
    ];
    if (c) {
      jobs.push(load('status', () => api.migrations.status({ ...folder, connectionId: c.id })));
      jobs.push(load('preflight', () => api.migrations.preflight({ ...folder, connectionId: c.id })));
      jobs.push(load('estimates', async () => (await api.migrations.estimates({ ...folder, connectionId: c.id })).estimates));
    } else {
      set({ status: idle, preflight: idle, estimates: idle });
    }
    await Promise.all(jobs);
  },
  selectFile: (selectedFile) => set({ selectedFile }),
  acknowledge(rule, on) {
    const rest = get().acknowledged.filter((r) => r !== rule);
    set({ acknowledged: on ? [...rest, rule] : rest });
  },
  async apply() {
    const c = useConnection.getState().current;
    if (!c || get().applyState === 'running') return;
    const runId = crypto.randomUUID();
    set({ runId, applyState: 'running', applyError: null, log: [], lock: null, lastBlocked: null, result: null });
    try {
      const result = await api.migrations.apply({ connectionId: c.id, runId, dir: get().dir.trim(), ack: get().acknowledged });
      if (get().runId !== runId) return;
      set({ result, runId: null, applyState: result.cancelled ? 'cancelled' : result.failed ? 'error' : 'done', applyError: result.failed?.error ?? null });
    } catch (err) {
      if (get().runId !== runId) return;
      set({ runId: null, applyState: isCancelled(err) ? 'cancelled' : 'error', applyError: errorText(err) });
    }
    await get().read();
  },
  async abort() {
    const runId = get().runId;
    if (runId) await api.migrations.cancel({ runId });
  },
}));

function logLine(e: Parameters<Parameters<typeof api.migrations.onEvent>[0]>[0]['event']): ApplyLogLine | null {
  switch (e.type) {
    case 'migration-start': return { kind: 'start', text: `${e.id}: ${e.transactional ? 'in one transaction' : 'OUTSIDE a transaction'}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}` };
    case 'statement': return { kind: 'statement', text: `${e.id} [${e.index + 1}/${e.total}] line ${e.line}: ${e.text}` };
    case 'notice': return { kind: 'notice', text: `${e.severity}: ${e.message}` };
    case 'retry': return { kind: 'retry', text: `${e.id}: ${e.reason}; retry ${e.attempt} in ${e.waitMs} ms` };
    case 'migration-done': return { kind: 'done', text: `${e.id}: applied in ${e.durationMs} ms` };
    case 'lock': return null;
    case 'ledger-wait': return { kind: 'retry', text: `waiting up to ${e.timeoutMs} ms for the ledger ${e.ledger}, held by ${e.holders.join(', ') || 'another session'}` };
  }
}

api.migrations.onEvent(({ runId, event }) => {
  const s = useMigrations.getState();
  if (runId !== s.runId) return;
  if (event.type === 'lock') {
    const blocked = event.event.blockers.length > 0 || event.event.waitingFor.length > 0;
    useMigrations.setState({ lock: event.event, lastBlocked: blocked ? event.event : s.lastBlocked });
    return;
  }
  const line = logLine(event);
  if (line) useMigrations.setState({ log: [...s.log, line].slice(-LOG_MAX) });
});
