/** The current step's elapsed time against its expected time, ticking once a second while it runs. */
import { useEffect, useState } from 'react';
import type { RunWindowView } from '../../../shared/contract/runbooks.js';
import { elapsedText } from '../../lib/window.js';

/** The clock (a meter when an expectation exists). */
export function StepClock({ startedAt, expected, running }: { startedAt: string | null; expected: RunWindowView['expected'][string] | undefined; running: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [running]);
  if (!startedAt || !running) {
    return <p className="muted" data-testid="step-clock" data-state="idle">Not running{expected ? ` · expected ${elapsedText(0, expected).text.split(' of ')[1]?.replace(/ ·.*/, '') ?? ''}` : ''}</p>;
  }
  const e = elapsedText(now - Date.parse(startedAt), expected);
  return (
    <div className={`step-clock${e.over ? ' over' : ''}`} data-testid="step-clock" data-state={e.over ? 'over' : 'running'}>
      <p role="status">{e.text}</p>
      {e.share !== null && <meter min={0} max={1.5} low={0.9} high={1} optimum={0.5} value={Math.min(1.5, e.share)} aria-label="Elapsed against expected time" />}
    </div>
  );
}
