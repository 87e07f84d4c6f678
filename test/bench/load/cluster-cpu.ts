/**
 * CPU used by a whole PostgreSQL server, read from /proc: the postmaster and every process it
 * started (backends, autovacuum workers, the WAL writer, the checkpointer, the background writer),
 * those that already exited included (their time is in the postmaster's reaped-children fields).
 * The backfill bench uses it to see what the backfill costs the server beyond its own backend.
 */
import fs from 'node:fs';

function statFields(pid: number): string[] | null {
  try {
    // Fields after the command name: index 0 is field 3 (state), so field n is index n - 3.
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return null;
  }
}

/** The parent of a local process, or null where /proc cannot say. */
export function parentPid(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[1]) : null;
}

/**
 * CPU seconds (user + system) used so far by the server whose postmaster is `postmaster`: its own,
 * its exited children's and its live children's; null where /proc is missing.
 */
export function serverCpuSeconds(postmaster: number): number | null {
  const own = statFields(postmaster);
  if (!own) return null;
  const tick = (f: string[], i: number) => Number(f[i]) / 100;
  let total = tick(own, 11) + tick(own, 12) + tick(own, 13) + tick(own, 14);
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[1]) === postmaster) total += tick(f, 11) + tick(f, 12);
  }
  return total;
}

/**
 * CPU seconds the whole machine has spent idle so far, every core summed (idle plus iowait, from
 * the first line of /proc/stat); null where /proc is missing. Over a window, the difference per
 * second is the share of one core nothing ran on: the most any extra work could have used.
 */
export function machineIdleSeconds(): number | null {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (f[3]! + f[4]!) / 100;
  } catch {
    return null;
  }
}
