/**
 * Window: the DBA's maintenance-window view of the open run: progress, the current step with its
 * full SQL, elapsed against expected time, the lock watch around its session, the last NOTICEs.
 * Polls the host once a second while on screen.
 */
import { useEffect } from 'react';
import { isOutsideStep, runProgress } from '../../shared/runbook-checklist.js';
import { CodeBlock } from '../components/CodeBlock.js';
import { LockWatch } from '../components/migrations/LockWatch.js';
import { ConfirmSql } from '../components/runbook/ConfirmSql.js';
import { ScrollArea } from '../components/ScrollArea.js';
import { EmptyState } from '../components/States.js';
import { StepClock } from '../components/window/StepClock.js';
import { WriteModeSwitch } from '../components/WriteModeSwitch.js';
import { currentStepId, plannedLabel, plannedSql } from '../lib/window.js';
import { CommandCliLine } from '../components/runbook/OutsideStep.js';
import { EvidenceView } from '../components/runbook/EvidenceView.js';
import { useApp } from '../store/app.js';
import { useConnection } from '../store/connection.js';
import { useRunbook } from '../store/runbook.js';
import { useWindow, WINDOW_POLL_MS } from '../store/window.js';

/** The Window page. */
export function WindowPage() {
  const view = useRunbook((s) => s.view);
  const running = useRunbook((s) => s.running);
  const busy = useRunbook((s) => s.busy);
  const cancelStep = useRunbook((s) => s.cancelStep);
  const runStep = useRunbook((s) => s.runStep);
  const confirm = useRunbook((s) => s.confirm);
  const data = useWindow((s) => s.data);
  const dataRun = useWindow((s) => s.run);
  const error = useWindow((s) => s.error);
  const poll = useWindow((s) => s.poll);
  const current = useConnection((s) => s.current);
  const go = useApp((s) => s.go);
  const run = view?.status.run;

  useEffect(() => {
    if (!run) return;
    void poll();
    const t = window.setInterval(() => void poll(), WINDOW_POLL_MS);
    return () => window.clearInterval(t);
  }, [run, poll]);

  if (!view) {
    return (
      <section className="page" aria-labelledby="window-title" data-testid="page-window">
        <header className="page-header"><h1 id="window-title">Window</h1></header>
        <EmptyState title="No run open" action={<button type="button" className="primary" onClick={() => go('runbook')}>Open a run</button>}>
          The window view follows the run open on the Runbook page.
        </EmptyState>
      </section>
    );
  }
  const w = dataRun === run ? data : null;
  const s = view.status;
  const p = runProgress(view);
  const stepId = currentStepId(view, running);
  const def = view.steps.find((d) => d.id === stepId);
  const status = s.steps.find((x) => x.id === stepId);
  const isRunning = Boolean(w?.active && w.active.step === stepId) || (busy === 'running' && running === stepId);
  const sent = (w?.statements ?? []).filter((x) => x.step === stepId);
  const notices = (w?.notices ?? []).slice(-20);
  const passed = s.steps.filter((x) => x.state === 'passed').length;
  const locks = w?.locks;
  return (
    <section className="page window-page" aria-labelledby="window-title" data-testid="page-window" data-run={s.run}>
      <header className="page-header">
        <h1 id="window-title">Window: {view.label}</h1>
        <span className="muted">{s.database} · run <code>{s.run}</code></span>
      </header>
      <div className="card" data-testid="window-progress">
        <strong>{p.text}</strong>
        <div className="progress" role="progressbar" aria-label="Steps passed" aria-valuemin={0} aria-valuemax={s.steps.length} aria-valuenow={passed}>
          <div className="progress-fill" style={{ width: `${(100 * passed) / Math.max(1, s.steps.length)}%` }} />
        </div>
        <ol className="window-steps">
          {s.steps.map((x) => {
            const state = x.id === stepId && isRunning ? 'running' : x.state;
            return <li key={x.id} data-state={state} aria-current={x.id === stepId ? 'step' : undefined}><span className={`badge step-${state}`}>{state}</span> {x.title}</li>;
          })}
        </ol>
        {s.complete && <p className="status status-ok" role="status" data-testid="window-complete">Complete: every step passed. Write mode switches itself off.</p>}
      </div>
      {def && status && (
        <div className="card" data-testid="window-step" data-step={def.id} data-state={isRunning ? 'running' : status.state}>
          <div className="profile-main">
            <h2>{isRunning ? 'Running' : s.complete ? 'Last step' : 'Next'}: {def.title} <span className="badge">{def.kind}</span></h2>
            {isRunning
              ? <button type="button" className="danger" onClick={() => void cancelStep()}>Cancel step</button>
              : !s.complete && def.kind !== 'manual' && def.kind !== 'command' && <button type="button" onClick={() => void runStep(def.id)} disabled={busy !== null || !current?.writable} title={current?.writable ? undefined : 'Switch on write mode first'}>Run this step</button>}
          </div>
          <StepClock startedAt={w?.active?.startedAt ?? null} expected={w?.expected[def.id]} running={isRunning} />
          {status.error && !isRunning && <p className="status status-error" role="alert">{status.error}</p>}
          {def.kind === 'command' && !s.complete && status.state !== 'passed' && <CommandCliLine file={s.file} run={s.run} step={def.id} profile={s.profile} />}
          {status.evidence && isOutsideStep(def) && <EvidenceView e={status.evidence} />}
          <CodeBlock
            testId="window-sql"
            label={plannedLabel(def, sent.length)}
            code={sent.length ? sent.map((x) => x.sql.trim().replace(/;?$/, ';')).join('\n\n') : plannedSql(def)}
          />
        </div>
      )}
      <div className="window-grid">
        <div className="card" data-testid="window-locks">
          <h2>Locks around the step</h2>
          {locks && (locks.blockers.length > 0 || locks.waiters.length > 0 || locks.waitingFor.length > 0)
            ? <ScrollArea label="Lock watch"><LockWatch event={locks} live subject="this step" /></ScrollArea>
            : <p className="muted" role="status">{w?.active ? `No lock waits around the step's session (pid ${w.active.pid ?? '–'}) · checked ${w.at.slice(11, 19)} UTC` : 'Nothing runs now: the lock watch follows a running step.'}</p>}
        </div>
        <div className="card" data-testid="window-notices">
          <h2>Last NOTICEs</h2>
          {notices.length === 0 ? <p className="muted">None yet from this run in this console.</p> : (
            <ol className="notices" aria-label="Server notices, oldest first">
              {notices.map((n, i) => <li key={`${n.at}-${i}`}><span className="muted small-text">{n.at.slice(11, 19)} · {n.step} · {n.severity}</span> {n.message}</li>)}
            </ol>
          )}
        </div>
      </div>
      <div className="card"><WriteModeSwitch /></div>
      {error && <p className="status status-error" role="alert">{error}</p>}
      {/* "Run this step" here asks for the same confirmation as on the Runbook page: every statement, whole. */}
      {confirm && <ConfirmSql preview={confirm} title={view.steps.find((d) => d.id === confirm.step)?.title ?? confirm.step} database={s.database} />}
    </section>
  );
}
