/**
 * `--nice N`: lower the CPU priority of the backfill's own server process, so that on a server
 * whose cores the application keeps busy the scheduler gives the application's backends the CPU
 * first and the backfill what they leave.
 *
 * PostgreSQL has no SQL for this, so it works only where the console runs on the database host
 * (Linux) as the server's OS user or root. Every PostgreSQL backend leads its own session, so with
 * the kernel's autogroup scheduling (`/proc/sys/kernel/sched_autogroup_enabled` 1) each backend is
 * its own scheduling group and only the group's nice (`/proc/PID/autogroup`) counts; without it,
 * the process's nice does. Both are set. Before touching anything the process is proven to be this
 * session's backend, not a process that happens to have the same pid on this machine: its title
 * names this connection's client port (or `[local]` for a Unix socket) and it started when the
 * server says the backend did.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { Session } from '../session.js';

/** What `--nice` did: applied to server process `pid`, or not, and why not in one line. */
export interface ServerNice {
  pid: number;
  nice: number;
  applied: boolean;
  reason?: string;
  /** The nice the process had, given back when the backfill ends. */
  previous?: number;
}

/** /proc/PID/stat's fields from the third (state) on, past the parenthesised name; throws when unreadable. */
function statFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The nice of `pid` from /proc/PID/stat (field 19), or null when unreadable. */
export function niceOf(pid: number): number | null {
  try {
    return Number(statFields(pid)[16]);
  } catch {
    return null;
  }
}

/** When `pid` started, in ms since the epoch (boot time plus its start in clock ticks, field 22), or null. */
function startedAtMs(pid: number): number | null {
  try {
    const ticks = Number(statFields(pid)[19]);
    const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    // USER_HZ is 100 on every Linux architecture Node runs on.
    return Number.isFinite(ticks) && Number.isFinite(btime) ? btime * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}

/**
 * Whether a process title is that of the backend serving this connection: a PostgreSQL title
 * (`postgres: [cluster: ]user database host(port) state`) naming the client's port, or `[local]`
 * for a Unix-socket connection (port null).
 */
export function titleNamesConnection(title: string, clientPort: number | null): boolean {
  if (!/^postgres: /.test(title)) return false;
  return clientPort === null ? / \[local\]( |$)/.test(title) : new RegExp(`\\(${clientPort}\\)( |$)`).test(title);
}

/** The parent of `pid` (/proc/PID/stat field 4: a backend's is the postmaster), or null when unreadable. */
export function parentOf(pid: number): number | null {
  try {
    return Number(statFields(pid)[1]);
  } catch {
    return null;
  }
}

/** Why `pid` cannot be proven to be this session's backend on this host, or null when it is. */
export async function whyNotThisBackend(session: Session, pid: number, clientPort: number | null): Promise<string | null> {
  if (process.platform !== 'linux') return `the console runs on ${process.platform}, not Linux on the database host`;
  let title: string;
  try {
    title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return `no process ${pid} on this machine: the server is on another host (run renice or write /proc/${pid}/autogroup there)`;
  }
  if (!titleNamesConnection(title, clientPort)) {
    return `process ${pid} on this machine is not this connection's backend (the server is on another host or in a container; its title says ${JSON.stringify(title.slice(0, 80))})`;
  }
  const r = await session.query<{ started: number }>(
    'SELECT (extract(epoch FROM backend_start) * 1000)::float8 AS started FROM pg_stat_activity WHERE pid = pg_backend_pid()',
  );
  const started = r.rows[0]?.started;
  const local = startedAtMs(pid);
  if (started == null || local == null || Math.abs(started - local) > 2000) {
    return `process ${pid} on this machine did not start when the server says this backend did: not renicing a process that may be another`;
  }
  return null;
}

/** The autogroup scheduler is on (each backend is then its own group). */
function autogroupOn(): boolean {
  try {
    return fs.readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** Set `pid`'s nice, and its autogroup's when the kernel schedules by autogroup. Throws as os.setPriority and fs do. */
export function setNice(pid: number, nice: number): void {
  os.setPriority(pid, nice);
  if (autogroupOn()) fs.writeFileSync(`/proc/${pid}/autogroup`, String(nice));
}

/** Lower the CPU priority of this session's server process to `nice` (0..19), when it is provably on this host. */
export async function lowerServerPriority(session: Session, nice: number, clientPort: number | null): Promise<ServerNice> {
  const pid = session.pid;
  const why = await whyNotThisBackend(session, pid, clientPort);
  if (why) return { pid, nice, applied: false, reason: why };
  const previous = niceOf(pid) ?? 0;
  try {
    setNice(pid, nice);
  } catch (err) {
    return { pid, nice, applied: false, reason: reniceFailure(err, pid, nice) };
  }
  return { pid, nice, applied: true, previous };
}

/** Why renicing `pid` failed, in one line naming what to do. */
export function reniceFailure(err: unknown, pid: number, nice: number): string {
  // os.setPriority throws ERR_SYSTEM_ERROR with the errno in info.code; fs throws EACCES/EPERM itself.
  const codes = [(err as { code?: string }).code, (err as { info?: { code?: string } }).info?.code];
  return codes.some((c) => c === 'EPERM' || c === 'EACCES')
    ? `this OS user may not renice the server's process ${pid}: run the console as the server's OS user or root, or run renice -n ${nice} -p ${pid} (and echo ${nice} > /proc/${pid}/autogroup) as root`
    : `could not renice process ${pid}: ${(err as Error).message}`;
}

/** Give the process back the nice it had (best effort: lowering a nice needs root); false when it could not. */
export function restoreServerPriority(n: ServerNice): boolean {
  if (!n.applied || n.previous === undefined) return true;
  try {
    setNice(n.pid, n.previous);
    return true;
  } catch {
    return false;
  }
}
