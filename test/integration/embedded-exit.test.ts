/**
 * A process that started the embedded PostgreSQL keeps its own exit code (the package's exit hook
 * once forced 0 on `beforeExit`), and a process that dies with the server running takes it along.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const script = path.join(root, 'test/fixtures/exit-codes/embedded-server.ts');

function runScript(mode: 'code' | 'throw'): Promise<{ code: number | null; port: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, mode], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, port: Number(/port (\d+)/.exec(stdout)?.[1]), stderr }));
  });
}

/** Resolves once nothing accepts connections on the port (the postmaster is gone); rejects after 20 s. */
async function untilRefused(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (!accepted) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('embedded PostgreSQL and the exit code of the process that started it', () => {
  it('keeps the exit code the process set after stopping the server', async () => {
    const r = await runScript('code');
    expect(r.code, r.stderr).toBe(7);
    expect(r.port).toBeGreaterThan(0);
  });

  it('exits 1 on an uncaught error and shuts the server down', async () => {
    const r = await runScript('throw');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('failed on purpose with the server running');
    await untilRefused(r.port);
  });

  it('npm run bench: a benchmark that fails after starting its server exits 2 with one line', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      // `junk` rows: the restore benchmark starts its embedded server, then its loading SQL fails.
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/run.ts', 'restore', 'junk'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^bench restore: failed: /)]);
  });
});
