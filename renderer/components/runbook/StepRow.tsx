/**
 * One checklist row: number, title, state, who and when, what the step does, the gate that holds
 * it, its error, the evidence (expandable) and its action: Run, Run again, or a sign-off form.
 */
import { useState } from 'react';
import type { RunbookStep, StepStatus } from '../../../shared/runbook.js';
import { ROW_LABEL, gateText, stepSummary, stepWrites, type RowState } from '../../../shared/runbook-checklist.js';
import { useRunbook } from '../../store/runbook.js';
import { EvidenceView } from './EvidenceView.js';
import { CommandCliLine, OutsideTarget } from './OutsideStep.js';

/** A manual step's sign-off: each checklist line signed on its own with what was checked for it (or one note without a checklist). */
function SignOff({ def, st, disabled }: { def: Extract<RunbookStep, { kind: 'manual' }>; st: StepStatus; disabled: boolean }) {
  const runStep = useRunbook((s) => s.runStep);
  const [note, setNote] = useState('');
  const [lineNotes, setLineNotes] = useState<string[]>(() => def.checklist.map(() => ''));
  const signed = (i: number) => st.checklist[i]?.signedBy ?? null;
  const given = lineNotes.flatMap((n, i) => (n.trim() && !signed(i) ? [{ line: i + 1, note: n.trim() }] : []));
  const ready = def.checklist.length ? given.length > 0 : note.trim().length > 0;
  const submit = () => (def.checklist.length ? runStep(def.id, undefined, given) : runStep(def.id, note));
  return (
    <form className="sign-off" aria-label={`Sign off ${def.title}`} onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      {def.checklist.map((c, i) => (signed(i) ? (
        <p key={c} className="check" data-testid="line-signed">[x] {c} - signed by {signed(i)}: {st.checklist[i]!.note}</p>
      ) : (
        <label key={c}>
          <span>{c}: what you checked (journaled with your name)</span>
          <textarea name={`sign-off-line-${i + 1}`} rows={1} value={lineNotes[i] ?? ''} onChange={(e) => setLineNotes(lineNotes.map((t, j) => (j === i ? e.target.value : t)))} />
        </label>
      )))}
      {def.checklist.length === 0 && (
        <label>
          <span>Your note: what you checked (journaled with your name)</span>
          <textarea name="sign-off-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
      )}
      <button type="submit" className="primary" disabled={disabled || !ready}>Sign off</button>
    </form>
  );
}

const WHO: Partial<Record<RowState, string>> = { passed: 'Passed', failed: 'Failed', running: 'Started', interrupted: 'Started' };

/** A row of the checklist. */
export function StepRow({ index, st, def, state, writable, isNext, file, run, profile }: { index: number; st: StepStatus; def: RunbookStep; state: RowState; writable: boolean; isNext: boolean; file: string; run: string; profile: string }) {
  const busy = useRunbook((s) => s.busy !== null);
  const runStep = useRunbook((s) => s.runStep);
  const cancelStep = useRunbook((s) => s.cancelStep);
  const backfillLive = useRunbook((s) => s.backfill?.step === st.id);
  const [open, setOpen] = useState(false);
  const gate = gateText(st.waitingFor);
  const needsWrite = stepWrites(def) && !writable;
  // A command never runs from here: its row shows the CLI line instead.
  const canRun = def.kind !== 'command' && (state === 'pending' || state === 'failed' || state === 'interrupted');
  const showCli = def.kind === 'command' && (state === 'cli' || state === 'failed' || state === 'interrupted');
  return (
    <li className={`step-row step-${state}${isNext ? ' step-next' : ''}`} data-testid="step-row" data-step={st.id} data-state={state}>
      <div className="step-main">
        <span className="step-index num">{index + 1}</span>
        <div className="step-body">
          <div className="step-title">
            <strong>{st.title}</strong> <span className="badge">{def.kind}</span> <span className={`badge step-state state-${state}`} data-testid="step-state">{ROW_LABEL[state]}</span>
          </div>
          <p className="muted small-text">{stepSummary(def)}</p>
          <OutsideTarget def={def} />
          {st.operator && st.state !== 'pending' && <p className="small-text" data-testid="step-who">{WHO[state] ?? 'Last touched'} by <strong>{st.operator}</strong> at {st.time?.replace('T', ' ').slice(0, 19)} UTC</p>}
          {gate && state === 'blocked' && <p className="small-text gate" data-testid="step-gate">Gate: {gate}</p>}
          {st.error && st.state !== 'passed' && state !== 'blocked' && state !== 'running' && state !== 'cli' && <p className="status status-error small-text" data-testid="step-error">{st.error}</p>}
          {showCli && <CommandCliLine file={file} run={run} step={def.id} profile={profile} />}
          {state === 'sign-off' && isNext && <SignOff def={def as Extract<RunbookStep, { kind: 'manual' }>} st={st} disabled={busy} />}
          {st.evidence && (
            <>
              <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? 'Hide evidence' : 'Evidence'}</button>
              {open && <EvidenceView e={st.evidence} />}
            </>
          )}
        </div>
        <div className="step-action">
          {state === 'running' && <><span className="spinner" aria-hidden />{!backfillLive && <button type="button" className="danger" onClick={() => void cancelStep()}>Cancel</button>}</>}
          {canRun && (
            <button type="button" className={isNext ? 'primary' : ''} disabled={busy || needsWrite} title={needsWrite ? 'Switch on write mode first' : undefined} onClick={() => void runStep(st.id)}>
              {state === 'pending' ? 'Run' : 'Run again'}
            </button>
          )}
        </div>
      </div>
    </li>
  );
}
