/**
 * A runbook's maintenance window (`settings.window`): a run on a target of the window's
 * environments starts and continues only inside it. The check is one line naming the window and
 * the time it is now, so an operator outside it knows when to come back.
 */
import { WEEK_DAYS, type MaintenanceWindow } from '../../../shared/runbook.js';
import { UserError } from '../errors.js';

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `at` (UTC) is inside the window; a window whose end is not after its start runs past midnight. */
export function insideWindow(w: MaintenanceWindow, at: Date): boolean {
  const day = WEEK_DAYS[at.getUTCDay()]!;
  const previous = WEEK_DAYS[(at.getUTCDay() + 6) % 7]!;
  const now = at.getUTCHours() * 60 + at.getUTCMinutes();
  const from = minutes(w.fromUtc);
  const to = minutes(w.toUtc);
  if (from < to) return w.days.includes(day) && now >= from && now < to;
  return (w.days.includes(day) && now >= from) || (w.days.includes(previous) && now < to);
}

/** "sat 02:00-04:00 UTC", "fri, sat 22:00-02:00 UTC (past midnight)". */
export function windowText(w: MaintenanceWindow): string {
  return `${w.days.join(', ')} ${w.fromUtc}-${w.toUtc} UTC${minutes(w.toUtc) <= minutes(w.fromUtc) ? ' (past midnight)' : ''}`;
}

/**
 * Refuse a run outside the window on a target whose environment the window covers: one line naming
 * the window, the time now and the environment. No window, or another environment: nothing to refuse.
 */
export function assertInsideWindow(w: MaintenanceWindow | undefined, environment: string, at: Date): void {
  if (!w || !w.environments.includes(environment as MaintenanceWindow['environments'][number])) return;
  if (insideWindow(w, at)) return;
  const now = `${WEEK_DAYS[at.getUTCDay()]} ${at.toISOString().slice(11, 16)} UTC`;
  throw new UserError(`outside the maintenance window (${windowText(w)}): it is ${now} and the target is ${environment}; nothing ran, run it inside the window (settings.window)`, 'usage');
}
