/**
 * The test command can fail (issue 19): Vitest runs in a subprocess on a fixture test of each project
 * that fails on purpose (test/fixtures/exit-codes/), and must exit non-zero; its passing twin exits 0.
 * The integration and e2e fixtures use the embedded PostgreSQL their global setup starts: that server's
 * library once turned every failed run into exit 0.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

interface Run { code: number | null; output: string }

function run(cmd: string, args: string[], outcome: 'pass' | 'fail'): Promise<Run> {
  // No rebuild from scripts/test.mjs: e2e tests may be serving the built renderer meanwhile.
  const env: NodeJS.ProcessEnv = { ...process.env, TENANCY_EXIT_FIXTURES: '1', TENANCY_FIXTURE_OUTCOME: outcome, TENANCY_TEST_SKIP_BUILD: '1' };
  // Always the embedded server (the path that exited 0), also when this run itself uses another one.
  delete env.TEST_DATABASE_URL;
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');

describe('the test command exits non-zero when a test fails', () => {
  for (const project of ['unit', 'integration', 'e2e'] as const) {
    it(`vitest --project ${project}: a failing test exits 1, its passing twin exits 0`, async () => {
      const failed = await run(process.execPath, [vitest, 'run', '--project', project], 'fail');
      expect(failed.output).toContain('tests: 0 passed, 1 failed, 0 skipped');
      expect(failed.code, failed.output).toBe(1);
      const passed = await run(process.execPath, [vitest, 'run', '--project', project], 'pass');
      expect(passed.output).toContain('tests: 1 passed, 0 failed, 0 skipped');
      expect(passed.code, passed.output).toBe(0);
    });
  }

  it('npm test (scripts/test.mjs) passes the failure on', async () => {
    const failed = await run(process.execPath, ['scripts/test.mjs', '--project', 'integration'], 'fail');
    expect(failed.output).toContain('tests: 0 passed, 1 failed, 0 skipped');
    expect(failed.code, failed.output).toBe(1);
  });
});
