/**
 * The guided restore: a stepper (arrow keys move between the steps that are open; each step's
 * heading takes focus when it opens) over pick, compare, scope, dry run, confirm, verified.
 */
import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';
import { STEPS, canOpen, doneStepLabel, type StepId } from '../../../shared/restore-wizard.js';
import { useRestore, wizardReachable } from '../../store/restore.js';
import { CompareStep } from './CompareStep.js';
import { ConfirmStep } from './ConfirmStep.js';
import { DoneStep } from './DoneStep.js';
import { DryRunStep } from './DryRunStep.js';
import { PickStep } from './PickStep.js';
import { ScopeStep } from './ScopeStep.js';

const BODIES: Record<StepId, () => React.JSX.Element> = {
  pick: PickStep, compare: CompareStep, scope: ScopeStep, 'dry-run': DryRunStep, confirm: ConfirmStep, done: DoneStep,
};

function Stepper({ step, reachable, listRef }: { step: StepId; reachable: StepId; listRef: RefObject<HTMLOListElement | null> }) {
  const goTo = useRestore((s) => s.goTo);
  const done = doneStepLabel(useRestore((s) => (s.result.state === 'done' ? s.result.value?.status ?? null : null)));
  const onKeyDown = (e: KeyboardEvent<HTMLOListElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const open = STEPS.filter((s) => canOpen(s.id, reachable)).map((s) => s.id);
    const at = open.indexOf(step);
    const next = open[at + (e.key === 'ArrowRight' ? 1 : -1)];
    if (!next) return;
    e.preventDefault();
    goTo(next);
  };
  return (
    <ol className="stepper" aria-label="Restore steps" ref={listRef} onKeyDown={onKeyDown} data-testid="restore-stepper">
      {STEPS.map((s, i) => (
        <li key={s.id}>
          <button
            type="button"
            data-step={s.id}
            aria-current={s.id === step ? 'step' : undefined}
            disabled={!canOpen(s.id, reachable)}
            tabIndex={s.id === step ? 0 : -1}
            onClick={() => goTo(s.id)}
          >
            <span className="step-num" aria-hidden="true">{s.id === 'done' && reachable === 'done' && done.mark ? done.mark : i + 1}</span>
            {s.id === 'done' ? done.label : s.label}
          </button>
        </li>
      ))}
    </ol>
  );
}

/** The wizard. */
export function RestoreWizard() {
  const state = useRestore();
  const reachable = wizardReachable(state);
  const step = canOpen(state.step, reachable) ? state.step : reachable;
  const Body = BODIES[step];
  const bodyRef = useRef<HTMLDivElement>(null);
  const stepperRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    // Arrow keys in the stepper keep focus there; anything else moves it to the new step's heading.
    const inStepper = stepperRef.current?.contains(document.activeElement) ?? false;
    const target = inStepper ? stepperRef.current?.querySelector<HTMLElement>(`[data-step="${step}"]`) : bodyRef.current?.querySelector<HTMLElement>('h2');
    target?.focus();
  }, [step]);
  return (
    <div className="card wizard" data-testid="restore-wizard" data-step={step}>
      <div className="profile-main">
        <h2 className="wizard-title">Restore{state.backup ? ` from backup ${state.backup.id} (${state.backup.sourceSchema}.${state.backup.sourceTable})` : ''}</h2>
        <button type="button" className="small" onClick={state.close}>{step === 'done' ? 'Back to backups' : 'Cancel restore'}</button>
      </div>
      <Stepper step={step} reachable={reachable} listRef={stepperRef} />
      <div className="wizard-body" ref={bodyRef} data-testid={`step-${step}`}>
        <Body />
      </div>
    </div>
  );
}
