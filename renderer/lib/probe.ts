/** Which isolation-probe results a page shows. */
import type { CheckRun } from '../../shared/findings.js';

/** The run whose probe results the page shows: the page's own probe, else an exact run that probed (the profile names an app role). */
export function probeRunOf(probe: CheckRun | null, exact: CheckRun | null, profileProbes: boolean): { run: CheckRun; source: string } | null {
  const exactProbed = exact && profileProbes ? exact : null;
  if (probe && (!exactProbed || probe.finishedAt >= exactProbed.finishedAt)) return { run: probe, source: 'probe run on this page' };
  if (exact && profileProbes) return { run: exact, source: `from the exact run at ${new Date(exact.finishedAt).toLocaleTimeString()}` };
  return null;
}
