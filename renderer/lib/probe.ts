/** Which isolation-probe results a page shows. */
import type { CheckRun } from '../../shared/findings.js';

/**
 * The run whose probe results the Isolation page shows: the newer of the page's own probe and the
 * run the Overview shows (exact, else the estimate), the latter only when it probed (the profile
 * names an app role and a tenant setting, so every run of it probes).
 */
export function probeRunOf(probe: CheckRun | null, overview: CheckRun | null, profileProbes: boolean): { run: CheckRun; source: string } | null {
  const probed = overview && profileProbes ? overview : null;
  if (probe && (!probed || probe.finishedAt >= probed.finishedAt)) return { run: probe, source: 'probe run on this page' };
  if (probed) return { run: probed, source: `from the ${probed.mode} run at ${new Date(probed.finishedAt).toLocaleTimeString()}` };
  return null;
}
