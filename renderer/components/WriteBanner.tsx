/**
 * Write mode, unmissable: a full-width banner in the environment's colour while the session can
 * write, above every page and drawer, with the way back to read-only; and the one-line notice when
 * write mode went off by itself. Also runs the idle timer that switches it off.
 */
import { useEffect } from 'react';
import { useConnection } from '../store/connection.js';
import { useRunbook } from '../store/runbook.js';

/** Minutes without keyboard or pointer input after which write mode switches itself off. */
export const WRITE_IDLE_MINUTES = 10;

function useIdleSwitchOff(writable: boolean) {
  const switchOff = useConnection((s) => s.switchOffWrite);
  useEffect(() => {
    if (!writable) return;
    let timer = 0;
    const arm = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        // A runbook step still running is not idleness: wait for it (its completion switches write mode off).
        if (useRunbook.getState().busy === 'running') arm();
        else void switchOff(`Write mode switched itself off after ${WRITE_IDLE_MINUTES} minutes without input.`);
      }, WRITE_IDLE_MINUTES * 60_000);
    };
    arm();
    const events = ['keydown', 'pointerdown', 'wheel'] as const;
    for (const e of events) window.addEventListener(e, arm, { passive: true });
    return () => {
      window.clearTimeout(timer);
      for (const e of events) window.removeEventListener(e, arm);
    };
  }, [writable, switchOff]);
}

/** The banner (nothing while read-only, except a notice of an automatic switch-off). */
export function WriteBanner() {
  const current = useConnection((s) => s.current);
  const notice = useConnection((s) => s.writeOffNotice);
  const dismiss = useConnection((s) => s.dismissWriteNotice);
  const setWriteMode = useConnection((s) => s.setWriteMode);
  const writable = current?.writable ?? false;
  useIdleSwitchOff(writable);
  if (current && writable) {
    const env = current.profile.environment;
    return (
      <div className={`write-banner env-${env}`} role="region" aria-label="Write mode" data-testid="write-banner" data-environment={env}>
        <strong>WRITE MODE ON · {env.toUpperCase()} · {current.fingerprint.database}</strong>
        <span title={`Statements from this console can change data. Write mode switches itself off after ${WRITE_IDLE_MINUTES} minutes without input and when a runbook run completes.`}>Can change data · off after {WRITE_IDLE_MINUTES} min idle or when a run completes</span>
        <button type="button" onClick={() => void setWriteMode(false)}>Back to read-only</button>
      </div>
    );
  }
  if (notice) {
    return (
      <div className="write-notice" role="status" data-testid="write-off-notice">
        <span>{notice}</span>
        <button type="button" className="small" onClick={dismiss}>Dismiss</button>
      </div>
    );
  }
  return null;
}
