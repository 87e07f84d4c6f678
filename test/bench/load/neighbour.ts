/**
 * The backfill bench's control neighbour: a process that only uses CPU (or CPU and memory), in
 * a session of its own as every PostgreSQL backend is.
 */
import { spawn } from 'node:child_process';
import { setNice } from '../../../main/engine/backfill/nice.js';
import { cpuSeconds } from './loop.js';

/** What a control's neighbour does while busy: spin (CPU only), or write memory (CPU, memory bandwidth, cache). */
export type NeighbourKind = 'spin' | 'memory';

/**
 * Start a process that does nothing but use `share` of one core (busy for share x `periodMs` of
 * every `periodMs`, asleep the rest: 10 ms spreads it evenly, 200 ms at 0.5 is 100 ms bursts, the
 * shape of paced batches) and never touches the database: the CPU the backfill's server process
 * used, without its row locks, index entries or WAL; at `nice` when given (the backfill's, with
 * `--nice`). Returns a function that stops it and gives the CPU seconds it used (null without /proc):
 * at nice 19 and a share of 1, what the rest of the machine leaves one such process (less than
 * its idle time, session 29: the load's gaps are too short to fill).
 */
export async function cpuNeighbour(share: number, kind: NeighbourKind = 'spin', periodMs = 10, nice: number | null = null): Promise<() => Promise<number | null>> {
  const busyMs = Math.max(0, Math.min(1, share)) * periodMs;
  // Its own session (detached), as every PostgreSQL backend is: with the kernel's autogroup
  // scheduling each session is a scheduling group of its own, and a neighbour left in the bench's
  // session shares one group with the load's client and competes far less (session 25: a full
  // core of spin there cost the load 1.05 to 1.12x, the same spin in its own session 4.37x, a
  // backend running a CPU-only query 4.81 to 5.90x). Exits if the bench dies (its parent changes).
  const guard = `if(process.ppid!==${process.pid})process.exit(0);`;
  // 'memory': while busy, write one byte per 64-byte cache line across 128 MB (more than the
  // shared cache holds), so the neighbour competes for memory bandwidth and cache as a backend
  // writing many rows does, which a spin loop does not.
  const work = kind === 'spin' ? '' : 'for(let k=0;k<4096;k++){b[i]=(b[i]+1)&255;i=(i+64)%b.length;}';
  const src = `const z=new Int32Array(new SharedArrayBuffer(4));const b=new Uint8Array(${kind === 'spin' ? 1 : 128 * 1024 * 1024});let i=0;b.fill(1);process.stdout.write('ready\\n');` +
    `for(;;){${guard}const t=performance.now();while(performance.now()-t<${busyMs}){${work}}Atomics.wait(z,0,0,${periodMs - busyMs});}`;
  const child = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve());
  });
  if (nice != null) setNice(child.pid!, nice);
  const cpu0 = cpuSeconds(child.pid!);
  return async () => {
    const cpu1 = cpuSeconds(child.pid!);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    return cpu0 != null && cpu1 != null ? cpu1 - cpu0 : null;
  };
}
