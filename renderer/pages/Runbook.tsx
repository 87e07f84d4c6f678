/**
 * The runbook checklist: start a run (template or file) or reopen one; every step with its state,
 * who and when, evidence, gate and action; a running backfill's live progress; the journal's
 * verification; before a step writes, every statement it sends, whole, for a confirmation.
 * Keyed on the run, so several operators can reopen it and see where it stopped.
 */
import { useEffect } from 'react';
import { BackfillPanel } from '../components/runbook/BackfillPanel.js';
import { RollbackSection } from '../components/runbook/RollbackSection.js';
import { ConfirmSql } from '../components/runbook/ConfirmSql.js';
import { RunHeader } from '../components/runbook/RunHeader.js';
import { RunPicker } from '../components/runbook/RunPicker.js';
import { StepRow } from '../components/runbook/StepRow.js';
import { LoadingState } from '../components/States.js';
import { WriteModeSwitch } from '../components/WriteModeSwitch.js';
import { rowState } from '../../shared/runbook-checklist.js';
import { useConnection } from '../store/connection.js';
import { useRunbook } from '../store/runbook.js';
import './runbook.css';

/** The Runbook page. */
export function RunbookPage() {
  const current = useConnection((s) => s.current);
  const view = useRunbook((s) => s.view);
  const busy = useRunbook((s) => s.busy);
  const running = useRunbook((s) => s.running);
  const error = useRunbook((s) => s.error);
  const loadPicker = useRunbook((s) => s.loadPicker);
  const confirm = useRunbook((s) => s.confirm);
  useEffect(() => {
    if (!view) void loadPicker();
  }, [view, loadPicker]);
  const writable = current?.writable ?? false;
  return (
    <section className="page" aria-labelledby="rb-title" data-testid="page-runbook" data-busy={busy ?? 'idle'}>
      <header className="page-header"><h1 id="rb-title">Runbook checklist</h1></header>
      {!view && busy === 'opening' && <LoadingState label="Opening the run…" />}
      {!view && error && <p className="status status-error" role="alert" data-testid="run-error">{error}</p>}
      {!view && <RunPicker />}
      {view && (
        <>
          <RunHeader view={view} />
          {current && <div className="card write-card"><WriteModeSwitch /></div>}
          <BackfillPanel />
          <ol className="checklist" data-testid="checklist" aria-label="Steps">
            {view.status.steps.map((st, i) => {
              const def = view.steps[i]!;
              return <StepRow key={st.id} index={i} st={st} def={def} state={rowState(st, def, running)} writable={writable} isNext={view.status.next?.step === st.id} file={view.status.file} run={view.status.run} profile={view.status.profile} />;
            })}
          </ol>
          <RollbackSection run={view.status.run} rollback={view.status.rollback} />
          {confirm && <ConfirmSql preview={confirm} title={view.steps.find((s) => s.id === confirm.step)?.title ?? confirm.step} database={view.status.database} />}
        </>
      )}
    </section>
  );
}
